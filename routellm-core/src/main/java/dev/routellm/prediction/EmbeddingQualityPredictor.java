package dev.routellm.prediction;

import dev.routellm.ConfigurationException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.embedding.Embedder;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A {@link QualityPredictor} made of an {@link Embedder} and an {@link EmbeddingQualityScorer}: it embeds the prompt,
 * then scores the vector. {@link #predictAll} embeds the whole batch first, so batching embedders batch.
 *
 * <p>Thread-safe when its embedder is (every library embedder is). It does not own the embedder and never closes it.
 */
public final class EmbeddingQualityPredictor implements QualityPredictor {
  private final Embedder embedder;
  private final EmbeddingQualityScorer scorer;
  private final String name;

  private EmbeddingQualityPredictor(Embedder embedder, EmbeddingQualityScorer scorer, String name) {
    this.embedder = embedder;
    this.scorer = scorer;
    this.name = name;
  }

  /**
   * Joins an embedder and a scorer; named after the scorer's kind.
   *
   * @throws ConfigurationException when the embedder's dimension differs from the scorer's
   */
  public static EmbeddingQualityPredictor of(Embedder embedder, EmbeddingQualityScorer scorer) {
    Objects.requireNonNull(embedder, "embedder");
    Objects.requireNonNull(scorer, "scorer");
    if (embedder.dimension() != scorer.dimension()) {
      throw new ConfigurationException("embedder '" + embedder.id() + "' gives " + embedder.dimension()
          + "-dimensional vectors but the " + scorer.kind() + " scorer expects " + scorer.dimension());
    }
    return new EmbeddingQualityPredictor(embedder, scorer, scorer.kind());
  }

  /**
   * The same predictor under another display name.
   *
   * @throws IllegalArgumentException when {@code name} is blank
   */
  public EmbeddingQualityPredictor named(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    return new EmbeddingQualityPredictor(embedder, scorer, name);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> models() {
    return scorer.models();
  }

  @Override
  public double[] predict(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    return scorer.predict(prompt, embedder.embed(prompt));
  }

  @Override
  public double[][] predictAll(List<String> prompts) {
    Objects.requireNonNull(prompts, "prompts");
    return scorer.predictAll(prompts, embedder.embedAll(prompts));
  }

  /** The embedder (owned by the caller). */
  public Embedder embedder() {
    return embedder;
  }

  /** The scorer. */
  public EmbeddingQualityScorer scorer() {
    return scorer;
  }

  /** The router file's content: the scorer, the embedder's id and dimension, the models and the name. */
  public RouterFile toRouterFile() {
    RouterFile.Builder b = RouterFile.builder().embedder(embedder.id(), embedder.dimension()).pool(models());
    scorer.exportTo(b);
    if (!name.equals(scorer.kind())) {
      b.name(name);
    }
    return b.build();
  }

  /** Saves the router file; {@link QualityPredictors#load(Path, Embedder)} reads it back. */
  public void save(Path file) {
    toRouterFile().write(Objects.requireNonNull(file, "file"));
  }

  @Override
  public String toString() {
    return "EmbeddingQualityPredictor{" + name + ", embedder=" + embedder.id() + ", models=" + models().size() + "}";
  }
}
