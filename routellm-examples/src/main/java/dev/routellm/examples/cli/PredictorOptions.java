package dev.routellm.examples.cli;

import dev.routellm.checkpoint.RouterFile;
import dev.routellm.embedding.Embedder;
import dev.routellm.onnx.BuiltInRouter;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.prediction.WinRatePredictor;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options that choose the win-rate predictor a command routes with, and its threshold. */
public final class PredictorOptions {
  /** The small router trained by this project and shipped in routellm-onnx ({@link BuiltInRouter}). */
  static final String TOPICS = BuiltInRouter.NAME;

  @Option(names = "--router", paramLabel = "NAME|FILE", defaultValue = TOPICS,
      description = "Predictor: 'random' (seeded), '" + TOPICS + "' (a small learned router shipped in the jar, topic"
          + " priors of MMLU and GSM8K, local MiniLM embeddings), or a router file from 'routellm train'"
          + " (default: ${DEFAULT-VALUE}).")
  String router;

  @Option(names = "--threshold", paramLabel = "T",
      description = "Prompts scoring at or above T go to the strong model (default: the router's calibrated"
          + " threshold; 0.5 for 'random').")
  Double threshold;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the random router (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--pair-mismatch", defaultValue = "warn", paramLabel = "warn|fail",
      description = "When a router file trained for one model pair routes between other models: print one warning"
          + " line, or fail with exit code 2 (default: ${DEFAULT-VALUE}).")
  String pairMismatch;

  /**
   * A predictor and the threshold to use with it. Closing it frees the local embedding model a learned router holds;
   * a command that ends the JVM may skip that.
   */
  record Loaded(WinRatePredictor predictor, double threshold, AutoCloseable resources, TrainedRouter trained,
      boolean failOnMismatch) implements AutoCloseable {

    Loaded(WinRatePredictor predictor, double threshold, AutoCloseable resources) {
      this(predictor, threshold, resources, null, false);
    }

    /**
     * Checks a router file's model pair against the models it will route between: one warning line on {@code err},
     * or an error under {@code --pair-mismatch fail}. Built-in routers have no pair to check.
     */
    void checkModels(String strong, String weak, java.io.PrintWriter err) {
      if (trained == null) {
        return;
      }
      trained.modelMismatch(strong, weak).ifPresent(m -> {
        if (failOnMismatch) {
          throw new IllegalArgumentException("--pair-mismatch fail: " + m);
        }
        err.println("routellm: warning: " + m + " (--pair-mismatch fail makes it an error)");
        err.flush();
      });
    }

    @Override
    public void close() {
      try {
        resources.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot free the router's embedding model", e);
      }
    }
  }

  Loaded load() {
    if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("--threshold must be in [0, 1] but was " + threshold);
    }
    if (!"warn".equals(pairMismatch) && !"fail".equals(pairMismatch)) {
      throw new IllegalArgumentException("--pair-mismatch must be 'warn' or 'fail' but was '" + pairMismatch + "'");
    }
    if ("random".equals(router)) {
      return new Loaded(RandomPredictor.withSeed(seed), threshold != null ? threshold : 0.5, () -> {});
    }
    if (TOPICS.equals(router)) {
      BuiltInRouter topics = BuiltInRouter.topics();
      return new Loaded(topics.predictor(), threshold != null ? threshold : topics.threshold(), topics);
    }
    RouterFile file = readFile(Path.of(router));
    Embedder embedder = EmbedderOptions.Choice.forId(file.embedderId()).open();
    try {
      TrainedRouter trained = TrainedRouter.load(file, embedder);
      double t = threshold != null ? threshold : trained.threshold().orElseThrow(() -> new IllegalArgumentException(
          "router " + router + " has no calibrated threshold: pass --threshold or run 'routellm calibrate --write'"));
      return new Loaded(trained.predictor(), t, embedder, trained, "fail".equals(pairMismatch));
    } catch (RuntimeException e) {
      embedder.close();
      throw e;
    }
  }

  private RouterFile readFile(Path file) {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("--router: " + router + " is a directory, not a router file");
    }
    if (!Files.exists(file)) {
      boolean pathLike = router.contains("/") || router.contains(java.io.File.separator) || router.contains(".");
      throw new IllegalArgumentException(pathLike
          ? "--router: no such file " + router + " (the built-in routers are 'random' and '" + TOPICS + "')"
          : "--router must be 'random', '" + TOPICS + "' or a router file but '" + router + "' is neither a"
              + " built-in name nor an existing file");
    }
    return RouterFile.read(file);
  }
}
