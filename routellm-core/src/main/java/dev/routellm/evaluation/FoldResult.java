package dev.routellm.evaluation;

import java.util.Objects;

/**
 * One fold of a cross-validation: the method was fitted on {@code trainSize} examples and scored the
 * {@code testSize} held-out ones, whose curve gives these metrics (PGR measured against the held-out examples' own
 * weak and strong qualities). When the two models do equally well on the held-out examples, PGR is undefined and
 * every metric is NaN. Immutable and thread-safe; no component is null.
 *
 * @param fold the fold's number, from 1
 * @param trainSize training examples
 * @param testSize held-out examples
 * @param metrics metrics on the 1% grid
 * @param routeLlmMetrics metrics at RouteLLM's 11 points
 */
public record FoldResult(int fold, int trainSize, int testSize, CurveMetrics metrics, CurveMetrics routeLlmMetrics) {
  public FoldResult {
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(routeLlmMetrics, "routeLlmMetrics");
  }
}
