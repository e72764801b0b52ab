package dev.routellm.examples.cli;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.embedding.Embedder;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.prediction.WinRatePredictor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options that choose the win-rate predictor a command routes with, and its threshold. */
public final class PredictorOptions {
  /** The name of the small router trained by this project and shipped in the jar (see {@link #TOPICS_RESOURCE}). */
  static final String TOPICS = "topics";
  /**
   * A topic-centroids router trained on MMLU and GSM8K with MiniLM, regenerated with:
   * {@code java -jar routellm-examples/target/routellm.jar train --benchmark mmlu --benchmark gsm8k --drop-group
   * high_school_mathematics --router topic-centroids --strong-share 0.5 --out
   * routellm-examples/src/main/resources/dev/routellm/examples/topics-router.safetensors}.
   */
  static final String TOPICS_RESOURCE = "/dev/routellm/examples/topics-router.safetensors";

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

  /**
   * A predictor and the threshold to use with it. Closing it frees the local embedding model a learned router holds;
   * a command that ends the JVM may skip that.
   */
  record Loaded(WinRatePredictor predictor, double threshold, AutoCloseable resources) implements AutoCloseable {

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
    if ("random".equals(router)) {
      return new Loaded(RandomPredictor.withSeed(seed), threshold != null ? threshold : 0.5, () -> {});
    }
    RouterFile file = TOPICS.equals(router) ? topics() : readFile(Path.of(router));
    Embedder embedder = EmbedderOptions.Choice.forId(file.embedderId()).open();
    try {
      TrainedRouter trained = TrainedRouter.load(file, embedder);
      double t = threshold != null ? threshold : trained.threshold().orElseThrow(() -> new IllegalArgumentException(
          "router " + router + " has no calibrated threshold: pass --threshold or run 'routellm calibrate --write'"));
      WinRatePredictor predictor = TOPICS.equals(router) ? renamed(trained.predictor(), TOPICS) : trained.predictor();
      return new Loaded(predictor, t, embedder);
    } catch (RuntimeException e) {
      embedder.close();
      throw e;
    }
  }

  /** The same predictor under another name (the built-in router is a kNN over topic centroids, shown as "topics"). */
  private static WinRatePredictor renamed(WinRatePredictor p, String name) {
    return new WinRatePredictor() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public double score(String prompt) {
        return p.score(prompt);
      }

      @Override
      public double[] scoreAll(java.util.List<String> prompts) {
        return p.scoreAll(prompts);
      }
    };
  }

  private RouterFile readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--router must be 'random', '" + TOPICS + "' or a router file but '" + router
          + "' is none of these");
    }
    return RouterFile.read(file);
  }

  static RouterFile topics() {
    try (InputStream in = PredictorOptions.class.getResourceAsStream(TOPICS_RESOURCE)) {
      if (in == null) {
        throw InvalidFileException.ofResource(TOPICS_RESOURCE, "missing from the class path", null);
      }
      return RouterFile.read(in.readAllBytes(), "classpath:" + TOPICS_RESOURCE);
    } catch (IOException e) {
      throw InvalidFileException.ofResource(TOPICS_RESOURCE, "cannot be read: " + e.getMessage(), e);
    }
  }
}
