package dev.routellm.embedding;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns text into a fixed-length vector. Implementations are thread-safe.
 *
 * <p>Predictors that work on embeddings record the embedder's {@link #id()} and {@link #dimension()} with their
 * weights and refuse to serve with a different one: vectors from two models are not comparable even when their
 * lengths agree.
 */
public interface Embedder extends AutoCloseable {
  /**
   * A stable identity of the model and its settings that change the vectors (for example
   * {@code "all-minilm-l6-v2-q/mean/l2/256"}); two embedders with the same id give the same vectors.
   */
  String id();

  /** Length of every vector this embedder returns. */
  int dimension();

  /** The embedding of one text. */
  float[] embed(String text);

  /**
   * Embeddings of many texts, in order. The default embeds one text at a time; implementations that batch override
   * it.
   */
  default List<float[]> embedAll(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    List<float[]> out = new ArrayList<>(texts.size());
    for (String text : texts) {
      out.add(embed(text));
    }
    return out;
  }

  /** Releases the embedder's own resources; idempotent. The default holds none. */
  @Override
  default void close() {}
}
