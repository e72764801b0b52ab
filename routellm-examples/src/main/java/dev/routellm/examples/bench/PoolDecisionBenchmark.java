package dev.routellm.examples.bench;

import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.cost.CostModel;
import dev.routellm.embedding.Embedder;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxEmbedder;
import dev.routellm.prediction.EmbeddingPredictor;
import dev.routellm.prediction.EmbeddingQualityPredictor;
import dev.routellm.prediction.NearestNeighbors;
import dev.routellm.prediction.QualityNeighbors;
import dev.routellm.routing.ModelPool;
import dev.routellm.routing.PoolModel;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import dev.routellm.routing.RoutingPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A complete N-way routing decision through {@link Router#route}: embed a 20-token prompt with the quantized MiniLM,
 * predict the quality of each of 20 models with a kNN over per-model outcomes ({@link QualityNeighbors}, 11,230
 * training prompts as in {@link DecisionBenchmark}; random vectors and outcomes, as the cost does not depend on
 * them), estimate each model's cost, and pick the best predicted quality less lambda times relative cost
 * ({@link RoutingPolicy#qualityCost}). Beside it, in the same run, today's two-model decision through the same router
 * ({@code strong(..).weak(..).predictor(kNN).threshold(..)}), with the same embedder and training-set size. No model
 * is called.
 *
 * <pre>
 * java -cp routellm-examples/target/routellm.jar org.openjdk.jmh.Main 'PoolDecisionBenchmark' -t 1 -bm sample
 * java -cp routellm-examples/target/routellm.jar org.openjdk.jmh.Main 'PoolDecisionBenchmark' -t 2 -bm sample
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class PoolDecisionBenchmark {
  /** Models in the pool. */
  public static final int POOL_SIZE = 20;
  /** Training prompts of the kNN (an MMLU fold's size, as {@link DecisionBenchmark}). */
  public static final int TRAINING_PROMPTS = 11_230;

  private static final ChatRequest REQUEST = ChatRequest.of(DecisionBenchmark.PROMPT_20);

  private Embedder embedder;
  private Router pool;
  private Router twoModels;

  @Setup(Level.Trial)
  public void setUp() {
    embedder = OnnxEmbedder.builder()
        .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
        .execution(BenchInputs.execution())
        .build();
    Random r = new Random(1);
    List<float[]> train = new ArrayList<>(TRAINING_PROMPTS);
    double[][] outcomes = new double[TRAINING_PROMPTS][POOL_SIZE];
    double[] winRates = new double[TRAINING_PROMPTS];
    for (int i = 0; i < TRAINING_PROMPTS; i++) {
      float[] v = new float[embedder.dimension()];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) r.nextGaussian();
      }
      train.add(v);
      for (int m = 0; m < POOL_SIZE; m++) {
        outcomes[i][m] = r.nextBoolean() ? 1 : 0;
      }
      winRates[i] = r.nextDouble();
    }
    ModelPool.Builder models = ModelPool.builder();
    List<String> names = new ArrayList<>();
    for (int m = 0; m < POOL_SIZE; m++) {
      String name = "model-" + m;
      names.add(name);
      double price = 0.1 * (m + 1); // $0.1 to $2 per million input tokens, four times that for output
      models.model(PoolModel.builder(new Unused(name)).price(price, 4 * price).build());
    }
    QualityNeighbors scorer = QualityNeighbors.fit(names, train, outcomes, QualityNeighbors.DEFAULT_K,
        QualityNeighbors.DEFAULT_PRIOR_WEIGHT);
    pool = Router.builder().pool(models.build())
        .policy(RoutingPolicy.qualityCost(EmbeddingQualityPredictor.of(embedder, scorer), 0.1))
        .build();
    twoModels = Router.builder()
        .strong(new Unused("strong")).weak(new Unused("weak"))
        .predictor(EmbeddingPredictor.of(embedder, NearestNeighbors.fit(train, winRates, NearestNeighbors.DEFAULT_K)))
        .threshold(0.5)
        .costModel(CostModel.builder().price("strong", 2.5, 10).price("weak", 0.15, 0.6).build())
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    embedder.close();
  }

  /** The N-way decision: embed, predict 20 qualities, estimate 20 costs, choose. */
  @Benchmark
  public RoutingDecision pool20() {
    return pool.route(REQUEST);
  }

  /** Today's two-model decision: embed, score one win rate, compare with the threshold. */
  @Benchmark
  public RoutingDecision twoModels() {
    return twoModels.route(REQUEST);
  }

  /** A backend that is never called: {@link Router#route} decides without calling a model. */
  record Unused(String model) implements ModelBackend {
    @Override
    public Capabilities capabilities() {
      return Capabilities.ALL;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      throw new UnsupportedOperationException("the decision benchmark calls no model");
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      throw new UnsupportedOperationException("the decision benchmark calls no model");
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      throw new UnsupportedOperationException("the decision benchmark calls no model");
    }

    @Override
    public void close() {}
  }
}
