package dev.routellm.examples.bench;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxEmbedder;
import java.util.List;
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
 * Quantized all-MiniLM-L6-v2, the same ONNX file and tokenizer, run by routellm-onnx ({@link OnnxEmbedder} with its
 * defaults) and by LangChain4j's own {@code AllMiniLmL6V2QuantizedEmbeddingModel} (its defaults), in the same run on
 * the same texts. Latency of one call (sample mode: p50, p99) for a 20-token and a 200-token prompt, and of one bulk
 * call on {@value BenchInputs#BATCH_SIZE} mixed texts (texts/s = 64 / mean time).
 *
 * <p>Note: LangChain4j keeps the 128-token limit written in the tokenizer file, so it embeds only the first 128 tokens
 * of the 200-token prompt; routellm-onnx embeds all of them (its limit for this model is 256).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true"})
public class EmbeddingBenchmark {
  @Param({"routellm", "langchain4j"})
  public String impl;

  private OnnxEmbedder routellm;
  private AllMiniLmL6V2QuantizedEmbeddingModel langchain4j;
  private List<TextSegment> segments;

  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    if (impl.equals("routellm")) {
      routellm =
          OnnxEmbedder.builder()
              .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
              .execution(BenchInputs.execution())
              .build();
    } else {
      OrtInit.onLargeStack();
      langchain4j = new AllMiniLmL6V2QuantizedEmbeddingModel();
      segments = BenchInputs.BATCH.stream().map(TextSegment::from).toList();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (routellm != null) {
      routellm.close();
    }
  }

  @Benchmark
  public float[] single20() {
    return routellm != null
        ? routellm.embed(BenchInputs.PROMPT_20)
        : langchain4j.embed(BenchInputs.PROMPT_20).content().vector();
  }

  @Benchmark
  public float[] single200() {
    return routellm != null
        ? routellm.embed(BenchInputs.PROMPT_200)
        : langchain4j.embed(BenchInputs.PROMPT_200).content().vector();
  }

  @Benchmark
  public Object batch64() {
    return routellm != null ? routellm.embedAll(BenchInputs.BATCH) : langchain4j.embedAll(segments).content();
  }
}
