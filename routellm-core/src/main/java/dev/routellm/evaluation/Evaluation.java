package dev.routellm.evaluation;

import dev.routellm.data.Dataset;
import dev.routellm.data.QualityUnit;
import dev.routellm.routing.Tier;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of evaluating a router on a dataset: its scores, its curves and metrics beside the random and oracle
 * references, and, for a cross-validation, every fold's metrics and their spread.
 *
 * <p>The headline metrics ({@link #metrics()}) are read on the 1% grid of the pooled curve: every example scored
 * once, by the method fitted without it. {@link #routeLlmMetrics()} gives RouteLLM's 11-point figures of the same
 * scores.
 *
 * <p>Immutable and thread-safe.
 */
public final class Evaluation {
  private final String dataset;
  private final QualityUnit unit;
  private final String strongModel;
  private final String weakModel;
  private final String router;
  private final int folds;
  private final long seed;
  private final double weakQuality;
  private final double strongQuality;
  private final double[] scores;
  private final RoutingCurves routerCurves;
  private final RoutingCurves randomCurves;
  private final RoutingCurves oracleCurves;
  private final List<FoldResult> foldResults;

  Evaluation(Dataset data, String router, int folds, long seed, double[] scores, List<FoldResult> foldResults) {
    this.dataset = data.name();
    this.unit = data.unit();
    this.strongModel = data.strongModel();
    this.weakModel = data.weakModel();
    this.router = router;
    this.folds = folds;
    this.seed = seed;
    this.weakQuality = data.quality(Tier.WEAK);
    this.strongQuality = data.quality(Tier.STRONG);
    this.scores = scores;
    this.routerCurves = RoutingCurves.of(data, scores);
    this.randomCurves = RoutingCurves.random(data);
    this.oracleCurves = RoutingCurves.oracle(data);
    this.foldResults = List.copyOf(foldResults);
  }

  /**
   * The evaluation of scores computed elsewhere (for example by a router served from a checkpoint), with no folds.
   *
   * @param data the examples
   * @param router the router's name, for reports
   * @param scores one finite score per example, in the dataset's order
   * @throws IllegalArgumentException when the scores do not fit the dataset, the dataset is empty, or both models have
   *     the same quality
   */
  public static Evaluation ofScores(Dataset data, String router, double[] scores) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(router, "router");
    Objects.requireNonNull(scores, "scores");
    return new Evaluation(data, router, 1, 0, scores.clone(), List.of());
  }

  /** The dataset's name. */
  public String dataset() {
    return dataset;
  }

  /** The unit of every quality here. */
  public QualityUnit unit() {
    return unit;
  }

  public String strongModel() {
    return strongModel;
  }

  public String weakModel() {
    return weakModel;
  }

  /** The router's name. */
  public String router() {
    return router;
  }

  /** The number of folds (1: no cross-validation). */
  public int folds() {
    return folds;
  }

  /** The seed of the fold split and of the method. */
  public long seed() {
    return seed;
  }

  /** The number of examples evaluated. */
  public int questions() {
    return scores.length;
  }

  /** Quality of sending everything to the weak model. */
  public double weakQuality() {
    return weakQuality;
  }

  /** Quality of sending everything to the strong model. */
  public double strongQuality() {
    return strongQuality;
  }

  /** The quality at which PGR is {@code pgr} (0.5: half the gap recovered). */
  public double qualityAtPgr(double pgr) {
    return routerCurves.fineGrid().qualityAtPgr(pgr);
  }

  /** Every example's held-out score, in the dataset's order (a copy). */
  public double[] scores() {
    return scores.clone();
  }

  /** The router's curves. */
  public RoutingCurves curves() {
    return routerCurves;
  }

  /** The expected curves of random routing. */
  public RoutingCurves random() {
    return randomCurves;
  }

  /** The oracle's curves. */
  public RoutingCurves oracle() {
    return oracleCurves;
  }

  /** The router's metrics on the 1% grid. */
  public CurveMetrics metrics() {
    return routerCurves.fineGrid().metrics();
  }

  /** The router's metrics at RouteLLM's 11 points. */
  public CurveMetrics routeLlmMetrics() {
    return routerCurves.routeLlm().metrics();
  }

  /** Every fold's result, in order; empty without cross-validation. */
  public List<FoldResult> foldResults() {
    return foldResults;
  }

  /** How the metrics vary across folds; empty without cross-validation. */
  public Optional<FoldSummary> foldSummary() {
    return foldResults.isEmpty() ? Optional.empty() : Optional.of(FoldSummary.of(foldResults));
  }

  /**
   * How many times fewer strong calls the router needs than random routing to recover {@code pgr} of the quality gap
   * (the RouteLLM paper's Table 6, for example 49.03% / 13.40% = 3.66x): random routing's CPT over the router's on
   * the 1% grid. Random routing's CPT is that of its expected curve, exactly {@code pgr} (the paper used one random
   * run instead). NaN when the router never reaches {@code pgr}; infinite when it reaches it with no strong call.
   *
   * @throws IllegalArgumentException when {@code pgr} is not in (0, 1]
   */
  public double costSavingVsRandom(double pgr) {
    if (!(pgr > 0 && pgr <= 1)) {
      throw new IllegalArgumentException("pgr must be in (0, 1] but was " + pgr);
    }
    return pgr / routerCurves.fineGrid().cpt(pgr);
  }

  @Override
  public String toString() {
    return "Evaluation{dataset=" + dataset + ", router=" + router + ", questions=" + scores.length + ", folds=" + folds
        + ", " + metrics() + "}";
  }
}
