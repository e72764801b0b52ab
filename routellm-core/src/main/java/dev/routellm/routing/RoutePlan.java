package dev.routellm.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link RoutingPolicy} wants done with one request: steps tried in order, each one or more models and, for
 * a cascade step, the check its answers must pass. Immutable.
 *
 * <p>How a router runs a plan: a step without a check returns its model's answer; if the call fails (and the
 * router's {@link FallbackPolicy} allows), the next step is the fallback. A step with a check calls its models (in
 * parallel when there are several) and returns the answer the check accepts; otherwise the router moves on to the
 * next step. When every step is spent, the last answer a check rejected is returned, if any. Models that cannot serve
 * the request (not allowed, too expensive, missing a capability, circuit open) are dropped from the steps first; a
 * step left with fewer models than its check needs is dropped too.
 *
 * @param steps the steps, in order; never empty
 * @param predictedQuality the policy's predicted quality per model, in [0, 1], for the decision's candidates; empty
 *     when the policy predicts none
 * @param score the number the policy compared (see {@link RoutingDecision#score()}); NaN when none
 * @param threshold what the score was compared with; NaN when nothing
 * @param rule the rule's name, for {@link RoutingDecision#rule()}
 * @param reason a one-line explanation of the choice
 */
public record RoutePlan(
    List<Step> steps, Map<String, Double> predictedQuality, double score, double threshold, String rule,
    String reason) {

  public RoutePlan {
    steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
    predictedQuality = Map.copyOf(Objects.requireNonNull(predictedQuality, "predictedQuality"));
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(reason, "reason");
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a plan needs at least one step");
    }
    predictedQuality.forEach(
        (m, q) -> {
          if (!(q >= 0.0 && q <= 1.0)) {
            throw new IllegalArgumentException("predicted quality of '" + m + "' must be in [0, 1] but was " + q);
          }
        });
  }

  /**
   * A plan that calls {@code ranking.get(0)} and, on failure, falls back along the ranking.
   *
   * @throws IllegalArgumentException when {@code ranking} is empty
   */
  public static RoutePlan ranked(
      List<String> ranking, Map<String, Double> predictedQuality, double score, double threshold, String rule,
      String reason) {
    List<Step> steps = new ArrayList<>(ranking.size());
    for (String m : ranking) {
      steps.add(Step.answer(m));
    }
    return new RoutePlan(steps, predictedQuality, score, threshold, rule, reason);
  }

  /** Whether any step has a check (the plan is a cascade: the decision is made after answers are checked). */
  public boolean checked() {
    return steps.stream().anyMatch(s -> s.check().isPresent());
  }

  /**
   * One step of a plan.
   *
   * @param models the models called, in parallel when more than one; never empty
   * @param check what the answers must pass to be returned; empty for a step whose answer is returned as is
   */
  public record Step(List<String> models, Optional<StepCheck> check) {
    public Step {
      models = List.copyOf(Objects.requireNonNull(models, "models"));
      Objects.requireNonNull(check, "check");
      if (models.isEmpty()) {
        throw new IllegalArgumentException("a step needs at least one model");
      }
      if (check.isEmpty() && models.size() != 1) {
        throw new IllegalArgumentException("a step without a check calls one model but was given " + models);
      }
      if (check.isPresent() && models.size() < check.get().answersNeeded()) {
        throw new IllegalArgumentException("check '" + check.get().name() + "' needs " + check.get().answersNeeded()
            + " answers but the step has " + models.size() + " model(s): " + models);
      }
    }

    /** A step whose model's answer is returned as is. */
    public static Step answer(String model) {
      return new Step(List.of(Objects.requireNonNull(model, "model")), Optional.empty());
    }

    /** A step whose answers must pass {@code check}. */
    public static Step checked(StepCheck check, String... models) {
      return new Step(Arrays.asList(models), Optional.of(Objects.requireNonNull(check, "check")));
    }

    Step withModels(List<String> kept) {
      return new Step(kept, check);
    }
  }
}
