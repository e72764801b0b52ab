package dev.routellm.routing;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which model a router chose for a request, among which candidates, by which rule, and why. Immutable.
 *
 * @param model the chosen model: the one the router calls first (a predictive router), or, for a cascade, the model
 *     whose answer was kept or the last one asked
 * @param router the router's name ({@code "mf"}, {@code "knn"}, {@code "cascade"}, ...)
 * @param rule what chose: {@value #THRESHOLD} (a score against a threshold, two models), {@value #QUALITY_COST}
 *     (best predicted quality less lambda times cost), {@value #CHEAPEST_REACHING} (cheapest model predicted to reach
 *     a target), {@value #CASCADE} (answers checked step by step), {@value #TOOL_CONVERSATION} (a tool-calling
 *     conversation stays on the model that started it), or a custom policy's name
 * @param score the number the rule compared: the strong model's predicted win rate for a threshold router, the last
 *     check's score for a cascade (confidence, agreement, verifier's belief), the chosen model's utility for
 *     quality-cost; {@code NaN} when the rule compared none
 * @param threshold what {@code score} was compared with (for an adaptive threshold, the value used for this request);
 *     {@code NaN} when nothing was compared
 * @param candidates every model of the pool, in pool order, with its predicted quality, expected cost and, when it
 *     could not serve this request, why
 * @param decisionTime time spent deciding, model calls excluded (a cascade's calls excluded too)
 * @param reason a one-line human explanation, for example {@code "score 0.4100 >= threshold 0.3500"}
 */
public record RoutingDecision(
    String model,
    String router,
    String rule,
    double score,
    double threshold,
    List<Candidate> candidates,
    Duration decisionTime,
    String reason) {
  /** {@link #rule()} of a two-model router comparing a score with a threshold. */
  public static final String THRESHOLD = "threshold";
  /** {@link #rule()} of the N-way policy maximising predicted quality less lambda times relative cost. */
  public static final String QUALITY_COST = "quality-cost";
  /** {@link #rule()} of the N-way policy choosing the cheapest model predicted to reach a target quality. */
  public static final String CHEAPEST_REACHING = "cheapest-reaching";
  /** {@link #rule()} of a cascade. */
  public static final String CASCADE = "cascade";
  /** {@link #rule()} when a tool-calling conversation stays on the model that started it. */
  public static final String TOOL_CONVERSATION = "tool-conversation";

  public RoutingDecision {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(router, "router");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(decisionTime, "decisionTime");
    Objects.requireNonNull(reason, "reason");
    candidates = List.copyOf(Objects.requireNonNull(candidates, "candidates"));
  }

  /** The candidate entry of {@code name}, if it is in the pool. */
  public Optional<Candidate> candidate(String name) {
    Objects.requireNonNull(name, "name");
    return candidates.stream().filter(c -> c.model().equals(name)).findFirst();
  }

  /** The chosen model's expected cost, or 0 when the chosen model is not among the candidates. */
  public double expectedCost() {
    return candidate(model).map(Candidate::expectedCost).orElse(0.0);
  }

  RoutingDecision withTime(Duration time) {
    return new RoutingDecision(model, router, rule, score, threshold, candidates, time, reason);
  }
}
