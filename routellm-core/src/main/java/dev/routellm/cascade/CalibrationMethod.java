package dev.routellm.cascade;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/** How a confidence model maps features to a confidence. */
public enum CalibrationMethod {
  /**
   * Ordinary least squares of correctness (0/1) on the features: {@code confidence = b + a . x}, not clipped, so it can
   * leave [0, 1] (Alamere's method, kept so its published results can be reproduced).
   */
  OLS("ols"),
  /**
   * Logistic regression (Platt scaling) on the standardised features with an L2 penalty: {@code confidence =
   * sigmoid(b + a . x)}, always in (0, 1).
   */
  LOGISTIC("logistic"),
  /**
   * Isotonic regression on one feature (pool adjacent violators): a non-decreasing step function interpolated
   * linearly between its points and held constant beyond them; in [0, 1].
   */
  ISOTONIC("isotonic");

  private final String key;

  CalibrationMethod(String key) {
    this.key = key;
  }

  /** The method's name in model files and on the command line. */
  public String key() {
    return key;
  }

  /**
   * The method with this key, case-insensitive.
   *
   * @throws IllegalArgumentException naming the known keys when there is none
   */
  public static CalibrationMethod fromKey(String key) {
    Objects.requireNonNull(key, "key");
    String k = key.trim().toLowerCase(Locale.ROOT);
    for (CalibrationMethod m : values()) {
      if (m.key.equals(k)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown calibration method '" + key + "'; known: "
            + Arrays.stream(values()).map(CalibrationMethod::key).collect(Collectors.joining(", ")));
  }
}
