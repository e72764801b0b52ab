package dev.routellm.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
  private static BenchReport.Row row(String workload, String impl, double p50, double mean) {
    int texts = workload.startsWith("batch") ? 64 : 1;
    return new BenchReport.Row("embedding", workload, impl, p50, p50 * 2, mean, texts * 1000.0 / mean, 10);
  }

  @Test
  void ratios_bothImplementations_latencyRatioIsPeerOverOursAndThroughputOursOverPeer() {
    BenchReport report =
        BenchReport.ofRows(
            List.of(
                row("single20", "routellm", 2, 2.5),
                row("single20", "langchain4j", 6, 8),
                row("batch64", "routellm", 400, 400),
                row("batch64", "langchain4j", 1000, 1000)));
    List<BenchReport.Ratio> ratios = report.ratios();
    assertThat(ratios).extracting(BenchReport.Ratio::measure).anyMatch(m -> m.startsWith("single20 p50"));
    BenchReport.Ratio p50 = ratios.stream().filter(r -> r.measure().startsWith("single20 p50")).findFirst().get();
    assertThat(p50.ratio()).isCloseTo(3.0, within(1e-9));
    BenchReport.Ratio batch = ratios.stream().filter(r -> r.measure().startsWith("batched")).findFirst().get();
    assertThat(batch.routellm()).isCloseTo(160.0, within(1e-9));
    assertThat(batch.ratio()).isCloseTo(2.5, within(1e-9));
    assertThat(ratios).noneMatch(r -> r.measure().startsWith("single200"));
  }

  @Test
  void ratios_sameTokenVariantPresent_comparedWithPeerOnTwoHundredTokens() {
    BenchReport report =
        BenchReport.ofRows(
            List.of(
                row("single200", "routellm", 16, 16),
                row("single200", "routellm-maxlength128", 8, 8),
                row("single200", "langchain4j", 12, 12)));
    BenchReport.Ratio same =
        report.ratios().stream().filter(r -> r.measure().contains("cut at 128")).findFirst().orElseThrow();
    assertThat(same.ratio()).isCloseTo(1.5, within(1e-9));
  }

  @Test
  void ratios_sameTokenBatchPresent_comparedWithPeerBatch() {
    BenchReport report =
        BenchReport.ofRows(
            List.of(
                row("batch64", "routellm", 400, 400),
                row("batch64", "routellm-maxlength128", 200, 200),
                row("batch64", "langchain4j", 500, 500)));
    BenchReport.Ratio same =
        report.ratios().stream().filter(r -> r.measure().contains("both cut at 128")).findFirst().orElseThrow();
    assertThat(same.routellm()).isCloseTo(320.0, within(1e-9));
    assertThat(same.ratio()).isCloseTo(2.5, within(1e-9));
  }

  @Test
  void printMarkdown_rowsAndRatios_oneTableLinePerRow() {
    BenchReport report =
        BenchReport.ofRows(List.of(row("single20", "routellm", 2, 2.5), row("single20", "langchain4j", 6, 8)));
    StringWriter out = new StringWriter();
    report.printMarkdown(new PrintWriter(out));
    assertThat(out.toString())
        .contains("| embedding | single20 | routellm | 2.00 | 4.00 | 2.50 | 400.0 | 10 |")
        .contains("| single20 p50 latency (ms, lower is better) | 2.00 | 6.00 | 3.00x |");
  }
}
