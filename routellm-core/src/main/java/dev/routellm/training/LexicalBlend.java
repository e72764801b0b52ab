package dev.routellm.training;

import dev.routellm.prediction.LexicalNeighbors;
import dev.routellm.prediction.LexicalRidge;
import dev.routellm.prediction.NearestNeighbors;
import dev.routellm.prediction.Ranks;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Fits {@link Learner#KNN_LEXICAL}: the ridge penalty and the blend weight are chosen by an inner cross-validation on
 * the training set alone ({@value #INNER_FOLDS} folds, shuffled with the seed), so that an outer evaluation never
 * tunes on its held-out prompts. The inner folds' out-of-fold scores also serve as the rank references of the final
 * scorer (see {@link LexicalNeighbors}). Both parts learn the group-smoothed win rates of {@link Learner#KNN_GROUPS}.
 *
 * <p>Stateless and thread-safe.
 */
final class LexicalBlend {
  /** Inner folds of the selection. */
  static final int INNER_FOLDS = 3;
  /** Ridge penalties tried, in increasing order (each fit starts from the previous one). */
  static final double[] LAMBDAS = {1, 3, 10};
  /** Weights of the lexical rank tried. */
  static final double[] WEIGHTS = {0.25, 0.5, 0.75};
  /** Penalty and weight where the set is too small to split ({@code < 2 * INNER_FOLDS} prompts). */
  static final double DEFAULT_LAMBDA = 3;
  static final double DEFAULT_WEIGHT = 0.5;

  private LexicalBlend() {}

  static LexicalNeighbors fit(TrainingSet data, long seed) {
    double[] targets = data.winRatesTowardGroups(Learner.GROUP_WEIGHT);
    NearestNeighbors knn = NearestNeighbors.fit(data.embeddings(), targets, Learner.GROUP_K);
    int n = data.size();
    if (n < 2 * INNER_FOLDS) {
      LexicalRidge ridge = LexicalRidge.fit(data.prompts(), targets, DEFAULT_LAMBDA);
      return LexicalNeighbors.of(knn, ridge, knn.scoreAll(data.embeddings()), scores(ridge, data), DEFAULT_WEIGHT);
    }
    // Out-of-fold scores of the kNN part and of the lexical part under each penalty.
    int[] fold = innerFolds(n, seed);
    double[] knnOof = new double[n];
    double[][] lexicalOof = new double[LAMBDAS.length][n];
    for (int f = 0; f < INNER_FOLDS; f++) {
      int current = f;
      int[] in = IntStream.range(0, n).filter(i -> fold[i] != current).toArray();
      int[] out = IntStream.range(0, n).filter(i -> fold[i] == current).toArray();
      TrainingSet inner = data.subset(in);
      double[] innerTargets = inner.winRatesTowardGroups(Learner.GROUP_WEIGHT);
      NearestNeighbors innerKnn = NearestNeighbors.fit(inner.embeddings(), innerTargets, Learner.GROUP_K);
      LexicalRidge[] path = LexicalRidge.fitPath(inner.prompts(), innerTargets, LAMBDAS);
      for (int i : out) {
        knnOof[i] = innerKnn.score(data.embeddings().get(i));
        for (int l = 0; l < LAMBDAS.length; l++) {
          lexicalOof[l][i] = path[l].score(data.prompts().get(i));
        }
      }
    }
    double[] gains = new double[n];
    for (int i = 0; i < n; i++) {
      gains[i] = data.gain(i);
    }
    int bestLambda = 0;
    for (int l = 1; l < LAMBDAS.length; l++) {
      if (gainArea(lexicalOof[l], gains) > gainArea(lexicalOof[bestLambda], gains)) {
        bestLambda = l;
      }
    }
    double[] lexicalRef = lexicalOof[bestLambda];
    double[] knnRank = ranks(knnOof);
    double[] lexicalRank = ranks(lexicalRef);
    double bestWeight = WEIGHTS[0];
    double bestArea = Double.NEGATIVE_INFINITY;
    for (double w : WEIGHTS) {
      double[] blend = new double[n];
      for (int i = 0; i < n; i++) {
        blend[i] = (1 - w) * knnRank[i] + w * lexicalRank[i];
      }
      double area = gainArea(blend, gains);
      if (area > bestArea) {
        bestArea = area;
        bestWeight = w;
      }
    }
    LexicalRidge ridge = LexicalRidge.fit(data.prompts(), targets, LAMBDAS[bestLambda]);
    return LexicalNeighbors.of(knn, ridge, knnOof, lexicalRef, bestWeight);
  }

  /** Prompts dealt to the inner folds in a shuffled order (Fisher-Yates with the seed). */
  static int[] innerFolds(int n, long seed) {
    int[] order = IntStream.range(0, n).toArray();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] fold = new int[n];
    for (int k = 0; k < n; k++) {
      fold[order[k]] = k % INNER_FOLDS;
    }
    return fold;
  }

  /**
   * The selection criterion: the sum, over the prompts taken in decreasing score order (ties by index), of the gain
   * accumulated so far. Up to an affine map this is the area under the quality-over-strong-share curve, the quantity
   * APGR normalises, read at every prompt.
   */
  static double gainArea(double[] scores, double[] gains) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : a - b);
    double cumulative = 0;
    double area = 0;
    for (int i : order) {
      cumulative += gains[i];
      area += cumulative;
    }
    return area;
  }

  /** Each value's rank among the values ({@link Ranks#of}, as the fitted scorer ranks against its references). */
  private static double[] ranks(double[] values) {
    float[] sorted = Ranks.sortedReference(values, "scores");
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Ranks.of(sorted, (float) values[i]);
    }
    return out;
  }

  private static double[] scores(LexicalRidge ridge, TrainingSet data) {
    double[] out = new double[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ridge.score(data.prompts().get(i));
    }
    return out;
  }
}
