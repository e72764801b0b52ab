package dev.routellm.examples.cli;

import dev.routellm.embedding.CachingEmbedder;
import dev.routellm.embedding.Embedder;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxEmbedder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The {@code --embedder} and {@code --cache} options: which local embedding model learned routers use, and where
 * its vectors are cached on disk (so that a second run, or the next fold, embeds nothing).
 */
public final class EmbedderOptions {
  /** Where vectors are cached unless {@code --cache} says otherwise. */
  static final String DEFAULT_CACHE = ".cache/embeddings";

  /** The built-in embedders by their option name. */
  enum Choice {
    MINILM(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q),
    BGE(BuiltInEmbeddingModel.BGE_SMALL_EN_V15_Q);

    final BuiltInEmbeddingModel model;

    Choice(BuiltInEmbeddingModel model) {
      this.model = model;
    }

    String optionName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Choice of(String name) {
      for (Choice c : values()) {
        if (c.optionName().equals(name)) {
          return c;
        }
      }
      throw new IllegalArgumentException("--embedder must be one of " + names() + " but was '" + name + "'");
    }

    /** The built-in embedder whose vectors carry this id, if any. */
    static Choice forId(String embedderId) {
      for (Choice c : values()) {
        if (embedderId.startsWith(c.model.modelName() + "/")) {
          return c;
        }
      }
      throw new IllegalArgumentException("the router was trained with embedder '" + embedderId + "', which is none"
          + " of the built-in ones (" + names() + "); load it from Java with that embedder");
    }

    /** The embedding model alone, without cache (for serving). Close it when done. */
    OnnxEmbedder open() {
      return OnnxEmbedder.builder().builtIn(model).build();
    }

    static List<String> names() {
      return Arrays.stream(values()).map(Choice::optionName).toList();
    }
  }

  @Option(names = "--embedder", defaultValue = "minilm", paramLabel = "minilm|bge",
      description = "Local embedding model: minilm (all-MiniLM-L6-v2, quantized, fastest) or bge (bge-small-en-v1.5,"
          + " quantized) (default: ${DEFAULT-VALUE}).")
  String embedder;

  @Option(names = "--cache", defaultValue = DEFAULT_CACHE, paramLabel = "DIR|none",
      description = "Directory caching embeddings on disk, keyed by model and text; 'none' disables it"
          + " (default: ${DEFAULT-VALUE}).")
  String cache;

  /** The embedder the options choose, with its cache. Close it when done. */
  Opened open() {
    return open(Choice.of(embedder));
  }

  /** The built-in embedder that made vectors with this id, with the cache the options choose. */
  Opened openForId(String embedderId) {
    return open(Choice.forId(embedderId));
  }

  private Opened open(Choice choice) {
    OnnxEmbedder model = choice.open();
    if ("none".equals(cache)) {
      return new Opened(model, model, null);
    }
    try {
      CachingEmbedder cached = CachingEmbedder.open(model, Path.of(cache));
      return new Opened(cached, model, cached);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** An open embedder and what must be closed with it. */
  record Opened(Embedder embedder, OnnxEmbedder model, CachingEmbedder cache) implements AutoCloseable {
    @Override
    public void close() {
      try {
        if (cache != null) {
          cache.close();
        }
      } finally {
        model.close();
      }
    }
  }
}
