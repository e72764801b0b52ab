package dev.routellm.examples.bench;

import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxClassifierPredictor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The classifier router ({@link OnnxClassifierPredictor}, defaults: 512 tokens, one prompt per run) on a BERT-sized
 * sequence classifier: quantized all-MiniLM-L6-v2 (6 layers, 384 hidden) with a 3-label head appended (see {@code
 * src/main/python/make_bench_classifier_head.py}). RouteLLM's own BERT router is an XLM-R base model (12 layers, 768
 * hidden, float32), several times this cost per token.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true"})
public class ClassifierBenchmark {
  static final String HEAD_RESOURCE = "bench/minilm-classifier-head.onnxpart";

  private Path directory;
  private OnnxClassifierPredictor classifier;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    directory = writeMiniLmClassifier();
    classifier =
        OnnxClassifierPredictor.builder()
            .modelDirectory(directory)
            .name("minilm-classifier")
            .execution(BenchInputs.execution())
            .build();
  }

  /** Writes MiniLM's model bytes followed by the head's (protobuf merges them) and its tokenizer into a directory. */
  static Path writeMiniLmClassifier() throws IOException {
    BuiltInEmbeddingModel minilm = BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q;
    Path dir = Files.createTempDirectory("routellm-bench-classifier");
    byte[] model = resource(minilm.modelResource());
    byte[] head = resource(HEAD_RESOURCE);
    byte[] merged = new byte[model.length + head.length];
    System.arraycopy(model, 0, merged, 0, model.length);
    System.arraycopy(head, 0, merged, model.length, head.length);
    Files.write(dir.resolve("model.onnx"), merged);
    Files.write(dir.resolve("tokenizer.json"), resource(minilm.tokenizerResource()));
    return dir;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ClassifierBenchmark.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource not found on the class path: " + name);
      }
      return in.readAllBytes();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    classifier.close();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Benchmark
  public double single20() {
    return classifier.score(BenchInputs.PROMPT_20);
  }

  @Benchmark
  public double single200() {
    return classifier.score(BenchInputs.PROMPT_200);
  }

  @Benchmark
  public double[] batch64() {
    return classifier.scoreAll(BenchInputs.BATCH);
  }
}
