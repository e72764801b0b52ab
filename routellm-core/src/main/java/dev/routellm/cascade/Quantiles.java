package dev.routellm.cascade;

/** Quantiles of sorted samples. */
final class Quantiles {
  private Quantiles() {}

  /**
   * The {@code q}-quantile of ascending {@code sorted} values by linear interpolation between order statistics
   * (numpy's and pandas' default): position {@code (n - 1) q}.
   */
  static double linear(double[] sorted, double q) {
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
