package dev.routellm.routing;

import dev.routellm.ConfigurationException;
import dev.routellm.prediction.QualityPredictor;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A {@link Cascade}, optionally starting where a predictor says. Immutable. */
final class CascadePolicy implements RoutingPolicy {
  /** The default name of a router running a cascade. */
  static final String NAME = "cascade";

  private final Cascade chain;

  CascadePolicy(Cascade chain) {
    this.chain = chain;
  }

  Cascade chain() {
    return chain;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(ModelPool pool) {
    Set<String> used = new LinkedHashSet<>();
    for (RoutePlan.Step step : chain.steps()) {
      used.addAll(step.models());
      step.check().ifPresent(c -> used.addAll(VerifierCheck.modelsUsed(c)));
    }
    for (String m : used) {
      if (!pool.contains(m)) {
        throw new ConfigurationException("cascade " + chain + " names model '" + m + "', which is not in the pool "
            + pool.names());
      }
    }
    for (RoutePlan.Step step : chain.steps()) {
      if (step.check().isPresent()) {
        for (String m : step.models()) {
          step.check().get().validate(pool.model(m));
        }
      }
    }
    Optional<QualityPredictor> starter = chain.starter();
    if (starter.isPresent()) {
      List<String> known = starter.get().models();
      for (RoutePlan.Step step : chain.steps().subList(0, chain.steps().size() - 1)) {
        for (String m : step.models()) {
          if (!known.contains(m)) {
            throw new ConfigurationException("cascade start predictor '" + starter.get().name()
                + "' has no prediction for model '" + m + "'; it predicts " + known);
          }
        }
      }
    }
  }

  @Override
  public RoutePlan plan(RoutingContext context) {
    List<RoutePlan.Step> steps = chain.steps();
    if (chain.starter().isEmpty()) {
      return new RoutePlan(steps, Map.of(), Double.NaN, Double.NaN, RoutingDecision.CASCADE, "cascade " + chain);
    }
    QualityPredictor starter = chain.starter().get();
    Map<String, Double> quality = QualityPredictions.predict(starter, context);
    int start = steps.size() - 1;
    double startQuality = Double.NaN;
    for (int i = 0; i < steps.size() - 1; i++) {
      double best = steps.get(i).models().stream().mapToDouble(quality::get).max().orElse(0.0);
      if (best >= chain.minQuality()) {
        start = i;
        startQuality = best;
        break;
      }
    }
    String reason = start == 0
        ? String.format(Locale.ROOT, "cascade starts at its first step (predicted quality %.4f >= %.4f)",
            startQuality, chain.minQuality())
        : String.format(Locale.ROOT, "cascade starts at step %d of %d (%s): the cheaper steps are predicted below"
            + " %.4f", start + 1, steps.size(), String.join("+", steps.get(start).models()), chain.minQuality());
    return new RoutePlan(steps.subList(start, steps.size()), quality, startQuality, chain.minQuality(),
        RoutingDecision.CASCADE, reason);
  }

  @Override
  public String toString() {
    return "cascade(" + chain + ")";
  }
}
