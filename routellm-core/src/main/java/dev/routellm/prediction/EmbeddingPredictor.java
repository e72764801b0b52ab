package dev.routellm.prediction;

import dev.routellm.ConfigurationException;
import dev.routellm.embedding.Embedder;
import java.util.List;
import java.util.Objects;

/**
 * A {@link WinRatePredictor} made of an {@link Embedder} and an {@link EmbeddingScorer}: it embeds the prompt, then
 * scores the vector. {@link #scoreAll} embeds the whole batch first, so batching embedders batch.
 *
 * <p>Thread-safe when its embedder is (every library embedder is). It does not own the embedder and never closes it.
 */
public final class EmbeddingPredictor implements WinRatePredictor {
  private final Embedder embedder;
  private final EmbeddingScorer scorer;

  private EmbeddingPredictor(Embedder embedder, EmbeddingScorer scorer) {
    this.embedder = embedder;
    this.scorer = scorer;
  }

  /**
   * Joins an embedder and a scorer.
   *
   * @throws ConfigurationException when the embedder's dimension differs from the scorer's
   */
  public static EmbeddingPredictor of(Embedder embedder, EmbeddingScorer scorer) {
    Objects.requireNonNull(embedder, "embedder");
    Objects.requireNonNull(scorer, "scorer");
    if (embedder.dimension() != scorer.dimension()) {
      throw new ConfigurationException("embedder '" + embedder.id() + "' gives " + embedder.dimension()
          + "-dimensional vectors but the " + scorer.kind() + " scorer expects " + scorer.dimension());
    }
    return new EmbeddingPredictor(embedder, scorer);
  }

  @Override
  public String name() {
    return scorer.kind();
  }

  @Override
  public double score(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    return scorer.score(prompt, embedder.embed(prompt));
  }

  @Override
  public double[] scoreAll(List<String> prompts) {
    Objects.requireNonNull(prompts, "prompts");
    return scorer.scoreAll(prompts, embedder.embedAll(prompts));
  }

  /** The embedder. */
  public Embedder embedder() {
    return embedder;
  }

  /** The scorer. */
  public EmbeddingScorer scorer() {
    return scorer;
  }

  @Override
  public String toString() {
    return "EmbeddingPredictor{" + scorer.kind() + ", embedder=" + embedder.id() + "}";
  }
}
