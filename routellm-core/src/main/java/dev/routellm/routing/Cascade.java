package dev.routellm.routing;

import dev.routellm.prediction.QualityPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A chain of cascade steps, cheapest first: each checked step's answers are returned when its {@link StepCheck}
 * accepts them, otherwise the next step is asked; the last steps are usually unchecked (the strong model answers, and
 * a further unchecked step is its fallback). Immutable.
 *
 * <pre>{@code
 * Cascade chain = Cascade.builder()
 *     .step(StepCheck.agreement(AnswerExtractors.number()), "gpt-4o-mini", "gemini-1.5-flash")  // in parallel
 *     .then("gpt-4o")
 *     .build();
 * Router router = Router.builder().pool(pool).policy(RoutingPolicy.cascade(chain)).build();
 * }</pre>
 *
 * <p>Route, then cascade: {@link Builder#startWhen} lets a {@link QualityPredictor} skip the cheap steps for prompts
 * it predicts they would fail, so hard prompts go straight to the strong model without paying for cheap answers that
 * would be rejected.
 */
public final class Cascade {
  private final List<RoutePlan.Step> steps;
  private final QualityPredictor starter;
  private final double minQuality;

  private Cascade(Builder b) {
    this.steps = List.copyOf(b.steps);
    this.starter = b.starter;
    this.minQuality = b.minQuality;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The steps, in order. */
  public List<RoutePlan.Step> steps() {
    return steps;
  }

  /** The predictor that chooses the starting step, if any. */
  public Optional<QualityPredictor> starter() {
    return Optional.ofNullable(starter);
  }

  /** The predicted quality a step's best model must reach for the cascade to start there; NaN without a starter. */
  public double minQuality() {
    return minQuality;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Cascade[");
    for (int i = 0; i < steps.size(); i++) {
      RoutePlan.Step step = steps.get(i);
      s.append(i == 0 ? "" : " -> ").append(String.join("+", step.models()));
      step.check().ifPresent(c -> s.append(" ?").append(c));
    }
    if (starter != null) {
      s.append(", start when ").append(starter.name()).append(" >= ").append(minQuality);
    }
    return s.append(']').toString();
  }

  /** Builds a {@link Cascade}. Not thread-safe. */
  public static final class Builder {
    private final List<RoutePlan.Step> steps = new ArrayList<>();
    private QualityPredictor starter;
    private double minQuality = Double.NaN;

    private Builder() {}

    /**
     * Adds a checked step: {@code models} answer (in parallel when more than one) and {@code check} decides.
     *
     * @throws IllegalArgumentException when fewer models are given than the check needs
     */
    public Builder step(StepCheck check, String... models) {
      Objects.requireNonNull(check, "check");
      Objects.requireNonNull(models, "models");
      steps.add(RoutePlan.Step.checked(check, models));
      return this;
    }

    /**
     * Adds an unchecked step: {@code model}'s answer is returned as is. A second unchecked step is the first one's
     * fallback.
     */
    public Builder then(String model) {
      steps.add(RoutePlan.Step.answer(model));
      return this;
    }

    /**
     * Route, then cascade: before any call, {@code predictor} predicts each model's quality for the prompt, and the
     * cascade starts at the first step where one of the step's models reaches {@code minQuality} (the last step
     * always qualifies). Steps before it are skipped and not paid for.
     *
     * @throws IllegalArgumentException when {@code minQuality} is outside [0, 1]
     */
    public Builder startWhen(QualityPredictor predictor, double minQuality) {
      this.starter = Objects.requireNonNull(predictor, "predictor");
      if (!(minQuality >= 0.0 && minQuality <= 1.0)) {
        throw new IllegalArgumentException("minQuality must be in [0, 1] but was " + minQuality);
      }
      this.minQuality = minQuality;
      return this;
    }

    /**
     * Builds the chain.
     *
     * @throws IllegalStateException when no step was added, or the chain has no checked step
     */
    public Cascade build() {
      if (steps.isEmpty()) {
        throw new IllegalStateException("a cascade needs at least one step");
      }
      if (steps.stream().noneMatch(s -> s.check().isPresent())) {
        throw new IllegalStateException("a cascade needs at least one checked step (step(check, models...)); a"
            + " chain of unchecked steps is a ranking: use a predictive policy");
      }
      return new Cascade(this);
    }
  }
}
