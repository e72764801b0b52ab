package dev.routellm.examples.bench;

import dev.routellm.embedding.BatchingEmbedder;
import dev.routellm.embedding.Embedder;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxEmbedder;
import dev.routellm.onnx.StaticTokenEmbedder;
import java.nio.file.Path;
import dev.routellm.prediction.EmbeddingPredictor;
import dev.routellm.prediction.NearestNeighbors;
import dev.routellm.prediction.WinRatePredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A complete local routing decision for a 20-token prompt: embed with the quantized MiniLM, score with a kNN router
 * over a training set the size of MMLU's folds (11,230 prompts; random vectors, as the cost does not depend on them),
 * compare with the threshold. Run it with 1, 2 and more client threads to see latency (p50, p99) and throughput under
 * concurrent load on this machine's cores:
 *
 * <pre>
 * java -cp routellm-examples/target/routellm.jar org.openjdk.jmh.Main DecisionBenchmark -t 1 -bm sample,thrpt
 * java -cp routellm-examples/target/routellm.jar org.openjdk.jmh.Main DecisionBenchmark -t 4 -bm sample,thrpt
 * </pre>
 *
 * <p>{@code -jvmArgsAppend -Droutellm.bench.soloIntraOpThreads=1} runs MiniLM without its solo lane (every inference
 * on one thread), for a side-by-side comparison.
 *
 * {@code embedder=minilm} runs each request alone; {@code minilm-batched} micro-batches concurrent requests
 * ({@link BatchingEmbedder}, up to 8 texts, 2 batches at a time); {@code minilm-static} uses MiniLM's distilled
 * static token embeddings ({@link StaticTokenEmbedder}), no transformer at all.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class DecisionBenchmark {
  /** The prompt: 20 WordPiece tokens. */
  public static final String PROMPT_20 =
      "What is the capital city of France, and why did it become the political center of the country?";

  @Param({"minilm", "minilm-batched", "minilm-static"})
  public String embedder;

  /** Where the static table is kept between runs (distilled on the first, about a minute). */
  @Param({".cache/static-embeddings/all-minilm-l6-v2-q.safetensors"})
  public String staticTable;

  private Embedder model;
  private WinRatePredictor predictor;

  @Setup(Level.Trial)
  public void setUp() {
    model = embedder.equals("minilm-static")
        ? StaticTokenEmbedder.of(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q, Path.of(staticTable))
        : OnnxEmbedder.builder()
            .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
            .execution(BenchInputs.execution())
            .build();
    Embedder e = embedder.equals("minilm-batched") ? BatchingEmbedder.of(model, 8, 2) : model;
    Random r = new Random(1);
    List<float[]> train = new ArrayList<>();
    double[] targets = new double[11_230];
    for (int i = 0; i < targets.length; i++) {
      float[] v = new float[model.dimension()];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) r.nextGaussian();
      }
      train.add(v);
      targets[i] = r.nextDouble();
    }
    predictor = EmbeddingPredictor.of(e, NearestNeighbors.fit(train, targets, NearestNeighbors.DEFAULT_K));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
  }

  @Benchmark
  public boolean decide() {
    return predictor.score(PROMPT_20) >= 0.5;
  }
}
