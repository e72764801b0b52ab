package dev.routellm.prediction;

import dev.routellm.checkpoint.RouterFile;
import java.util.List;
import java.util.Objects;

/**
 * The part of an N-way {@link QualityPredictor} that works on a prompt's embedding: it maps a vector (and the prompt's
 * text, for scorers that read it) to each model's predicted quality. The N-model counterpart of
 * {@link EmbeddingScorer}: evaluation scores cached embeddings, serving embeds then scores, with the same object;
 * {@link EmbeddingQualityPredictor#of} joins it with an {@link dev.routellm.embedding.Embedder}.
 *
 * <p>Implementations are immutable, thread-safe and deterministic.
 */
public interface EmbeddingQualityScorer {
  /** The predictor kind, as recorded in router files ({@code "quality-knn"}). */
  String kind();

  /** Length of the embeddings this scorer accepts. */
  int dimension();

  /** The models, in the order of {@link #predict}'s result; never empty, no duplicates. */
  List<String> models();

  /**
   * Each model's predicted quality, in [0, 1], in the order of {@link #models()}.
   *
   * @throws IllegalArgumentException when the embedding's length is not {@link #dimension()} or it holds a non-finite
   *     value
   */
  double[] predict(String prompt, float[] embedding);

  /** Predictions for many prompts and their embeddings, in order. The default predicts one at a time. */
  default double[][] predictAll(List<String> prompts, List<float[]> embeddings) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(embeddings, "embeddings");
    if (prompts.size() != embeddings.size()) {
      throw new IllegalArgumentException("need one embedding per prompt (" + prompts.size() + ") but got "
          + embeddings.size());
    }
    double[][] out = new double[prompts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = predict(prompts.get(i), embeddings.get(i));
    }
    return out;
  }

  /**
   * Adds this scorer's kind, models, parameters and weights to a router file being built, so that
   * {@link QualityPredictors#load} can rebuild it.
   */
  void exportTo(RouterFile.Builder file);
}
