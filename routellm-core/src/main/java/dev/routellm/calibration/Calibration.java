package dev.routellm.calibration;

import java.util.OptionalDouble;

/**
 * A chosen threshold and what to expect at it on the calibration sample.
 *
 * @param threshold prompts scoring at or above it go to the strong model
 * @param strongShare share of the sample's prompts that would go to the strong model, in [0, 1]
 * @param quality mean quality of the answering model over the sample, when outcomes were given
 * @param costPerRequest expected dollars per request, when costs were given
 */
public record Calibration(double threshold, double strongShare, OptionalDouble quality,
    OptionalDouble costPerRequest) {
  public Calibration {
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1] but was " + threshold);
    }
    if (!(strongShare >= 0 && strongShare <= 1)) {
      throw new IllegalArgumentException("strongShare must be in [0, 1] but was " + strongShare);
    }
    java.util.Objects.requireNonNull(quality, "quality");
    java.util.Objects.requireNonNull(costPerRequest, "costPerRequest");
  }
}
