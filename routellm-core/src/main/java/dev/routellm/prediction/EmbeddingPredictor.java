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
  private final String name;

  private EmbeddingPredictor(Embedder embedder, EmbeddingScorer scorer, String name) {
    this.embedder = embedder;
    this.scorer = scorer;
    this.name = name;
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
    return new EmbeddingPredictor(embedder, scorer, scorer.kind());
  }

  /**
   * The same predictor under another display name, such as the learner that trained the scorer ({@code
   * "knn-groups"}) where the scorer's kind ({@code "knn"}) says less.
   *
   * @throws IllegalArgumentException when {@code name} is blank
   */
  public EmbeddingPredictor named(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    return new EmbeddingPredictor(embedder, scorer, name);
  }

  /** The display name: the scorer's kind unless {@link #named} chose another. */
  @Override
  public String name() {
    return name;
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
    return "EmbeddingPredictor{" + name + ", embedder=" + embedder.id() + "}";
  }
}
