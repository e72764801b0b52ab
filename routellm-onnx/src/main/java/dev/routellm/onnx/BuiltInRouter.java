package dev.routellm.onnx;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.prediction.WinRatePredictor;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A small learned router that ships inside this module, so a router works offline with no training: topic priors
 * learned from RouteLLM's per-question results of GPT-4 ({@code gpt-4-1106-preview}) and Mixtral-8x7B on MMLU and
 * GSM8K (MMLU's {@code high_school_mathematics} left out, as GPT-4's results there are broken), one centroid per topic
 * in the local MiniLM embedding space (88 kB), with a threshold calibrated for 50% strong calls on those prompts.
 *
 * <pre>{@code
 * try (BuiltInRouter topics = BuiltInRouter.topics()) {
 *   Router router = Router.builder().strong(strong).weak(weak)
 *       .predictor(topics.predictor()).threshold(topics.threshold())
 *       .costModel(prices).build();
 * }
 * }</pre>
 *
 * <p>It knows academic subjects and grade-school math, not your traffic: train one on your own prompts with
 * {@code routellm train} and calibrate its threshold with {@code routellm calibrate}. Regenerate this one with
 * {@code java -jar routellm-examples/target/routellm.jar train --benchmark mmlu --benchmark gsm8k --drop-group
 * high_school_mathematics --router topic-centroids --strong-share 0.5 --out
 * routellm-onnx/src/main/resources/dev/routellm/onnx/topics-router.safetensors}.
 *
 * <p>Thread-safe. Holds the MiniLM embedding model: {@link #close()} frees it (idempotent); the predictor must not be
 * used afterwards.
 */
public final class BuiltInRouter implements AutoCloseable {
  /** The router's name in decisions. */
  public static final String NAME = "topics";

  static final String RESOURCE = "topics-router.safetensors";

  private final OnnxEmbedder embedder;
  private final TrainedRouter trained;
  private final WinRatePredictor predictor;

  private BuiltInRouter(OnnxEmbedder embedder, TrainedRouter trained) {
    this.embedder = embedder;
    this.trained = trained;
    this.predictor = new Named(trained.predictor(), NAME);
  }

  /**
   * Loads the built-in topics router and its embedding model (MiniLM, quantized; about a second).
   *
   * @throws InvalidFileException when the router file is missing from the class path or malformed
   */
  public static BuiltInRouter topics() {
    RouterFile file = read();
    OnnxEmbedder embedder = OnnxEmbedder.allMiniLmL6V2();
    try {
      return new BuiltInRouter(embedder, TrainedRouter.load(file, embedder));
    } catch (RuntimeException e) {
      embedder.close();
      throw e;
    }
  }

  /**
   * The built-in router joined with an embedder of the caller's, which must give MiniLM's vectors (its id and
   * dimension are checked): for evaluations that cache embeddings with {@link dev.routellm.embedding.CachingEmbedder}.
   * The caller keeps ownership of the embedder.
   *
   * @throws dev.routellm.ConfigurationException when the embedder is not the one the router was trained with
   */
  public static TrainedRouter withEmbedder(dev.routellm.embedding.Embedder embedder) {
    java.util.Objects.requireNonNull(embedder, "embedder");
    return TrainedRouter.load(read(), embedder);
  }

  private static RouterFile read() {
    String name = "classpath:/dev/routellm/onnx/" + RESOURCE;
    try (InputStream in = BuiltInRouter.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw InvalidFileException.ofResource(name, "missing from the class path", null);
      }
      return RouterFile.read(in.readAllBytes(), name);
    } catch (IOException e) {
      throw InvalidFileException.ofResource(name, "cannot be read: " + e.getMessage(), e);
    }
  }

  /** Scores prompts (embeds them with MiniLM, then looks up the nearest topics); named {@value #NAME}. */
  public WinRatePredictor predictor() {
    return predictor;
  }

  /** The threshold calibrated for 50% strong calls on the training prompts. */
  public double threshold() {
    return trained.threshold().orElseThrow();
  }

  /** The strong model of the data it learned from ({@code gpt-4-1106-preview}). */
  public String strongModel() {
    return trained.strongModel();
  }

  /** The weak model of the data it learned from (Mixtral-8x7B-Instruct). */
  public String weakModel() {
    return trained.weakModel();
  }

  @Override
  public void close() {
    embedder.close();
  }

  /** The same scores under another name. */
  private record Named(WinRatePredictor delegate, String name) implements WinRatePredictor {
    @Override
    public double score(String prompt) {
      return delegate.score(prompt);
    }

    @Override
    public double[] scoreAll(List<String> prompts) {
      return delegate.scoreAll(prompts);
    }
  }
}
