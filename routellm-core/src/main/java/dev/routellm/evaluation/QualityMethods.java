package dev.routellm.evaluation;

import dev.routellm.data.PoolDataset;
import dev.routellm.embedding.Embedder;
import dev.routellm.prediction.EmbeddingQualityPredictor;
import dev.routellm.prediction.LexicalQualityNeighbors;
import dev.routellm.prediction.QualityNeighbors;
import dev.routellm.prediction.QualityPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The stock {@link QualityMethod}s: k nearest neighbours over per-model outcomes, on embeddings ({@link #knn}) or on
 * the prompt's words ({@link #knnLexical}). What they fit is a {@link QualityPredictor} that serves as is (and saves
 * to a router file).
 *
 * <p>Outcomes are scaled to [0, 1] for the predictors: scores already in that range (right/wrong, LLMRouter's) are
 * kept; other scores are mapped linearly from the training set's lowest to its highest.
 */
public final class QualityMethods {
  /** Prompts embedded per progress report. */
  static final int CHUNK = 256;

  private QualityMethods() {}

  /**
   * kNN over embeddings ({@link QualityNeighbors}), named {@code "knn"}. The embedder comes from a supplier called
   * on the first fit, so that listing methods loads no model; wrap it in a {@link
   * dev.routellm.embedding.CachingEmbedder} to embed each prompt once across folds.
   *
   * @throws IllegalArgumentException when {@code k < 1} or {@code priorWeight} is negative or not finite
   */
  public static QualityMethod knn(Supplier<? extends Embedder> embedder, int k, double priorWeight) {
    Objects.requireNonNull(embedder, "embedder");
    checkParameters(k, priorWeight);
    return new QualityMethod() {
      @Override
      public String name() {
        return "knn";
      }

      @Override
      public QualityPredictor fit(PoolDataset train, FitContext context) {
        Embedder e = Objects.requireNonNull(embedder.get(), "embedder supplier returned null");
        List<float[]> vectors = embed(train.prompts(), e, "embedding training prompts", context.progress());
        QualityNeighbors scorer = QualityNeighbors.fit(train.models(), vectors, outcomes(train), k, priorWeight);
        return EmbeddingQualityPredictor.of(e, scorer).named(name());
      }

      @Override
      public String toString() {
        return "QualityMethod{knn, k=" + k + ", priorWeight=" + priorWeight + "}";
      }
    };
  }

  /** {@link #knn} with {@link QualityNeighbors#DEFAULT_K} and {@link QualityNeighbors#DEFAULT_PRIOR_WEIGHT}. */
  public static QualityMethod knn(Supplier<? extends Embedder> embedder) {
    return knn(embedder, QualityNeighbors.DEFAULT_K, QualityNeighbors.DEFAULT_PRIOR_WEIGHT);
  }

  /**
   * kNN over TF-IDF vectors of the prompt's words ({@link LexicalQualityNeighbors}), named {@code "knn-lexical"}.
   *
   * @throws IllegalArgumentException when {@code k < 1} or {@code priorWeight} is negative or not finite
   */
  public static QualityMethod knnLexical(int k, double priorWeight) {
    checkParameters(k, priorWeight);
    return new QualityMethod() {
      @Override
      public String name() {
        return "knn-lexical";
      }

      @Override
      public QualityPredictor fit(PoolDataset train, FitContext context) {
        return LexicalQualityNeighbors.fit(train.models(), train.prompts(), outcomes(train), k, priorWeight)
            .named(name());
      }

      @Override
      public String toString() {
        return "QualityMethod{knn-lexical, k=" + k + ", priorWeight=" + priorWeight + "}";
      }
    };
  }

  /** {@link #knnLexical} with {@link QualityNeighbors#DEFAULT_K} and the default prior weight. */
  public static QualityMethod knnLexical() {
    return knnLexical(QualityNeighbors.DEFAULT_K, QualityNeighbors.DEFAULT_PRIOR_WEIGHT);
  }

  private static void checkParameters(int k, double priorWeight) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1 but was " + k);
    }
    if (!(priorWeight >= 0) || Double.isInfinite(priorWeight)) {
      throw new IllegalArgumentException("priorWeight must be finite and >= 0 but was " + priorWeight);
    }
  }

  /**
   * The training outcomes scaled to [0, 1]: one row per example, one column per model. Scores already in [0, 1] are
   * kept; otherwise they are mapped linearly from the lowest to the highest score of the set (all equal: 0.5).
   */
  public static double[][] outcomes(PoolDataset data) {
    Objects.requireNonNull(data, "data");
    int n = data.size();
    int models = data.models().size();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      for (int m = 0; m < models; m++) {
        lo = Math.min(lo, data.score(i, m));
        hi = Math.max(hi, data.score(i, m));
      }
    }
    boolean unit = lo >= 0 && hi <= 1;
    double[][] out = new double[n][models];
    for (int i = 0; i < n; i++) {
      for (int m = 0; m < models; m++) {
        double s = data.score(i, m);
        out[i][m] = unit ? s : hi > lo ? (s - lo) / (hi - lo) : 0.5;
      }
    }
    return out;
  }

  static List<float[]> embed(List<String> prompts, Embedder embedder, String stage, ProgressListener progress) {
    List<float[]> out = new ArrayList<>(prompts.size());
    for (int from = 0; from < prompts.size(); from += CHUNK) {
      out.addAll(embedder.embedAll(prompts.subList(from, Math.min(prompts.size(), from + CHUNK))));
      progress.progress(stage, out.size(), prompts.size());
    }
    return out;
  }
}
