package dev.routellm.evaluation;

import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.routing.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Evaluates a {@link RoutingMethod} on a dataset, by k-fold cross-validation when {@code folds >= 2}.
 *
 * <p><b>Folds.</b> Examples with the same routing prompt ({@link Example#prompt()}) form one group, so duplicates
 * never straddle training and held-out sets. The groups are shuffled with the seed ({@link java.util.SplittableRandom},
 * Fisher-Yates) and dealt to the folds in turn. For each fold the method is fitted on the other folds only and scores
 * the held-out fold; every example is thus scored exactly once, by a method that never saw its prompt. With one fold
 * the method is fitted on an empty training set and scores every example (right for methods that do not learn: random,
 * oracle, a pretrained checkpoint).
 *
 * <p>Immutable and thread-safe; {@link #evaluate} runs on the calling thread.
 */
public final class Evaluator {
  /** Folds unless set: 1, no cross-validation. */
  public static final int DEFAULT_FOLDS = 1;
  /** Seed unless set. */
  public static final long DEFAULT_SEED = 42;

  private final int folds;
  private final long seed;
  private final ProgressListener progress;

  private Evaluator(Builder b) {
    this.folds = b.folds;
    this.seed = b.seed;
    this.progress = b.progress;
  }

  /** A builder with {@value #DEFAULT_FOLDS} fold, seed {@value #DEFAULT_SEED} and no progress reports. */
  public static Builder builder() {
    return new Builder();
  }

  /** An evaluator with the defaults. */
  public static Evaluator defaults() {
    return builder().build();
  }

  public int folds() {
    return folds;
  }

  public long seed() {
    return seed;
  }

  /**
   * Evaluates a method.
   *
   * @throws IllegalArgumentException when the dataset is empty, has fewer distinct prompts than folds, or its two
   *     models have the same quality
   * @throws IllegalStateException when the method returns a wrong number of scores or a score that is not finite
   * @throws dev.routellm.ConfigurationException when the method cannot fit (for example on an empty training set)
   */
  public Evaluation evaluate(Dataset data, RoutingMethod method) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(method, "method");
    if (data.isEmpty()) {
      throw new IllegalArgumentException("dataset '" + data.name() + "' is empty: nothing to evaluate");
    }
    FitContext context = new FitContext(seed, progress);
    if (folds == 1) {
      Scorer scorer = method.fit(data.subset(new int[0]), context);
      double[] scores = score(method, scorer, data, "scoring");
      return new Evaluation(data, method.name(), 1, seed, scores, List.of());
    }
    int[][] heldOut = split(data, folds, seed);
    double[] pooled = new double[data.size()];
    List<FoldResult> results = new ArrayList<>(folds);
    for (int f = 0; f < folds; f++) {
      Dataset test = data.subset(heldOut[f]);
      Dataset train = data.subset(PromptFolds.complement(heldOut[f], data.size()));
      String stage = "fold " + (f + 1) + "/" + folds;
      Scorer scorer = method.fit(train, context);
      double[] scores = score(method, scorer, test, stage + ": scoring");
      for (int i = 0; i < scores.length; i++) {
        pooled[heldOut[f][i]] = scores[i];
      }
      results.add(foldResult(f + 1, train.size(), test, scores));
    }
    return new Evaluation(data, method.name(), folds, seed, pooled, results);
  }

  private double[] score(RoutingMethod method, Scorer scorer, Dataset data, String stage) {
    Objects.requireNonNull(scorer, () -> "router '" + method.name() + "' returned no scorer");
    double[] scores = scorer.scoreAll(data.examples(), stage, progress);
    if (scores == null || scores.length != data.size()) {
      throw new IllegalStateException("router '" + method.name() + "' returned "
          + (scores == null ? "no scores" : scores.length + " scores") + " for " + data.size() + " examples");
    }
    for (int i = 0; i < scores.length; i++) {
      if (!Double.isFinite(scores[i])) {
        throw new IllegalStateException("router '" + method.name() + "' scored example '" + data.example(i).id()
            + "' " + scores[i] + ": scores must be finite");
      }
    }
    return scores;
  }

  private static FoldResult foldResult(int fold, int trainSize, Dataset test, double[] scores) {
    if (test.quality(Tier.STRONG) == test.quality(Tier.WEAK)) {
      CurveMetrics undefined = new CurveMetrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      return new FoldResult(fold, trainSize, test.size(), undefined, undefined);
    }
    RoutingCurves curves = RoutingCurves.of(test, scores);
    return new FoldResult(fold, trainSize, test.size(), curves.fineGrid().metrics(), curves.routeLlm().metrics());
  }

  /**
   * The held-out indices of each fold, each in increasing order: groups of examples sharing a routing prompt,
   * shuffled with the seed and dealt to the folds in turn.
   *
   * @throws IllegalArgumentException when {@code folds} is not in {@code [2, distinct prompts]}
   */
  static int[][] split(Dataset data, int folds, long seed) {
    return PromptFolds.split(data.prompts(), folds, seed, data.name());
  }

  @Override
  public String toString() {
    return "Evaluator{folds=" + folds + ", seed=" + seed + "}";
  }

  /** Builds an {@link Evaluator}. Not thread-safe. */
  public static final class Builder {
    private int folds = DEFAULT_FOLDS;
    private long seed = DEFAULT_SEED;
    private ProgressListener progress = ProgressListener.NONE;

    private Builder() {}

    /**
     * The number of folds: 1 for none, at least 2 for cross-validation.
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

    /** Hears progress of fitting and scoring. */
    public Builder progress(ProgressListener progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    public Evaluator build() {
      return new Evaluator(this);
    }
  }
}
