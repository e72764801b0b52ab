package dev.routellm.prediction;

import dev.routellm.checkpoint.RouterFile;
import java.util.List;
import java.util.Objects;

/**
 * The part of a predictor that works on a prompt's embedding: it maps a vector to the strong model's win rate.
 * Splitting it from the {@link dev.routellm.embedding.Embedder} lets evaluation score cached embeddings while serving
 * embeds then scores, with the same object; {@link EmbeddingPredictor#of} joins the two into a
 * {@link WinRatePredictor}.
 *
 * <p>Implementations are immutable, thread-safe and deterministic. Vectors need not be unit length: scorers that
 * compare by cosine normalise them.
 */
public interface EmbeddingScorer {
  /** The predictor kind, as recorded in router files and shown in decisions ({@code "mf"}, {@code "knn"}, ...). */
  String kind();

  /** Length of the embeddings this scorer accepts. */
  int dimension();

  /**
   * The strong model's win rate, in [0, 1], for a prompt with this embedding.
   *
   * @throws IllegalArgumentException when the embedding's length is not {@link #dimension()} or it holds a non-finite
   *     value
   */
  double score(float[] embedding);

  /**
   * The win rate for a prompt and its embedding. Scorers that read the text as well (its length, say) override this;
   * the default ignores the text.
   */
  default double score(String prompt, float[] embedding) {
    Objects.requireNonNull(prompt, "prompt");
    return score(embedding);
  }

  /** Scores of many prompts and their embeddings, in order. The default scores one at a time. */
  default double[] scoreAll(List<String> prompts, List<float[]> embeddings) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(embeddings, "embeddings");
    if (prompts.size() != embeddings.size()) {
      throw new IllegalArgumentException("need one embedding per prompt (" + prompts.size() + ") but got "
          + embeddings.size());
    }
    double[] out = new double[prompts.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = score(prompts.get(i), embeddings.get(i));
    }
    return out;
  }

  /** Scores of many embeddings, in order. The default scores one at a time. */
  default double[] scoreAll(List<float[]> embeddings) {
    Objects.requireNonNull(embeddings, "embeddings");
    double[] out = new double[embeddings.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = score(embeddings.get(i));
    }
    return out;
  }

  /**
   * Adds this scorer's kind, parameters and weights to a router file being built, so that
   * {@link TrainedRouter#load(java.nio.file.Path, dev.routellm.embedding.Embedder)} can rebuild it.
   */
  void exportTo(RouterFile.Builder file);
}
