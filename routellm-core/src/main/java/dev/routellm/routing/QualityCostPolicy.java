package dev.routellm.routing;

import dev.routellm.cost.Dollars;
import dev.routellm.prediction.QualityPredictor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Best predicted quality less lambda times relative expected cost. Immutable. */
final class QualityCostPolicy implements RoutingPolicy {
  private final QualityPredictor predictor;
  private final double lambda;

  QualityCostPolicy(QualityPredictor predictor, double lambda) {
    this.predictor = Objects.requireNonNull(predictor, "predictor");
    if (!(lambda >= 0.0 && lambda < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("lambda must be finite and >= 0 but was " + lambda);
    }
    this.lambda = lambda;
  }

  @Override
  public String name() {
    return predictor.name();
  }

  @Override
  public void validate(ModelPool pool) {
    QualityPredictions.validate(predictor, pool, "quality-cost");
  }

  @Override
  public RoutePlan plan(RoutingContext context) {
    Map<String, Double> quality = QualityPredictions.predict(predictor, context);
    double reference = context.expectedCost(context.referenceModel());
    List<String> ranking = new ArrayList<>(quality.keySet());
    Map<String, Double> utility = new java.util.HashMap<>();
    for (String m : ranking) {
      utility.put(m, RoutingPolicy.utility(quality.get(m), context.expectedCost(m), reference, lambda));
    }
    // Highest utility first; ties go to the cheaper model, then to pool order.
    ranking.sort(
        Comparator.comparing((String m) -> -utility.get(m)).thenComparing(context::expectedCost));
    String best = ranking.stream().filter(context::eligible).findFirst().orElse(ranking.get(0));
    String reason = String.format(Locale.ROOT,
        "%s: predicted quality %.4f - %s x cost %s / %s = %.4f, the best of %d", best, quality.get(best),
        Dollars.plain(lambda), Dollars.format(context.expectedCost(best)), Dollars.format(reference), utility.get(best),
        ranking.stream().filter(context::eligible).count());
    return RoutePlan.ranked(ranking, quality, utility.get(best), Double.NaN, RoutingDecision.QUALITY_COST, reason);
  }

  @Override
  public String toString() {
    return "qualityCost(" + predictor.name() + ", lambda=" + lambda + ")";
  }
}
