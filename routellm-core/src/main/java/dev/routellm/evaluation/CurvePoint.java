package dev.routellm.evaluation;

/**
 * One operating point of a router: the share of requests sent to the strong model and the quality obtained.
 * Immutable and thread-safe.
 *
 * @param strongShare share of strong-model calls, in [0, 1]
 * @param quality mean quality, in the dataset's unit; finite
 */
public record CurvePoint(double strongShare, double quality) {
  public CurvePoint {
    if (!(strongShare >= 0 && strongShare <= 1)) {
      throw new IllegalArgumentException("strongShare must be in [0, 1] but was " + strongShare);
    }
    if (!Double.isFinite(quality)) {
      throw new IllegalArgumentException("quality must be finite but was " + quality);
    }
  }
}
