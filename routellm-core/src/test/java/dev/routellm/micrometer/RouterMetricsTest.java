package dev.routellm.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.RetriableBackendException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import dev.routellm.testing.LoopbackModel;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RouterMetrics over real HTTP: two loopback models, a length predictor, successes, a fallback and a failure. */
class RouterMetricsTest {
  private final LoopbackModel strongModel = new LoopbackModel("big");
  private final LoopbackModel weakModel = new LoopbackModel("small");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    strongModel.close();
    weakModel.close();
  }

  private Router router() {
    return Router.builder()
        .strong(strongModel.backend()).weak(weakModel.backend())
        .predictor(WinRatePredictor.of("length", p -> p.length() > 20 ? 0.9 : 0.1)).threshold(0.5)
        .costModel(CostModel.builder().price("big", 10, 30).price("small", 1, 2).build())
        .listener(RouterMetrics.of(registry, Tags.of("app", "test")))
        .build();
  }

  @Test
  void listener_mixedTraffic_countsDecisionsRequestsCostTokensFallbacksAndFailures() {
    Router router = router();
    weakModel.answers("hi", 10, 5);
    strongModel.answers("proof", 100, 50);
    strongModel.fails(503);
    weakModel.answers("fallback answer", 30, 7);
    strongModel.fails(503);
    weakModel.fails(503);

    RoutedResponse a = router.chat(ChatRequest.of("Hello"));
    RoutedResponse b = router.chat(ChatRequest.of("Prove that sqrt(2) is irrational"));
    RoutedResponse c = router.chat(ChatRequest.of("Prove Fermat's little theorem, please"));
    assertThatThrownBy(() -> router.chat(ChatRequest.of("Prove the four colour theorem now")))
        .isInstanceOf(RetriableBackendException.class);

    assertThat(registry.get(RouterMetrics.DECISIONS).tags("router", "length", "model", "big", "app", "test")
        .counter().count()).isEqualTo(3);
    assertThat(registry.get(RouterMetrics.DECISIONS).tags("model", "small", "rule", "threshold").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(RouterMetrics.STRONG_SHARE).tags("router", "length").gauge().value()).isEqualTo(0.75);
    assertThat(registry.get(RouterMetrics.DECISION_TIME).timer().count()).isEqualTo(4);

    assertThat(registry.get(RouterMetrics.REQUESTS).tags("model", "small", "outcome", "success").counter().count())
        .isEqualTo(2); // the short prompt and the fallback
    assertThat(registry.get(RouterMetrics.REQUESTS).tags("model", "big", "outcome", "success").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(RouterMetrics.REQUESTS).tags("router", "length", "outcome", "failure").counter()
        .count()).isEqualTo(1);
    assertThat(registry.get(RouterMetrics.FAILURES).tags("router", "length", "kind", "http_status")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get(RouterMetrics.FALLBACKS).tags("router", "length", "model", "big", "next", "small")
        .counter().count()).isEqualTo(2); // request c, and the failed request d before its weak call failed too
    assertThat(registry.get(RouterMetrics.CALL_FAILURES).tags("model", "small", "kind", "http_status")
        .counter().count()).isEqualTo(1); // the last call of the failed request d

    double cost = registry.get(RouterMetrics.COST).counters().stream().mapToDouble(x -> x.count()).sum();
    assertThat(cost).isCloseTo(a.cost() + b.cost() + c.cost(), within(1e-12));
    assertThat(registry.get(RouterMetrics.COST).tags("model", "big").counter().count())
        .isCloseTo((100 * 10 + 50 * 30) / 1e6, within(1e-15));
    assertThat(registry.get(RouterMetrics.TOKENS).tags("model", "small", "type", "input").counter().count())
        .isEqualTo(40);
    assertThat(registry.get(RouterMetrics.CALLS).tags("model", "big", "role", "answer", "outcome", "failure").timer()
        .count()).isEqualTo(2);
    assertThat(registry.get(RouterMetrics.CALLS).tags("model", "small", "outcome", "success").timer()
        .totalTime(TimeUnit.NANOSECONDS)).isPositive();
  }

  @Test
  void of_tagThatTheListenerSets_rejected() {
    assertThatThrownBy(() -> RouterMetrics.of(registry, Tags.of("model", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tag 'model' is set by RouterMetrics itself");
  }

  @Test
  void route_decisionOnly_countsTheDecisionButNoRequest() {
    router().route(ChatRequest.of("Hello"));

    assertThat(registry.get(RouterMetrics.DECISIONS).counter().count()).isEqualTo(1);
    assertThat(registry.find(RouterMetrics.REQUESTS).counter()).isNull();
  }

  @Test
  void bindHealth_breakerStatesPerModel_oneGaugeAtOnePerModel() {
    Router router = router();
    RouterMetrics.of(registry).bindHealth(router);

    assertThat(registry.get(RouterMetrics.BREAKER_STATE).gauges()).hasSize(2 * 4);
    for (String model : List.of("big", "small")) {
      double ones = registry.get(RouterMetrics.BREAKER_STATE).tags("model", model).gauges().stream()
          .mapToDouble(g -> g.value()).sum();
      assertThat(ones).as(model).isEqualTo(1.0);
      String state = router.health().get(model).state().name().toLowerCase(java.util.Locale.ROOT);
      assertThat(registry.get(RouterMetrics.BREAKER_STATE).tags("model", model, "state", state).gauge().value())
          .isEqualTo(1.0);
    }
    assertThat(registry.get(RouterMetrics.BREAKER_REFUSED).tags("model", "big").functionCounter().count()).isZero();
  }
}
