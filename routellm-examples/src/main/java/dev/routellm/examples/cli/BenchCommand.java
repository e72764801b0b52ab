package dev.routellm.examples.cli;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.routellm.examples.bench.BenchInputs;
import dev.routellm.examples.bench.BenchReport;
import dev.routellm.examples.bench.ClassifierBenchmark;
import dev.routellm.examples.bench.EmbeddingBenchmark;
import dev.routellm.examples.bench.EmbeddingSameTokensBenchmark;
import dev.routellm.examples.faults.FaultBench;
import dev.routellm.backend.RetryPolicy;
import java.time.Duration;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.ExecutionOptions;
import dev.routellm.onnx.OnnxEmbedder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the local-inference benchmarks (JMH, in forked JVMs) and prints a Markdown table with routellm-onnx against
 * LangChain4j's own MiniLM on the same model and texts, and the classifier router's figures.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks local inference with JMH: MiniLM embeddings (routellm-onnx against LangChain4j's"
          + " AllMiniLmL6V2QuantizedEmbeddingModel, same model and texts; p50/p99 for 20- and 200-token prompts,"
          + " texts/s one at a time and for 64 mixed texts) and the ONNX classifier router. Takes about 10 minutes"
          + " (--quick: about 2). JMH's progress goes to stderr.",
      "With --faults: drives many threads through one shared router whose two upstreams are fault-injecting"
          + " servers on loopback (500, 429 with and without Retry-After, 503, hangs, resets, malformed JSON,"
          + " truncated answers and streams) and prints per scenario: requests, answered, fell back, failed by"
          + " exception type, lost, whether the cost totals are exact, latency p50/p99/mean. Scenarios: healthy,"
          + " faults-20, one-dead, one-hanging, both-dead, soak."
    })
public final class BenchCommand implements Callable<Integer> {
  @Mixin OutputOptions output;

  @Option(names = "--quick", description = "Shorter warm-up and measurement: for a smoke test, not for figures.")
  boolean quick;

  @Option(
      names = "--only",
      description = "Run only these benchmarks: embedding, classifier or all (default: ${DEFAULT-VALUE}).",
      defaultValue = "all")
  Only only;

  @Option(
      names = "--intra-op-threads",
      description =
          "Threads one inference of routellm-onnx uses in the benchmarks when calls overlap and for each text of a"
              + " bulk call (default: the library's default, 1). LangChain4j keeps its own default (ONNX Runtime's:"
              + " one per core).")
  Integer intraOpThreads;

  @Option(
      names = "--solo-intra-op-threads",
      description =
          "Threads a routellm-onnx call alone on the model may use (default: the library's default, all cores);"
              + " 1 runs every inference on one thread, as the library did before its solo lane.")
  Integer soloIntraOpThreads;

  @Option(names = "--faults", description = "Run the fault-injection benchmark instead of the inference benchmarks.")
  boolean faults;

  @Option(
      names = "--requests",
      description = "--faults: requests of the healthy and faults-20 scenarios (default: ${DEFAULT-VALUE}).",
      defaultValue = "10000")
  int requests;

  @Option(
      names = "--threads",
      description = "--faults: client threads sharing the router (default: ${DEFAULT-VALUE}).",
      defaultValue = "32")
  int threads;

  @Option(
      names = "--outage-requests",
      description = "--faults: requests of the one-dead, one-hanging and both-dead scenarios (default:"
          + " ${DEFAULT-VALUE}).",
      defaultValue = "2000")
  int outageRequests;

  @Option(
      names = "--soak-threads",
      description = "--faults: client threads of the soak (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int soakThreads;

  @Option(
      names = "--soak-requests",
      description = "--faults: requests each soak thread sends (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  int soakRequests;

  @Option(
      names = "--read-timeout-ms",
      description = "--faults: the backends' read timeout in milliseconds (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  long readTimeoutMillis;

  @Option(
      names = "--scenarios",
      split = ",",
      description = "--faults: the scenarios to run, comma-separated (default: all of healthy, faults-20, one-dead,"
          + " one-hanging, both-dead, soak).")
  List<String> scenarios;

  enum Only {
    all,
    embedding,
    classifier
  }

  @Override
  public Integer call() throws RunnerException, IOException, InterruptedException {
    if (faults) {
      return faultBench();
    }
    if (intraOpThreads != null && (intraOpThreads < 1 || intraOpThreads > 256)) {
      throw new IllegalArgumentException("--intra-op-threads must be in [1, 256] but was " + intraOpThreads);
    }
    if (soloIntraOpThreads != null && (soloIntraOpThreads < 1 || soloIntraOpThreads > 256)) {
      throw new IllegalArgumentException("--solo-intra-op-threads must be in [1, 256] but was " + soloIntraOpThreads);
    }
    PrintWriter text = output.text();
    Map<String, Object> machine = machine();
    text.println("Machine: " + machine);
    Map<String, Object> parity = only == Only.classifier ? Map.of() : parity();
    if (!parity.isEmpty()) {
      text.println("Same model check (cosine similarity of the two implementations' vectors): " + parity);
    }
    text.flush();

    ChainedOptionsBuilder options = new OptionsBuilder().shouldFailOnError(true);
    if (intraOpThreads != null || soloIntraOpThreads != null) {
      // Replaces the benchmarks' own @Fork(jvmArgsAppend), so those are repeated here.
      List<String> jvmArgs = new ArrayList<>(List.of("-Xmx2g", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true"));
      if (intraOpThreads != null) {
        jvmArgs.add("-D" + BenchInputs.INTRA_OP_THREADS_PROPERTY + "=" + intraOpThreads);
      }
      if (soloIntraOpThreads != null) {
        jvmArgs.add("-D" + BenchInputs.SOLO_INTRA_OP_THREADS_PROPERTY + "=" + soloIntraOpThreads);
      }
      options.jvmArgsAppend(jvmArgs.toArray(String[]::new));
    }
    machine.put("routellm_intra_op_threads", intraOpThreads != null ? intraOpThreads : "default (1)");
    machine.put(
        "routellm_solo_intra_op_threads",
        soloIntraOpThreads != null
            ? soloIntraOpThreads
            : "default (" + ExecutionOptions.defaultSoloIntraOpThreads() + ")");
    if (only != Only.classifier) {
      options.include(EmbeddingBenchmark.class.getName() + "\\.");
      options.include(EmbeddingSameTokensBenchmark.class.getName() + "\\.");
    }
    if (only != Only.embedding) {
      options.include(ClassifierBenchmark.class.getName() + "\\.");
    }
    if (quick) {
      options
          .warmupIterations(1)
          .warmupTime(TimeValue.seconds(2))
          .measurementIterations(2)
          .measurementTime(TimeValue.seconds(2));
    }
    PrintStream progress = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    Collection<RunResult> results =
        new Runner(options.build(), OutputFormatFactory.createFormatInstance(progress, VerboseMode.NORMAL)).run();
    BenchReport report = BenchReport.of(results);
    machine.put("load_average_after", loadAverage());
    text.println();
    text.println("Machine after the run: load average " + machine.get("load_average_after"));
    report.printMarkdown(text);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("machine", machine);
    result.put("same_model_check", parity);
    result.putAll(report.toMap());
    output.result(result);
    return 0;
  }

  private int faultBench() throws IOException, InterruptedException {
    if (readTimeoutMillis < 1) {
      throw new IllegalArgumentException("--read-timeout-ms must be >= 1 but was " + readTimeoutMillis);
    }
    FaultBench.Settings settings =
        new FaultBench.Settings(
            requests,
            threads,
            outageRequests,
            soakThreads,
            soakRequests,
            Duration.ofSeconds(1),
            Duration.ofMillis(readTimeoutMillis),
            0.20,
            42,
            scenarios == null ? FaultBench.SCENARIOS : scenarios);
    PrintWriter text = output.text();
    Map<String, Object> machine = machine();
    text.println("Machine: " + machine);
    text.println("Backends: connect timeout 1 s, read timeout " + readTimeoutMillis + " ms, " + RetryPolicy.defaults());
    text.flush();
    PrintWriter progress = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    List<FaultBench.Result> results = FaultBench.run(settings, progress::println);
    text.println();
    text.println("| scenario | threads | requests | answered | fell back | failed | stream cut after text | lost |"
        + " cost exact | p50 ms | p99 ms | mean ms | 2nd half mean ms | 2nd half p99 ms | wall s |");
    text.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (FaultBench.Result r : results) {
      text.printf(
          Locale.ROOT,
          "| %s | %d | %d | %d (%.2f%%) | %d | %d | %d | %d | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
          r.scenario(), r.threads(), r.requests(), r.answered(), 100.0 * r.answered() / r.requests(), r.fellBack(),
          r.failedTotal(), r.streamCuts(), r.lost(), r.costExact(), r.p50Millis(), r.p99Millis(), r.meanMillis(),
          r.secondHalfMeanMillis(), r.secondHalfP99Millis(), r.wallSeconds());
    }
    text.println();
    for (FaultBench.Result r : results) {
      if (!r.failed().isEmpty()) {
        text.println(r.scenario() + " failures: " + r.failed());
      }
    }
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("machine", machine);
    result.put("backend", Map.of("connect_timeout_ms", 1000, "read_timeout_ms", readTimeoutMillis,
        "retry_policy", RetryPolicy.defaults().toString()));
    result.put("scenarios", results.stream().map(FaultBench.Result::toMap).toList());
    output.result(result);
    return 0;
  }

  /**
   * Cosine similarity between the two implementations' vectors for the benchmark prompts: about 1 means the same
   * model and tokens. For the 200-token prompt it is shown against routellm-onnx at 256 tokens (its default) and at
   * 128 (LangChain4j's effective limit).
   */
  private static Map<String, Object> parity() throws InterruptedException {
    Map<String, Object> m = new LinkedHashMap<>();
    try (OnnxEmbedder ours = OnnxEmbedder.allMiniLmL6V2();
        OnnxEmbedder ours128 =
            OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).maxLength(128).build()) {
      AllMiniLmL6V2QuantizedEmbeddingModel peer = new AllMiniLmL6V2QuantizedEmbeddingModel();
      float[] peer20 = peer.embed(BenchInputs.PROMPT_20).content().vector();
      float[] peer200 = peer.embed(BenchInputs.PROMPT_200).content().vector();
      m.put("prompt20", round(cosine(ours.embed(BenchInputs.PROMPT_20), peer20)));
      m.put("prompt200_routellm_256_tokens", round(cosine(ours.embed(BenchInputs.PROMPT_200), peer200)));
      m.put("prompt200_routellm_128_tokens", round(cosine(ours128.embed(BenchInputs.PROMPT_200), peer200)));
    }
    return m;
  }

  private static double round(double x) {
    return Math.round(x * 1e6) / 1e6;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpu", cpuModel());
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    m.put("load_average_before", loadAverage());
    return m;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return System.getProperty("os.arch");
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return String.format(Locale.ROOT, "%s %s %s", parts[0], parts[1], parts[2]);
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
