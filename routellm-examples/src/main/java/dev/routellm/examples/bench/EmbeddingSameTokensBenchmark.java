package dev.routellm.examples.bench;

import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxEmbedder;
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
 * routellm-onnx cut at 128 tokens: the same work LangChain4j does in {@link EmbeddingBenchmark} (it keeps the
 * tokenizer file's 128-token limit), so that the 200-token prompt and the bulk call compare like for like.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true"})
public class EmbeddingSameTokensBenchmark {
  private OnnxEmbedder routellm;

  @Setup(Level.Trial)
  public void setUp() {
    routellm =
        OnnxEmbedder.builder()
            .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
            .maxLength(128)
            .execution(BenchInputs.execution())
            .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    routellm.close();
  }

  @Benchmark
  public float[] single200() {
    return routellm.embed(BenchInputs.PROMPT_200);
  }

  @Benchmark
  public Object batch64() {
    return routellm.embedAll(BenchInputs.BATCH);
  }
}
