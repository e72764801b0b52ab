package dev.routellm.routing;

import dev.routellm.cost.Dollars;
import dev.routellm.prediction.QualityPredictor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The cheapest model predicted to reach a target quality. Immutable. */
final class CheapestReachingPolicy implements RoutingPolicy {
  private final QualityPredictor predictor;
  private final double target;

  CheapestReachingPolicy(QualityPredictor predictor, double target) {
    this.predictor = Objects.requireNonNull(predictor, "predictor");
    if (!(target >= 0.0 && target <= 1.0)) {
      throw new IllegalArgumentException("target quality must be in [0, 1] but was " + target);
    }
    this.target = target;
  }

  @Override
  public String name() {
    return predictor.name();
  }

  @Override
  public void validate(ModelPool pool) {
    QualityPredictions.validate(predictor, pool, "cheapest-reaching");
  }

  @Override
  public RoutePlan plan(RoutingContext context) {
    Map<String, Double> quality = QualityPredictions.predict(predictor, context);
    List<String> reaching = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String m : quality.keySet()) {
      (quality.get(m) >= target ? reaching : rest).add(m);
    }
    reaching.sort(Comparator.comparingDouble(context::expectedCost));
    rest.sort(Comparator.comparing((String m) -> -quality.get(m)).thenComparing(context::expectedCost));
    List<String> ranking = new ArrayList<>(reaching);
    ranking.addAll(rest);
    String best = ranking.stream().filter(context::eligible).findFirst().orElse(ranking.get(0));
    boolean reaches = quality.get(best) >= target;
    String reason = reaches
        ? String.format(Locale.ROOT, "%s: the cheapest (%s) predicted to reach %.4f (%.4f)", best,
            Dollars.format(context.expectedCost(best)), target, quality.get(best))
        : String.format(Locale.ROOT, "%s: no model is predicted to reach %.4f; best predicted quality %.4f", best,
            target, quality.get(best));
    return RoutePlan.ranked(ranking, quality, quality.get(best), target, RoutingDecision.CHEAPEST_REACHING, reason);
  }

  @Override
  public String toString() {
    return "cheapestReaching(" + predictor.name() + ", " + target + ")";
  }
}
