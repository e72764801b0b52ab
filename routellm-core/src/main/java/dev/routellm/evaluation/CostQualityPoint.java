package dev.routellm.evaluation;

/**
 * A point of a quality-over-cost plot: the mean dollar cost per request and the quality reached, in the data's unit.
 *
 * @param cost mean dollars per request, finite and {@code >= 0}
 * @param quality the quality, finite
 */
public record CostQualityPoint(double cost, double quality) {
  public CostQualityPoint {
    if (!(cost >= 0) || Double.isInfinite(cost)) {
      throw new IllegalArgumentException("cost must be finite and >= 0 but was " + cost);
    }
    if (!Double.isFinite(quality)) {
      throw new IllegalArgumentException("quality must be finite but was " + quality);
    }
  }
}
