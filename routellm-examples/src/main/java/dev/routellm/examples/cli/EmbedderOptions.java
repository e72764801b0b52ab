package dev.routellm.examples.cli;

import dev.routellm.embedding.CachingEmbedder;
import dev.routellm.embedding.Embedder;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxEmbedder;
import dev.routellm.onnx.StaticTokenEmbedder;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The {@code --embedder} and {@code --cache} options: which local embedding model learned routers use, and where
 * its vectors are cached on disk (so that a second run, or the next fold, embeds nothing).
 */
public final class EmbedderOptions {
  /** Where vectors are cached unless {@code --cache} says otherwise. */
  static final String DEFAULT_CACHE = ".cache/embeddings";
  /** Where distilled static token tables are kept. */
  static final String STATIC_TABLES = ".cache/static-embeddings";
  /** How the ids of static token embedders end. */
  static final String STATIC_SUFFIX = "/static";

  /** The built-in embedders by their option name. */
  enum Choice {
    MINILM(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q, false),
    BGE(BuiltInEmbeddingModel.BGE_SMALL_EN_V15_Q, false),
    /** MiniLM's static token embeddings ({@link StaticTokenEmbedder}): no transformer at embedding time. */
    MINILM_STATIC(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q, true);

    final BuiltInEmbeddingModel model;
    final boolean isStatic;

    Choice(BuiltInEmbeddingModel model, boolean isStatic) {
      this.model = model;
      this.isStatic = isStatic;
    }

    String optionName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
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
        if (embedderId.startsWith(c.model.modelName() + "/") && c.isStatic == embedderId.endsWith(STATIC_SUFFIX)) {
          return c;
        }
      }
      throw new IllegalArgumentException("the router was trained with embedder '" + embedderId + "', which is none"
          + " of the built-in ones (" + names() + "); load it from Java with that embedder");
    }

    /**
     * The embedding model alone, without cache (for serving). Close it when done. A static embedder distils its
     * table into {@link #STATIC_TABLES} on first use (about a minute).
     */
    Embedder open() {
      if (isStatic) {
        return StaticTokenEmbedder.of(model, Path.of(STATIC_TABLES, model.modelName() + ".safetensors"));
      }
      return OnnxEmbedder.builder().builtIn(model).build();
    }

    static List<String> names() {
      return Arrays.stream(values()).map(Choice::optionName).toList();
    }
  }

  /** Rejects an unknown {@code --embedder} name while parsing, whether or not the command ends up embedding. */
  static final class NameCheck implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        return Choice.of(value).optionName();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "expected one of " + Choice.names() + " but was '" + value + "'");
      }
    }
  }

  @Option(names = "--embedder", defaultValue = "minilm", paramLabel = "minilm|bge|minilm-static",
      converter = NameCheck.class,
      description = "Local embedding model: minilm (all-MiniLM-L6-v2, quantized), bge (bge-small-en-v1.5, quantized)"
          + " or minilm-static (MiniLM's token vectors averaged: no transformer at run time, about 100x faster,"
          + " somewhat less accurate) (default: ${DEFAULT-VALUE}; with a router file, the one it was trained with, and"
          + " another is an error).")
  String embedder;

  @Option(names = "--cache", defaultValue = DEFAULT_CACHE, paramLabel = "DIR|none",
      description = "Directory caching embeddings on disk, keyed by model and text; 'none' disables it"
          + " (default: ${DEFAULT-VALUE}).")
  String cache;

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandSpec spec;

  /**
   * One warning line when {@code --embedder} was given but the command embedded nothing (the router needs no
   * embeddings), so an option that had no effect is not mistaken for one that did.
   */
  void warnIfUnused(boolean used, String why, java.io.PrintWriter err) {
    if (!used && spec != null && spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().hasMatchedOption("--embedder")) {
      err.println("routellm: warning: --embedder " + embedder + " had no effect: " + why);
      err.flush();
    }
  }

  /** The embedder the options choose, with its cache. Close it when done. */
  Opened open() {
    return open(Choice.of(embedder));
  }

  /**
   * The built-in embedder that made the vectors of {@code source} (a router file), whose embedder id is {@code
   * embedderId}, with the cache the options choose.
   *
   * @throws IllegalArgumentException when {@code --embedder} was given and names another embedder
   */
  Opened openForId(String embedderId, Object source) {
    Choice trained = Choice.forId(embedderId);
    if (spec != null && spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().hasMatchedOption("--embedder")) {
      Choice given = Choice.of(embedder);
      if (given != trained) {
        throw new IllegalArgumentException("--embedder " + given.optionName() + " does not match " + source
            + ", which was trained with " + trained.optionName() + " ('" + embedderId + "'); vectors of different"
            + " embedders are not comparable: leave --embedder out or retrain with --embedder "
            + given.optionName());
      }
    }
    return open(trained);
  }

  private Opened open(Choice choice) {
    Path cacheDir = cacheDirectory();
    Embedder model = choice.open();
    if (cacheDir == null) {
      return new Opened(model, model, null);
    }
    try {
      CachingEmbedder cached = CachingEmbedder.open(model, cacheDir);
      return new Opened(cached, model, cached);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** The cache directory, created if need be; null for 'none'. */
  private Path cacheDirectory() {
    if ("none".equals(cache)) {
      return null;
    }
    try {
      Path dir = Path.of(cache);
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new IllegalArgumentException("--cache: " + cache + " is a file, not a directory");
      }
      Files.createDirectories(dir);
      return dir;
    } catch (InvalidPathException | IOException e) {
      throw new IllegalArgumentException("--cache: cannot create the directory " + cache + " (" + why(e) + ")");
    }
  }

  private static String why(Exception e) {
    if (e instanceof AccessDeniedException a) {
      return "permission denied on " + a.getFile();
    }
    if (e instanceof NoSuchFileException n) {
      return "no such file or directory: " + n.getFile();
    }
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " exists and is not a directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason() + (f.getFile() == null ? "" : ": " + f.getFile());
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** An open embedder and what must be closed with it. */
  record Opened(Embedder embedder, Embedder model, CachingEmbedder cache) implements AutoCloseable {
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
