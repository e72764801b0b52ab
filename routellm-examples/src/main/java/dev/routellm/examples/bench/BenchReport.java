package dev.routellm.examples.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

/** Turns JMH sample-time results of this package's benchmarks into rows, ratios and a Markdown table. */
public final class BenchReport {
  /**
   * One benchmark result.
   *
   * @param benchmark {@code embedding} or {@code classifier}
   * @param workload {@code single20}, {@code single200} or {@code batch64}
   * @param implementation {@code routellm} or {@code langchain4j}
   * @param p50Millis median time of one call
   * @param p99Millis 99th percentile of one call
   * @param meanMillis mean time of one call
   * @param textsPerSecond texts per call divided by the mean time
   * @param samples calls sampled
   */
  public record Row(
      String benchmark,
      String workload,
      String implementation,
      double p50Millis,
      double p99Millis,
      double meanMillis,
      double textsPerSecond,
      long samples) {}

  /**
   * routellm-onnx against LangChain4j on one measure.
   *
   * @param measure what is compared
   * @param routellm routellm-onnx's figure
   * @param langchain4j LangChain4j's figure
   * @param ratio how many times better routellm-onnx is (above 1: better)
   */
  public record Ratio(String measure, double routellm, double langchain4j, double ratio) {}

  private final List<Row> rows;

  private BenchReport(List<Row> rows) {
    this.rows = List.copyOf(rows);
  }

  /** Reads JMH results (sample mode, milliseconds). */
  public static BenchReport of(Collection<RunResult> results) {
    List<Row> rows = new ArrayList<>();
    for (RunResult r : results) {
      String method = r.getParams().getBenchmark();
      String workload = method.substring(method.lastIndexOf('.') + 1);
      String benchmark = method.contains("Classifier") ? "classifier" : "embedding";
      String impl =
          method.contains("SameTokens") ? "routellm-maxlength128" : r.getParams().getParam("impl");
      Statistics s = r.getPrimaryResult().getStatistics();
      int texts = workload.startsWith("batch") ? BenchInputs.BATCH_SIZE : 1;
      rows.add(
          new Row(
              benchmark,
              workload,
              impl == null ? "routellm" : impl,
              s.getPercentile(50),
              s.getPercentile(99),
              s.getMean(),
              texts * 1000.0 / s.getMean(),
              s.getN()));
    }
    return new BenchReport(rows);
  }

  /** A report over given rows (for tests). */
  static BenchReport ofRows(List<Row> rows) {
    return new BenchReport(rows);
  }

  public List<Row> rows() {
    return rows;
  }

  /** routellm-onnx against LangChain4j: p50 latency and texts/s, single and batched (empty if either is missing). */
  public List<Ratio> ratios() {
    List<Ratio> out = new ArrayList<>();
    for (String workload : List.of("single20", "single200")) {
      Row ours = find("embedding", workload, "routellm");
      Row peer = find("embedding", workload, "langchain4j");
      if (ours != null && peer != null) {
        out.add(new Ratio(workload + " p50 latency (ms, lower is better)", ours.p50Millis(), peer.p50Millis(),
            peer.p50Millis() / ours.p50Millis()));
        out.add(new Ratio(workload + " p99 latency (ms, lower is better)", ours.p99Millis(), peer.p99Millis(),
            peer.p99Millis() / ours.p99Millis()));
        out.add(new Ratio(workload + " one at a time (texts/s)", ours.textsPerSecond(), peer.textsPerSecond(),
            ours.textsPerSecond() / peer.textsPerSecond()));
      }
    }
    Row same = find("embedding", "single200", "routellm-maxlength128");
    Row peer200 = find("embedding", "single200", "langchain4j");
    if (same != null && peer200 != null) {
      out.add(new Ratio("single200 cut at 128 tokens like LangChain4j, p50 latency (ms)", same.p50Millis(),
          peer200.p50Millis(), peer200.p50Millis() / same.p50Millis()));
    }
    Row ours = find("embedding", "batch64", "routellm");
    Row peer = find("embedding", "batch64", "langchain4j");
    if (ours != null && peer != null) {
      out.add(new Ratio("batched, 64 mixed texts (texts/s)", ours.textsPerSecond(), peer.textsPerSecond(),
          ours.textsPerSecond() / peer.textsPerSecond()));
    }
    Row sameBatch = find("embedding", "batch64", "routellm-maxlength128");
    if (sameBatch != null && peer != null) {
      out.add(new Ratio("batched, 64 mixed texts, both cut at 128 tokens (texts/s)", sameBatch.textsPerSecond(),
          peer.textsPerSecond(), sameBatch.textsPerSecond() / peer.textsPerSecond()));
    }
    return out;
  }

  private Row find(String benchmark, String workload, String impl) {
    for (Row r : rows) {
      if (r.benchmark().equals(benchmark) && r.workload().equals(workload) && r.implementation().equals(impl)) {
        return r;
      }
    }
    return null;
  }

  /** The rows and the ratios as Markdown tables. */
  public void printMarkdown(PrintWriter out) {
    out.println("| benchmark | workload | implementation | p50 ms | p99 ms | mean ms | texts/s | samples |");
    out.println("|---|---|---|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      out.printf(Locale.ROOT, "| %s | %s | %s | %.2f | %.2f | %.2f | %.1f | %d |%n", r.benchmark(), r.workload(),
          r.implementation(), r.p50Millis(), r.p99Millis(), r.meanMillis(), r.textsPerSecond(), r.samples());
    }
    List<Ratio> ratios = ratios();
    if (!ratios.isEmpty()) {
      out.println();
      out.println("| measure | routellm-onnx | LangChain4j | routellm-onnx advantage |");
      out.println("|---|---:|---:|---:|");
      for (Ratio r : ratios) {
        out.printf(
            Locale.ROOT, "| %s | %.2f | %.2f | %.2fx |%n", r.measure(), r.routellm(), r.langchain4j(), r.ratio());
      }
    }
    out.flush();
  }

  /** Rows and ratios for {@code --json}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("results", rows);
    m.put("ratios", ratios());
    return m;
  }
}
