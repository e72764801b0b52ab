package dev.routellm.evaluation;

import java.util.Objects;

/**
 * How a value varies across folds. Immutable and thread-safe.
 *
 * @param mean the mean
 * @param std the sample standard deviation (divisor n - 1; 0 for one value)
 * @param min the smallest value
 * @param max the largest value
 */
public record Spread(double mean, double std, double min, double max) {
  /**
   * The spread of some values; NaN in every component when any value is NaN (a CPT a fold never reached).
   *
   * @throws IllegalArgumentException when there are no values
   */
  public static Spread of(double... values) {
    Objects.requireNonNull(values, "values");
    if (values.length == 0) {
      throw new IllegalArgumentException("a spread needs at least one value");
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (Double.isNaN(v)) {
        return new Spread(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      }
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double mean = sum / values.length;
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    double std = values.length == 1 ? 0 : Math.sqrt(squares / (values.length - 1));
    return new Spread(mean, std, min, max);
  }
}
