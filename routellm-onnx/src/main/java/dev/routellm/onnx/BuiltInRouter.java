package dev.routellm.onnx;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.prediction.WinRatePredictor;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small learned router that ships inside this module, so a router works offline with no training. It predicts how
 * hard a prompt is: a ridge regression ({@link dev.routellm.prediction.LinearRegressionScorer}, 2 kB) on the local
 * MiniLM embedding and the prompt's length, fitted to the share of models that fail each of 23,564 benchmark
 * questions: RouteLLM's MMLU, GSM8K and MT-Bench (GPT-4 and Mixtral), ZeroEval's GSM8K and MATH level 5 (41 and 38
 * models) and LLMRouter's 14 tasks (9 open models), each source weighing the same. Its threshold sends half of a
 * sample of every source to the strong model. The name {@value #NAME} is historical: it no longer looks topics up.
 *
 * <pre>{@code
 * try (BuiltInRouter builtIn = BuiltInRouter.topics()) {
 *   Router router = Router.builder().strong(strong).weak(weak)
 *       .predictor(builtIn.predictor()).threshold(builtIn.threshold())
 *       .costModel(prices).build();
 * }
 * }</pre>
 *
 * <p>It has never seen your traffic, and on a benchmark left out of its training it is barely better than random
 * routing (APGR 0.52 on average over 17 held-out sources, random 0.50; BENCHMARKS.md). A router that knows your traffic
 * comes from your traffic: capture it ({@code routellm serve --traffic-log}, or {@link dev.routellm.traffic.TrafficLog}),
 * label it ({@code routellm label}) and train on it ({@code routellm train}). Regenerate this one with
 * {@code java -cp routellm-examples/target/routellm.jar dev.routellm.examples.bench.BuiltInRouterBenchmark --write
 * routellm-onnx/src/main/resources/dev/routellm/onnx/topics-router.safetensors}.
 *
 * <p>For pools of more than two models, {@link #qualityPredictor(List)} gives the built-in N-way quality predictor
 * ({@link BuiltInQualityPredictor}): one calibration curve per well-known model over this router's difficulty score.
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

  static RouterFile read() {
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

  /** Scores prompts (embeds them with MiniLM, then predicts their difficulty); named {@value #NAME}. */
  public WinRatePredictor predictor() {
    return predictor;
  }

  /**
   * The built-in N-way quality predictor ({@link BuiltInQualityPredictor}) for a pool of well-known models, on this
   * router's difficulty score and embedder: names as known to it or common short names ({@code gpt-4o},
   * {@code llama-3.1-8b}), in any case. The predictor's {@link BuiltInQualityPredictor#models()} are the names as
   * given, so they match the pool's. Valid until this router is closed.
   *
   * <pre>{@code
   * QualityPredictor quality = builtIn.qualityPredictor(List.of("gpt-4o", "gpt-4o-mini", "llama-3-8b"));
   * RoutingPolicy policy = RoutingPolicy.qualityCost(quality, 0.1);
   * }</pre>
   *
   * @throws dev.routellm.ConfigurationException when a model is unknown; the message lists the known names
   * @throws IllegalArgumentException when {@code models} is empty, has a blank name or a duplicate
   */
  public BuiltInQualityPredictor qualityPredictor(List<String> models) {
    return BuiltInQualityPredictor.forModels(predictor, BuiltInQualityPredictor.identity(models));
  }

  /**
   * The built-in N-way quality predictor for models of yours that are known models under another name: each pool
   * name (a local server's {@code llama3.1:8b}) mapped to the known model it is ({@code llama-3.1-8b-instruct}). The
   * predictor's models are the map's keys, in its iteration order.
   *
   * @throws dev.routellm.ConfigurationException when a mapped-to model is unknown; the message lists the known names
   * @throws IllegalArgumentException when {@code models} is empty or a name is blank
   */
  public BuiltInQualityPredictor qualityPredictor(Map<String, String> models) {
    BuiltInQualityPredictor.identity(new java.util.ArrayList<>(Objects.requireNonNull(models, "models").keySet()));
    return BuiltInQualityPredictor.forModels(predictor, models);
  }

  /** The threshold calibrated for 50% strong calls on a sample of every training source. */
  public double threshold() {
    return trained.threshold().orElseThrow();
  }

  /** {@code "strong"}: it learned from many models, not one pair. */
  public String strongModel() {
    return trained.strongModel();
  }

  /** {@code "weak"}: it learned from many models, not one pair. */
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
