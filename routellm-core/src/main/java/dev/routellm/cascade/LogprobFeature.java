package dev.routellm.cascade;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A number summarising an answer's token log-probabilities, from which a {@link LogprobConfidenceModel} computes a
 * confidence. Each feature has a short {@link #key()} used in data files and model files.
 *
 * <p>Log-probabilities are natural logarithms, clamped at {@link dev.routellm.chat.TokenLogprob#FLOOR}.
 */
public enum LogprobFeature {
  /** Sum of the token log-probabilities: the log-probability of the whole answer (Alamere's feature). */
  SUM("sum"),
  /** Mean token log-probability (the sum without its length bias). */
  MEAN("mean"),
  /** The least likely token's log-probability. */
  MIN("min"),
  /** 10th percentile of the token log-probabilities (linear interpolation, as numpy's default). */
  P10("p10"),
  /** 25th percentile of the token log-probabilities (linear interpolation, as numpy's default). */
  P25("p25"),
  /** Number of tokens in the answer. */
  TOKENS("tokens"),
  /**
   * Mean, over positions with at least two alternatives, of the top-1 minus top-2 alternative log-probability: how
   * decisively the model chose. Needs {@code top_logprobs >= 2}.
   */
  MARGIN_MEAN("margin_mean"),
  /** The smallest top-1/top-2 margin over the answer. Needs {@code top_logprobs >= 2}. */
  MARGIN_MIN("margin_min");

  private final String key;

  LogprobFeature(String key) {
    this.key = key;
  }

  /** The feature's name in data and model files ({@code "sum"}, {@code "margin_mean"}, ...). */
  public String key() {
    return key;
  }

  /** Whether the feature needs each token's alternatives ({@code top_logprobs >= 2}). */
  public boolean needsAlternatives() {
    return this == MARGIN_MEAN || this == MARGIN_MIN;
  }

  /**
   * The feature with this key, case-insensitive.
   *
   * @throws IllegalArgumentException naming the known keys when there is none
   */
  public static LogprobFeature fromKey(String key) {
    Objects.requireNonNull(key, "key");
    String k = key.trim().toLowerCase(Locale.ROOT);
    for (LogprobFeature f : values()) {
      if (f.key.equals(k)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown log-probability feature '" + key + "'; known: " + keys());
  }

  /** Every key, comma-separated, in declaration order. */
  public static String keys() {
    return Arrays.stream(values()).map(LogprobFeature::key).collect(Collectors.joining(", "));
  }
}
