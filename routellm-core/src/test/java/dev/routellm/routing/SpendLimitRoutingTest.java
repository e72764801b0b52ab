package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.BudgetExceededException;
import dev.routellm.budget.SpendLimiter;
import dev.routellm.budget.SpendStore;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.prediction.RandomPredictor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Spend limits as a router enforces them: reserved before each call, settled at the real cost, per tenant. */
class SpendLimitRoutingTest {
  // 100 prompt + 200 completion tokens at $10/$30 per million: $0.007 per answer.
  private static final CostModel PRICES = CostModel.builder().price("big", 10, 30).price("small", 10, 30).build();

  private final PoolModelFake big = new PoolModelFake("big").usage(Usage.of(100, 200));
  private final PoolModelFake small = new PoolModelFake("small").usage(Usage.of(100, 200));

  private Router router(SpendLimiter limiter, List<Throwable> failures) {
    return Router.builder().strong(big).weak(small).predictor(RandomPredictor.withSeed(1)).threshold(0.5)
        .costModel(PRICES).spendLimiter(limiter)
        .listener(new RouterListener() {
          @Override
          public void onFailure(ChatRequest request, dev.routellm.RouteLlmException failure) {
            failures.add(failure);
          }
        })
        .build();
  }

  @Test
  void chat_tenantOverItsDailyLimit_failsWithATypedErrorBeforeCallingAndOthersGoOn() {
    SpendLimiter limiter = SpendLimiter.builder().store(SpendStore.inMemory()).tenantDailyLimit(0.02).build();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Router router = router(limiter, failures);
    RouteOptions acme = RouteOptions.builder().tenant("acme").build();

    // Each request reserves about $0.0079 (a short prompt and 264 expected answer tokens) and settles at $0.007.
    router.chat(ChatRequest.of("one"), acme);
    router.chat(ChatRequest.of("two"), acme);
    int callsBefore = big.calls() + small.calls();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("three"), acme))
        .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
          assertThat(e.tenant()).isEqualTo("acme");
          assertThat(e.getMessage()).contains("acme");
        });
    assertThat(big.calls() + small.calls()).as("no call over budget").isEqualTo(callsBefore);
    assertThat(failures).hasSize(1);
    assertThat(router.costs().failedRequests()).isEqualTo(1);
    assertThat(limiter.spend("acme").spent()).isCloseTo(0.014, within(1e-9));
    assertThat(limiter.spend("acme").reserved()).isZero();

    router.chat(ChatRequest.of("three"), RouteOptions.builder().tenant("globex").build());
    assertThat(limiter.spend("globex").spent()).isCloseTo(0.007, within(1e-9));
  }

  @Test
  void chat_failedCall_releasesItsReservation() {
    SpendLimiter limiter = SpendLimiter.builder().store(SpendStore.inMemory()).dailyLimit(1.0).build();
    big.failWith(new dev.routellm.NonRetriableBackendException("big", 400, "bad", null));
    small.failWith(new dev.routellm.NonRetriableBackendException("small", 400, "bad", null));
    Router router = router(limiter, new CopyOnWriteArrayList<>());

    assertThatThrownBy(() -> router.chat(ChatRequest.of("x"))).isInstanceOf(
        dev.routellm.NonRetriableBackendException.class);
    assertThat(limiter.spendOfAll().spent()).isZero();
    assertThat(limiter.spendOfAll().reserved()).isZero();
  }

  @Test
  void chat_chosenModelOverTheLimit_aCheaperOneThatFitsAnswers() {
    // frontier: $10/$30 per million (about $0.0079 expected), mini: $0.1/$0.2 (about $0.00005).
    PoolModelFake frontier = new PoolModelFake("frontier").usage(Usage.of(100, 200));
    PoolModelFake mini = new PoolModelFake("mini").usage(Usage.of(100, 200));
    SpendLimiter limiter = SpendLimiter.builder().store(SpendStore.inMemory()).tenantDailyLimit(0.005).build();
    Router router = Router.builder().strong(frontier).weak(mini).predictor(RandomPredictor.withSeed(1))
        .threshold(0.0) // always the frontier model first
        .costModel(CostModel.builder().price("frontier", 10, 30).price("mini", 0.1, 0.2).build())
        .spendLimiter(limiter).build();

    RoutedResponse r = router.chat(ChatRequest.of("hello"), RouteOptions.builder().tenant("acme").build());

    assertThat(r.decision().model()).isEqualTo("frontier");
    assertThat(r.answeredBy()).isEqualTo("mini");
    assertThat(r.fellBack()).isTrue();
    assertThat(r.calls().get(0).failure().orElseThrow().kind()).isEqualTo("budget_exceeded");
    assertThat(frontier.calls()).isZero();
    assertThat(limiter.spend("acme").spent()).isCloseTo(r.cost(), within(1e-12));
  }

  @Test
  void chat_overTheLimitWithFallbackNever_failsWithoutTryingAnotherModel() {
    SpendLimiter limiter = SpendLimiter.builder().store(SpendStore.inMemory()).dailyLimit(0.001).build();
    Router router = Router.builder().strong(big).weak(small).predictor(RandomPredictor.withSeed(1)).threshold(0.0)
        .costModel(PRICES).spendLimiter(limiter).fallback(FallbackPolicy.NEVER).build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("hello"))).isInstanceOf(BudgetExceededException.class)
        .hasMessageContaining("daily limit of all tenants");
    assertThat(big.calls() + small.calls()).isZero();
  }
}
