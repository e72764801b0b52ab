package dev.routellm.examples.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fault bench's accounting on a small run: every request is answered or failed (none lost), the router's totals
 * match the answers, and the upstreams really served faults. Its figures (latency, shares) belong to BENCHMARKS.md.
 */
class FaultBenchTest {
  private static FaultBench.Settings settings(List<String> scenarios) {
    return new FaultBench.Settings(
        300, 8, 20, 4, 25, Duration.ofSeconds(1), Duration.ofMillis(500), 0.2, 42, scenarios);
  }

  @Test
  void run_smallScenarios_accountForEveryRequest() throws Exception {
    List<String> progress = new ArrayList<>();
    List<FaultBench.Result> results =
        FaultBench.run(settings(List.of("healthy", "faults-20", "both-dead", "soak")), progress::add);

    assertThat(results).extracting(FaultBench.Result::scenario)
        .containsExactly("healthy", "faults-20", "both-dead", "soak");
    for (FaultBench.Result r : results) {
      assertThat(r.lost()).as(r.scenario() + " lost").isZero();
      assertThat(r.answered() + r.failedTotal()).as(r.scenario() + " answered + failed").isEqualTo(r.requests());
      assertThat(r.costExact()).as(r.scenario() + " cost exact: " + r.toMap()).isTrue();
      assertThat(r.routerAnswered()).isEqualTo(r.answered());
      assertThat(r.routerFailed()).isEqualTo(r.failedTotal());
    }
    FaultBench.Result healthy = results.get(0);
    assertThat(healthy.answered()).isEqualTo(300);
    assertThat(healthy.fellBack()).isZero();
    assertThat(healthy.routerCost()).isPositive();

    FaultBench.Result faulty = results.get(1);
    assertThat(faulty.upstreamFaults().keySet()).as("kinds of fault served").hasSizeGreaterThanOrEqualTo(5);
    assertThat(faulty.answered()).as("answered under 20% faults").isGreaterThanOrEqualTo(270);

    FaultBench.Result dead = results.get(2);
    assertThat(dead.answered()).isZero();
    // Connection failures, then, once every breaker is open, no model left to call.
    assertThat(dead.failed().keySet())
        .allSatisfy(k -> assertThat(k).matches("RetriableBackendException/.*|NoEligibleModelException"));

    assertThat(results.get(3).requests()).isEqualTo(100);
    assertThat(progress).anySatisfy(line -> assertThat(line).startsWith("faults-20: "));
  }

  @Test
  void toMap_hasTheFiguresTheIssueAsksFor() throws Exception {
    FaultBench.Result r = FaultBench.run(settings(List.of("healthy")), line -> {}).get(0);

    Map<String, Object> m = r.toMap();

    assertThat(m).containsKeys("requests", "answered", "fell_back", "failed", "lost", "cost_exact", "latency_ms",
        "stream_cut_after_text");
    assertThat(((Map<?, ?>) m.get("latency_ms")).keySet()).extracting(String::valueOf).contains("p50", "p99", "mean");
  }

  @Test
  void settings_unknownScenario_isRejected() {
    assertThatThrownBy(() -> settings(List.of("meteor")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("scenario must be one of [healthy, faults-20");
  }
}
