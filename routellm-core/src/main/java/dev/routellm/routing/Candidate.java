package dev.routellm.routing;

import java.util.Objects;
import java.util.Optional;

/**
 * One model of the pool as a routing decision saw it. Immutable.
 *
 * @param model the model's name in the pool
 * @param predictedQuality the policy's estimate of the model's quality for this prompt, in [0, 1]; {@code NaN} when
 *     the policy predicts none (a threshold router's two models, a cascade without a predictor)
 * @param expectedCost dollars the router expected this request to cost on the model, before any call: the prompt's
 *     estimated tokens and the model's expected answer length at its prices; finite, {@code >= 0}
 * @param excluded why the model could not serve this request (not allowed, over the cost limit, missing a
 *     capability, prompt longer than its context, circuit open); empty when it could
 */
public record Candidate(String model, double predictedQuality, double expectedCost, Optional<String> excluded) {
  public Candidate {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(excluded, "excluded");
    if (!Double.isNaN(predictedQuality) && !(predictedQuality >= 0.0 && predictedQuality <= 1.0)) {
      throw new IllegalArgumentException("predictedQuality must be in [0, 1] or NaN but was " + predictedQuality);
    }
    if (!(expectedCost >= 0.0 && expectedCost < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("expectedCost must be finite and >= 0 but was " + expectedCost);
    }
  }

  /** Whether the model could serve the request. */
  public boolean eligible() {
    return excluded.isEmpty();
  }

  /** As a record prints itself, with the expected cost as a plain decimal. */
  @Override
  public String toString() {
    return "Candidate[model=" + model + ", predictedQuality=" + predictedQuality + ", expectedCost="
        + dev.routellm.cost.Dollars.format(expectedCost) + ", excluded=" + excluded + "]";
  }

  /** A copy marked as unable to serve, for {@code reason}; an earlier reason is kept. */
  Candidate exclude(String reason) {
    return excluded.isPresent() ? this : new Candidate(model, predictedQuality, expectedCost, Optional.of(reason));
  }
}
