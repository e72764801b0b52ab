package dev.routellm.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * Which model a router chose for a request, and why. Immutable.
 *
 * @param tier the chosen tier
 * @param model the chosen model's name
 * @param score the router's score: the strong model's predicted win rate for a predictive router, the weak answer's
 *     confidence for a cascade
 * @param threshold the threshold the score was compared with
 * @param router the router's name ({@code "mf"}, {@code "knn"}, {@code "cascade"}, ...)
 * @param decisionTime time spent deciding, model calls excluded (a cascade's weak call excluded too)
 * @param reason a one-line human explanation, for example {@code "score 0.41 >= threshold 0.35"}
 */
public record RoutingDecision(
    Tier tier, String model, double score, double threshold, String router, Duration decisionTime, String reason) {

  public RoutingDecision {
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(router, "router");
    Objects.requireNonNull(decisionTime, "decisionTime");
    Objects.requireNonNull(reason, "reason");
  }

  /** Whether the strong model was chosen. */
  public boolean strong() {
    return tier == Tier.STRONG;
  }
}
