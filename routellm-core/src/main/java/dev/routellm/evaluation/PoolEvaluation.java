package dev.routellm.evaluation;

import dev.routellm.data.PoolDataset;
import dev.routellm.data.QualityUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of evaluating a policy over a pool ({@link PoolEvaluator}): each setting's operating point, the curve
 * they trace, every single model, the single-model frontier and the oracle, the headline figures, per-fold figures
 * and calibrations.
 *
 * <p><b>Curves.</b> The frontier is the non-decreasing upper convex hull of the single models' points
 * ({@link CostCurve}): what randomly mixing models reaches. The router's curve is the same hull of its operating
 * points and the pool's cheapest model (any deployment can send a share of requests straight to it, so both curves
 * start at the cheapest model).
 *
 * <p><b>Headline figures.</b> The area under each curve over the pool's cost range (from the cheapest to the most
 * expensive single model), divided by the range: the mean quality reachable over the range, in the data's unit
 * (RouterBench's AIQ). The cost share at the best quality: the least cost at which the router's curve reaches the best
 * single model's quality, as a share of that model's cost (NaN when it never does).
 *
 * <p>Immutable and thread-safe.
 */
public final class PoolEvaluation {
  /**
   * One model of the pool alone.
   *
   * @param model its name
   * @param cost mean dollars per request
   * @param quality its quality, in the data's unit
   */
  public record SingleModel(String model, double cost, double quality) {
    public CostQualityPoint point() {
      return new CostQualityPoint(cost, quality);
    }
  }

  /**
   * What a set of examples says: single models, frontier, oracle, the router's curve and the headline figures.
   *
   * @param singles every model alone, in the pool's order
   * @param bestSingle the model of highest quality (ties: the cheaper)
   * @param frontier the single models' non-decreasing convex hull
   * @param oracle the cheapest best-scoring model of each example
   * @param router the router's curve
   * @param costFrom the cheapest single model's cost
   * @param costTo the most expensive single model's cost
   * @param frontierArea the frontier's mean quality over [costFrom, costTo]
   * @param routerArea the router's mean quality over the same range
   * @param costShareAtBestQuality the least cost at which the router reaches the best single model's quality, over that
   *     model's cost; NaN when never
   */
  public record Summary(List<SingleModel> singles, SingleModel bestSingle, CostCurve frontier, CostQualityPoint oracle,
      CostCurve router, double costFrom, double costTo, double frontierArea, double routerArea,
      double costShareAtBestQuality) {
    public Summary {
      singles = List.copyOf(singles);
    }

    static Summary of(PoolCosts costs, int[] rows, List<OperatingPoint> points) {
      PoolDataset data = costs.data();
      QualityUnit unit = data.unit();
      List<SingleModel> singles = new ArrayList<>();
      for (int m = 0; m < data.models().size(); m++) {
        double cost = 0;
        double score = 0;
        for (int i : rows) {
          cost += costs.cost(i, m);
          score += data.score(i, m);
        }
        singles.add(new SingleModel(data.models().get(m), cost / rows.length, unit.of(score / rows.length)));
      }
      SingleModel best = singles.get(0);
      SingleModel cheapest = singles.get(0);
      SingleModel dearest = singles.get(0);
      for (SingleModel s : singles) {
        if (s.quality() > best.quality() || (s.quality() == best.quality() && s.cost() < best.cost())) {
          best = s;
        }
        cheapest = s.cost() < cheapest.cost() ? s : cheapest;
        dearest = s.cost() > dearest.cost() ? s : dearest;
      }
      CostCurve frontier = CostCurve.hull(singles.stream().map(SingleModel::point).toList());
      List<CostQualityPoint> routerPoints = new ArrayList<>();
      points.forEach(p -> routerPoints.add(p.point()));
      routerPoints.add(cheapest.point());
      CostCurve router = CostCurve.hull(routerPoints);
      double from = cheapest.cost();
      double to = dearest.cost();
      double frontierArea = to > from ? frontier.meanQuality(from, to) : frontier.qualityAt(from);
      double routerArea = to > from ? router.meanQuality(from, to) : router.qualityAt(from);
      double share = best.cost() > 0 ? router.costReaching(best.quality()) / best.cost() : Double.NaN;
      return new Summary(singles, best, frontier, oracle(costs, rows), router, from, to, frontierArea, routerArea,
          share);
    }

    /** Per example, the cheapest of the models with the example's best score. */
    private static CostQualityPoint oracle(PoolCosts costs, int[] rows) {
      PoolDataset data = costs.data();
      double cost = 0;
      double score = 0;
      for (int i : rows) {
        int pick = 0;
        for (int m = 1; m < data.models().size(); m++) {
          double s = data.score(i, m);
          double b = data.score(i, pick);
          if (s > b || (s == b && costs.cost(i, m) < costs.cost(i, pick))) {
            pick = m;
          }
        }
        cost += costs.cost(i, pick);
        score += data.score(i, pick);
      }
      return new CostQualityPoint(cost / rows.length, data.unit().of(score / rows.length));
    }
  }

  /**
   * One fold's figures: its examples alone (single models, frontier and router measured on them).
   *
   * @param fold 1-based
   * @param size held-out examples
   * @param summary the fold's figures
   */
  public record Fold(int fold, int size, Summary summary) {
    static Fold of(int fold, PoolCosts costs, int[] rows, List<OperatingPoint> points) {
      return new Fold(fold, rows.length, Summary.of(costs, rows, points));
    }
  }

  private final String dataset;
  private final QualityUnit unit;
  private final List<String> models;
  private final int questions;
  private final String costBasis;
  private final boolean estimatedCosts;
  private final String router;
  private final String policy;
  private final String predictor;
  private final int folds;
  private final long seed;
  private final List<OperatingPoint> points;
  private final Summary summary;
  private final List<Fold> foldResults;
  private final List<PoolCalibration.Result> calibrations;

  PoolEvaluation(PoolDataset data, PoolCosts costs, String router, String policy, String predictor, int folds,
      long seed, List<OperatingPoint> points, Summary summary, List<Fold> foldResults,
      List<PoolCalibration.Result> calibrations) {
    this.dataset = data.name();
    this.unit = data.unit();
    this.models = data.models();
    this.questions = data.size();
    this.costBasis = costs.description();
    this.estimatedCosts = costs.estimated();
    this.router = router;
    this.policy = policy;
    this.predictor = predictor;
    this.folds = folds;
    this.seed = seed;
    this.points = List.copyOf(points);
    this.summary = Objects.requireNonNull(summary, "summary");
    this.foldResults = List.copyOf(foldResults);
    this.calibrations = List.copyOf(calibrations);
  }

  public String dataset() {
    return dataset;
  }

  public QualityUnit unit() {
    return unit;
  }

  /** The pool, in order. */
  public List<String> models() {
    return models;
  }

  public int questions() {
    return questions;
  }

  /** Where the costs came from, for people ("estimated token counts x prices"). */
  public String costBasis() {
    return costBasis;
  }

  /** Whether the costs are estimates (estimated or assumed token counts). */
  public boolean estimatedCosts() {
    return estimatedCosts;
  }

  /** The router's name: the predictor and the policy ({@code "knn + quality-cost"}), or the policy alone. */
  public String router() {
    return router;
  }

  public String policy() {
    return policy;
  }

  /** The quality method's name, when the policy predicts. */
  public Optional<String> predictor() {
    return Optional.ofNullable(predictor);
  }

  public int folds() {
    return folds;
  }

  public long seed() {
    return seed;
  }

  /** Every setting's operating point on all examples, in the policy's order. */
  public List<OperatingPoint> points() {
    return points;
  }

  /** Single models, frontier, oracle, the router's curve and the headline figures, on all examples. */
  public Summary summary() {
    return summary;
  }

  /** Each fold's figures; empty without folds. */
  public List<Fold> foldResults() {
    return foldResults;
  }

  /** One result per calibration target, in the order given. */
  public List<PoolCalibration.Result> calibrations() {
    return calibrations;
  }

  @Override
  public String toString() {
    return "PoolEvaluation{" + dataset + ", router=" + router + ", routerArea=" + summary.routerArea()
        + ", frontierArea=" + summary.frontierArea() + "}";
  }
}
