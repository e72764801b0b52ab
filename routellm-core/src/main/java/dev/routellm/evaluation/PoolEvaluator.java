package dev.routellm.evaluation;

import dev.routellm.ConfigurationException;
import dev.routellm.data.PoolDataset;
import dev.routellm.data.PoolExample;
import dev.routellm.prediction.QualityPredictor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Evaluates a policy over a pool of models on N-model data: every setting's quality and cost, the curve they trace,
 * beside every single model, the single-model frontier and the oracle; and, for each calibration target, the setting
 * it picks and what that delivers on prompts it was not picked on.
 *
 * <p><b>Predictions.</b> A policy that predicts gets its predictions by k-fold cross-validation ({@code folds >= 2}):
 * the {@link QualityMethod} is fitted on K-1 folds (examples sharing a prompt stay together, {@link PromptFolds}) and
 * predicts the held-out fold, so every example is predicted once by a predictor that never saw it; expected costs
 * likewise come from the training folds. A policy that does not predict (an answer-checking cascade) needs no
 * training; with folds it still gets per-fold figures and cross-fitted calibration.
 *
 * <p><b>Calibration</b> is cross-fitted: for each fold, the setting is chosen on the other folds' examples (their
 * held-out predictions) and applied to the fold; the pooled result is what the calibration delivers on new prompts.
 * The setting to deploy is chosen on all examples.
 *
 * <p>Immutable and thread-safe; {@link #evaluate} runs on the calling thread.
 */
public final class PoolEvaluator {
  /** Prompts predicted per progress report. */
  static final int CHUNK = 256;

  private final int folds;
  private final long seed;
  private final ProgressListener progress;

  private PoolEvaluator(Builder b) {
    this.folds = b.folds;
    this.seed = b.seed;
    this.progress = b.progress;
  }

  /** A builder with 1 fold, seed {@value Evaluator#DEFAULT_SEED} and no progress reports. */
  public static Builder builder() {
    return new Builder();
  }

  public int folds() {
    return folds;
  }

  public long seed() {
    return seed;
  }

  /**
   * Evaluates a policy.
   *
   * @param costs the dataset and its costs
   * @param method what predicts quality; null for a policy that does not predict
   * @param policy the policy
   * @param targets calibration targets (may be empty)
   * @throws IllegalArgumentException when the dataset is empty, has fewer distinct prompts than folds, or the policy
   *     cannot work on it (a model it names is missing, it needs answer texts the data lacks)
   * @throws ConfigurationException when the policy predicts and no method is given, or with fewer than 2 folds
   */
  public PoolEvaluation evaluate(PoolCosts costs, QualityMethod method, PoolPolicy policy,
      List<PoolCalibration.Target> targets) {
    Objects.requireNonNull(costs, "costs");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(targets, "targets");
    PoolDataset data = costs.data();
    if (data.isEmpty()) {
      throw new IllegalArgumentException("dataset '" + data.name() + "' is empty: nothing to evaluate");
    }
    if (policy.needsPredictions() && method == null) {
      throw new ConfigurationException("policy '" + policy.name() + "' predicts quality: give it a quality method");
    }
    if (method != null && folds < 2) {
      throw new ConfigurationException("predictor '" + method.name() + "' learns from data: evaluate it with --folds 2"
          + " or more");
    }
    int n = data.size();
    int[][] heldOut = folds >= 2 ? PromptFolds.split(data.prompts(), folds, seed, data.name()) : new int[0][];
    PoolTable table = method == null || !policy.needsPredictions() ? PoolTable.of(costs)
        : predictedTable(costs, method, heldOut);
    int[] all = new int[n];
    Arrays.setAll(all, i -> i);
    progress.progress("sweeping " + policy.name() + " settings", 0, 1);
    List<OperatingPoint> points = List.of(policy.evaluate(table, all));
    progress.progress("sweeping " + policy.name() + " settings", 1, 1);

    List<PoolEvaluation.Fold> foldResults = new ArrayList<>();
    List<List<OperatingPoint>> withoutFold = new ArrayList<>();
    for (int f = 0; f < heldOut.length; f++) {
      List<OperatingPoint> foldPoints = List.of(policy.evaluate(table, heldOut[f]));
      if (!targets.isEmpty()) {
        withoutFold.add(List.of(policy.evaluate(table, PromptFolds.complement(heldOut[f], n))));
      }
      foldResults.add(PoolEvaluation.Fold.of(f + 1, costs, heldOut[f], foldPoints));
    }
    PoolEvaluation.Summary summary = PoolEvaluation.Summary.of(costs, all, points);
    List<PoolCalibration.Result> calibrations = new ArrayList<>();
    for (PoolCalibration.Target target : targets) {
      calibrations.add(calibrate(table, policy, target, points, heldOut, withoutFold, summary.bestSingle().cost()));
    }
    String router = method == null ? policy.name() : method.name() + " + " + policy.name();
    return new PoolEvaluation(data, costs, router, policy.name(), method == null ? null : method.name(), folds, seed,
        points, summary, foldResults, calibrations);
  }

  private PoolTable predictedTable(PoolCosts costs, QualityMethod method, int[][] heldOut) {
    PoolDataset data = costs.data();
    int n = data.size();
    double[][] predicted = new double[n][];
    double[][] expected = new double[n][];
    FitContext context = new FitContext(seed, progress);
    for (int f = 0; f < heldOut.length; f++) {
      int[] train = PromptFolds.complement(heldOut[f], n);
      String stage = "fold " + (f + 1) + "/" + heldOut.length;
      QualityPredictor predictor = method.fit(data.subset(train), context);
      Objects.requireNonNull(predictor, () -> "quality method '" + method.name() + "' returned no predictor");
      if (!predictor.models().equals(data.models())) {
        throw new IllegalStateException("quality method '" + method.name() + "' predicts for " + predictor.models()
            + " but the pool is " + data.models());
      }
      double[][] rows = predict(predictor, data, heldOut[f], stage + ": predicting");
      double[][] costRows = costs.expected(train, heldOut[f]);
      for (int r = 0; r < heldOut[f].length; r++) {
        predicted[heldOut[f][r]] = rows[r];
        expected[heldOut[f][r]] = costRows[r];
      }
    }
    return PoolTable.of(costs, predicted, expected);
  }

  private double[][] predict(QualityPredictor predictor, PoolDataset data, int[] rows, String stage) {
    double[][] out = new double[rows.length][];
    for (int from = 0; from < rows.length; from += CHUNK) {
      int to = Math.min(rows.length, from + CHUNK);
      List<String> prompts = new ArrayList<>(to - from);
      for (int r = from; r < to; r++) {
        prompts.add(data.example(rows[r]).prompt());
      }
      double[][] batch = predictor.predictAll(prompts);
      for (int r = from; r < to; r++) {
        double[] q = batch[r - from];
        PoolExample e = data.example(rows[r]);
        if (q == null || q.length != data.models().size()) {
          throw new IllegalStateException("predictor '" + predictor.name() + "' returned " + (q == null ? "nothing"
              : q.length + " values") + " for example '" + e.id() + "' of a pool of " + data.models().size());
        }
        for (double v : q) {
          if (!(v >= 0 && v <= 1)) {
            throw new IllegalStateException("predictor '" + predictor.name() + "' predicted " + v + " for example '"
                + e.id() + "': predicted qualities are in [0, 1]");
          }
        }
        out[r] = q;
      }
      progress.progress(stage, to, rows.length);
    }
    return out;
  }

  private static PoolCalibration.Result calibrate(PoolTable table, PoolPolicy policy, PoolCalibration.Target target,
      List<OperatingPoint> points, int[][] heldOut, List<List<OperatingPoint>> withoutFold, double bestSingleCost) {
    int deploy = PoolCalibration.chooseOrNearest(points, target, bestSingleCost);
    boolean met = PoolCalibration.choose(points, target, bestSingleCost) >= 0;
    if (heldOut.length == 0) {
      return new PoolCalibration.Result(target, points.get(deploy), met, null, List.of());
    }
    double cost = 0;
    double quality = 0;
    int n = 0;
    List<String> chosen = new ArrayList<>();
    for (int f = 0; f < heldOut.length; f++) {
      int s = PoolCalibration.chooseOrNearest(withoutFold.get(f), target, bestSingleCost);
      OperatingPoint onFold = policy.evaluate(table, heldOut[f])[s];
      cost += onFold.cost() * heldOut[f].length;
      quality += onFold.quality() * heldOut[f].length;
      n += heldOut[f].length;
      chosen.add(onFold.setting());
    }
    return new PoolCalibration.Result(target, points.get(deploy), met, new CostQualityPoint(cost / n, quality / n),
        chosen);
  }

  @Override
  public String toString() {
    return "PoolEvaluator{folds=" + folds + ", seed=" + seed + "}";
  }

  /** Builds a {@link PoolEvaluator}. Not thread-safe. */
  public static final class Builder {
    private int folds = 1;
    private long seed = Evaluator.DEFAULT_SEED;
    private ProgressListener progress = ProgressListener.NONE;

    private Builder() {}

    /**
     * The number of folds: 1 for none, at least 2 for cross-validation (needed by policies that predict).
     *
     * @throws IllegalArgumentException when {@code folds < 1}
     */
    public Builder folds(int folds) {
      if (folds < 1) {
        throw new IllegalArgumentException("folds must be >= 1 but was " + folds);
      }
      this.folds = folds;
      return this;
    }

    /** The seed of the fold split and of the method's fit. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Hears progress of fitting, predicting and sweeping. */
    public Builder progress(ProgressListener progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    public PoolEvaluator build() {
      return new PoolEvaluator(this);
    }
  }
}
