package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.BackendException;
import dev.routellm.ConfigurationException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.PredictionException;
import dev.routellm.RetriableBackendException;
import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.prediction.WinRatePredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouterTest {
  private static final CostModel PRICES =
      CostModel.builder().price("big", 10.0, 30.0).price("small", 0.5, 1.0).build();

  private final FakeBackend strong = new FakeBackend("big");
  private final FakeBackend weak = new FakeBackend("small");

  /** Scores a prompt by the number after "score=" in it, so tests choose the decision. */
  private static final WinRatePredictor BY_TEXT =
      new WinRatePredictor() {
        @Override
        public String name() {
          return "by-text";
        }

        @Override
        public double score(String prompt) {
          int i = prompt.indexOf("score=");
          return i < 0 ? 0.0 : Double.parseDouble(prompt.substring(i + 6).split("\\s")[0]);
        }
      };

  private Router.Builder builder() {
    return Router.builder().strong(strong).weak(weak).predictor(BY_TEXT).threshold(0.5).costModel(PRICES);
  }

  @Test
  void route_scoreAtThreshold_choosesStrong() {
    RoutingDecision d = builder().build().route(ChatRequest.of("hard one score=0.5"));
    assertThat(d.model()).isEqualTo("big");
    assertThat(d.model()).isEqualTo("big");
    assertThat(d.score()).isEqualTo(0.5);
    assertThat(d.threshold()).isEqualTo(0.5);
    assertThat(d.router()).isEqualTo("by-text");
    assertThat(d.reason()).isEqualTo("score 0.5000 >= threshold 0.5000");
    assertThat(strong.calls() + weak.calls()).as("route() calls no model").isZero();
  }

  @Test
  void route_scoreBelowThreshold_choosesWeak() {
    RoutingDecision d = builder().build().route(ChatRequest.of("easy score=0.4999"));
    assertThat(d.model()).isEqualTo("small");
    assertThat(d.model()).isEqualTo("small");
    assertThat(d.reason()).contains("<");
  }

  @Test
  void route_predictorOutsideUnitInterval_failsNamingPredictor() {
    Router router = builder().predictor(fixed(1.5)).build();
    assertThatThrownBy(() -> router.route(ChatRequest.of("x")))
        .isInstanceOf(PredictionException.class)
        .hasMessageContaining("predictor 'fixed'")
        .hasMessageContaining("1.5");
  }

  @Test
  void chat_weakChosen_callsWeakAndPricesTheCall() {
    weak.usage(Usage.of(1000, 2000));
    RoutedResponse r = builder().build().chat(ChatRequest.of("score=0.1"));
    assertThat(r.response().text()).isEqualTo("small says hi");
    assertThat(r.answeredBy()).isEqualTo("small");
    assertThat(r.fellBack()).isFalse();
    assertThat(r.cost()).isCloseTo((1000 * 0.5 + 2000 * 1.0) / 1e6, within(1e-12));
    assertThat(r.calls()).singleElement().satisfies(c -> assertThat(c.model()).isEqualTo("small"));
    assertThat(strong.calls()).isZero();
  }

  @Test
  void costs_mixedTraffic_reportsShareTotalsAndSaving() {
    Router router = builder().build();
    router.chat(ChatRequest.of("score=0.9"));
    router.chat(ChatRequest.of("score=0.1"));
    router.chat(ChatRequest.of("score=0.2"));
    router.chat(ChatRequest.of("score=0.3"));

    CostSnapshot s = router.costs();
    double strongCall = (100 * 10.0 + 200 * 30.0) / 1e6;
    double weakCall = (100 * 0.5 + 200 * 1.0) / 1e6;
    assertThat(s.requests()).isEqualTo(4);
    assertThat(s.strongShare()).isEqualTo(0.25);
    assertThat(s.cost()).isCloseTo(strongCall + 3 * weakCall, within(1e-12));
    assertThat(s.allStrongCost()).isCloseTo(4 * strongCall, within(1e-12));
    assertThat(s.saving()).isCloseTo(3 * (strongCall - weakCall), within(1e-12));
    assertThat(s.models().get("small").calls()).isEqualTo(3);
    assertThat(s.models().get("small").completionTokens()).isEqualTo(600);
    assertThat(s.models().get("big").promptTokens()).isEqualTo(100);
  }

  @Test
  void chat_strongFailsRetriably_fallsBackToWeak() {
    strong.failWith(new RetriableBackendException("big", 503, "big: HTTP 503", null));
    List<String> fallbacks = new CopyOnWriteArrayList<>();
    Router router =
        builder()
            .listener(
                new RouterListener() {
                  @Override
                  public void onFallback(ChatRequest request, ModelCall failed, String fallbackTier) {
                    fallbacks.add(fallbackTier);
                  }
                })
            .build();

    RoutedResponse r = router.chat(ChatRequest.of("score=0.9"));

    assertThat(r.decision().model()).isEqualTo("big");
    assertThat(r.answeredBy()).isEqualTo("small");
    assertThat(r.fellBack()).isTrue();
    assertThat(r.calls()).hasSize(2);
    assertThat(r.calls().get(0).succeeded()).isFalse();
    assertThat(r.calls().get(0).failure().orElseThrow().message()).contains("big: HTTP 503");
    assertThat(r.calls().get(0).cost()).isZero();
    assertThat(r.calls().get(1).model()).isEqualTo("small");
    assertThat(fallbacks).containsExactly("small");
    assertThat(router.costs().strongShare()).isZero();
  }

  @Test
  void chat_nonRetriableFailureUnderDefaultPolicy_isThrownWithoutFallback() {
    strong.failWith(new NonRetriableBackendException("big", 400, "big: HTTP 400: bad request", null));
    List<RouteLlmException> failures = new CopyOnWriteArrayList<>();
    Router router =
        builder()
            .listener(
                new RouterListener() {
                  @Override
                  public void onFailure(ChatRequest request, RouteLlmException failure) {
                    failures.add(failure);
                  }
                })
            .build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("score=0.9")))
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessage("big: HTTP 400: bad request");
    assertThat(weak.calls()).isZero();
    assertThat(failures).hasSize(1);
  }

  @Test
  void chat_nonRetriableFailureUnderAlways_fallsBack() {
    strong.failWith(new NonRetriableBackendException("big", 400, "too long", null));
    RoutedResponse r = builder().fallback(FallbackPolicy.ALWAYS).build().chat(ChatRequest.of("score=0.9"));
    assertThat(r.answeredBy()).isEqualTo("small");
  }

  @Test
  void chat_retriableFailureUnderNever_isThrown() {
    weak.failWith(new RetriableBackendException("small", 429, "small: HTTP 429", null));
    Router router = builder().fallback(FallbackPolicy.NEVER).build();
    assertThatThrownBy(() -> router.chat(ChatRequest.of("score=0.1")))
        .isInstanceOf(RetriableBackendException.class);
    assertThat(strong.calls()).isZero();
  }

  @Test
  void chat_bothModelsFail_throwsSecondWithFirstSuppressed() {
    weak.failWith(new RetriableBackendException("small", 503, "small down", null));
    strong.failWith(new RetriableBackendException("big", 502, "big down", null));
    Router router = builder().build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("score=0.1")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage("big down")
        .satisfies(e -> assertThat(e.getSuppressed()).singleElement().extracting(Throwable::getMessage)
            .isEqualTo("small down"));
    assertThat(router.costs().requests()).isZero();
  }

  @Test
  void stream_deliversDecisionBeforeText() {
    List<String> events = new ArrayList<>();
    RoutedResponse r =
        builder()
            .build()
            .stream(
                ChatRequest.of("score=0.7"),
                new RoutedStreamListener() {
                  @Override
                  public void onDecision(RoutingDecision decision) {
                    events.add("decision:" + decision.model());
                  }

                  @Override
                  public void onText(String delta) {
                    events.add("text:" + delta);
                  }
                });
    assertThat(events).containsExactly("decision:big", "text:big says", "text: hi");
    assertThat(r.answeredBy()).isEqualTo("big");
  }

  @Test
  void stream_failureBeforeText_fallsBack() {
    strong.failWith(new RetriableBackendException("big", 503, "down", null));
    List<String> text = new ArrayList<>();
    RoutedResponse r = builder().build().stream(ChatRequest.of("score=0.7"), text::add);
    assertThat(text).containsExactly("small says", " hi");
    assertThat(r.fellBack()).isTrue();
  }

  @Test
  void stream_failureAfterText_isThrownWithoutFallback() {
    strong.failWith(new RetriableBackendException("big", 0, "stream cut", null)).failAfterText();
    List<String> text = new ArrayList<>();
    Router router = builder().build();
    assertThatThrownBy(() -> router.stream(ChatRequest.of("score=0.7"), text::add))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage("stream cut");
    assertThat(text).containsExactly("big says");
    assertThat(weak.calls()).isZero();
  }

  @Test
  void chatAsync_retriableFailure_fallsBackAndCompletes() {
    strong.failWith(new RetriableBackendException("big", 503, "down", null));
    RoutedResponse r = builder().build().chatAsync(ChatRequest.of("score=0.9")).join();
    assertThat(r.answeredBy()).isEqualTo("small");
    assertThat(r.calls()).extracting(ModelCall::model).containsExactly("big", "small");
  }

  @Test
  void chatAsync_bothFail_completesExceptionallyWithBackendException() {
    strong.failWith(new RetriableBackendException("big", 503, "big down", null));
    weak.failWith(new RetriableBackendException("small", 503, "small down", null));
    assertThatThrownBy(() -> builder().build().chatAsync(ChatRequest.of("score=0.9")).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(BackendException.class)
        .hasMessage("small down");
  }

  @Test
  void listener_thatThrows_doesNotBreakTheRequest() {
    Router router =
        builder()
            .listener(
                new RouterListener() {
                  @Override
                  public void onResponse(ChatRequest request, RoutedResponse response) {
                    throw new IllegalStateException("listener bug");
                  }
                })
            .build();
    assertThat(router.chat(ChatRequest.of("score=0.2")).response().text()).isEqualTo("small says hi");
  }

  @Test
  void promptSelector_conversation_scoresTheWholeExchange() {
    ChatRequest request =
        ChatRequest.builder()
            .system("be brief score=0.99")
            .user("first question score=0.9")
            .assistant("an answer")
            .user("and a follow-up")
            .build();
    assertThat(builder().build().route(request).model()).as("last user message has no score").isEqualTo("small");
    assertThat(builder().promptSelector(PromptSelector.CONVERSATION).build().route(request).score())
        .as("system message is not scored")
        .isEqualTo(0.9);
    assertThat(PromptSelector.CONVERSATION.select(request))
        .isEqualTo("user: first question score=0.9\nassistant: an answer\nuser: and a follow-up");
  }

  @Test
  void chat_concurrentCallers_countEveryRequestOnce() throws Exception {
    Router router = builder().build();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<RoutedResponse>> futures = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        String prompt = "score=" + (i % 4 == 0 ? "0.9" : "0.1");
        futures.add(pool.submit(() -> router.chat(ChatRequest.of(prompt))));
      }
      for (Future<RoutedResponse> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    CostSnapshot s = router.costs();
    assertThat(s.requests()).isEqualTo(400);
    assertThat(s.strongRequests()).isEqualTo(100);
    assertThat(strong.calls()).isEqualTo(100);
    assertThat(weak.calls()).isEqualTo(300);
  }

  @Test
  void router_neverClosesTheCallersBackends() {
    builder().build().chat(ChatRequest.of("score=0.9"));
    assertThat(strong.closedCount()).isZero();
    assertThat(weak.closedCount()).isZero();
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.01, 1.01, Double.NaN, Double.POSITIVE_INFINITY})
  void threshold_outsideUnitInterval_rejectedWithValue(double value) {
    assertThatThrownBy(() -> Router.builder().threshold(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threshold must be in [0, 1] but was " + value);
  }

  @Test
  void build_missingParts_failWithMessageNamingThem() {
    assertThatThrownBy(() -> Router.builder().weak(weak).predictor(BY_TEXT).threshold(0.5).costModel(PRICES).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("strong backend is required");
    assertThatThrownBy(() -> Router.builder().strong(strong).predictor(BY_TEXT).threshold(0.5).costModel(PRICES).build())
        .hasMessageContaining("weak backend is required");
    assertThatThrownBy(() -> Router.builder().strong(strong).weak(weak).threshold(0.5).costModel(PRICES).build())
        .hasMessageContaining("predictor is required");
    assertThatThrownBy(() -> Router.builder().strong(strong).weak(weak).predictor(BY_TEXT).costModel(PRICES).build())
        .hasMessageContaining("threshold is required");
    assertThatThrownBy(() -> Router.builder().strong(strong).weak(weak).predictor(BY_TEXT).threshold(0.5).build())
        .hasMessageContaining("costModel is required");
  }

  @Test
  void build_unpricedModel_failsNamingModelAndRole() {
    CostModel onlyBig = CostModel.builder().price("big", 1, 1).build();
    assertThatThrownBy(() -> builder().costModel(onlyBig).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("costModel has no price for the weak model 'small'");
  }

  @Test
  void builder_nullArguments_rejectedByName() {
    assertThatThrownBy(() -> Router.builder().strong(null)).hasMessage("strong");
    assertThatThrownBy(() -> Router.builder().predictor(null)).hasMessage("predictor");
    assertThatThrownBy(() -> Router.builder().name(" ")).hasMessage("name must not be blank");
  }

  @Test
  void chatRequest_systemOnlyConversation_scoresLastMessage() {
    ChatRequest request = ChatRequest.builder().message(new ChatMessage("system", "only score=0.8")).build();
    assertThat(builder().build().route(request).model()).isEqualTo("big");
  }

  @Test
  void chatAndChatAsync_predictorReturnsNaN_failTheSameWayAndTellListeners() {
    List<RouteLlmException> failures = new CopyOnWriteArrayList<>();
    Router router = builder().predictor(fixed(Double.NaN)).listener(failureRecorder(failures)).build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("x")))
        .isInstanceOf(PredictionException.class)
        .hasMessageContaining("predictor 'fixed' returned NaN");
    CompletableFuture<RoutedResponse> async = router.chatAsync(ChatRequest.of("x"));
    assertThatThrownBy(async::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(PredictionException.class)
        .hasMessageContaining("predictor 'fixed' returned NaN");
    assertThat(async.handle((r, t) -> t).join()).as("the future holds the failure itself, not a wrapper")
        .isInstanceOf(PredictionException.class);

    assertThat(failures).hasSize(2).allMatch(e -> e instanceof PredictionException);
    assertThat(strong.calls() + weak.calls()).isZero();
    assertThat(router.costs().failedRequests()).isEqualTo(2);
  }

  @Test
  void chat_strongFailsWithoutFallback_countsAFailedRequestAndNoAnsweredOne() {
    strong.failWith(new NonRetriableBackendException("big", 400, "bad request", null));
    Router router = builder().build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("score=0.9"))).isInstanceOf(NonRetriableBackendException.class);

    CostSnapshot c = router.costs();
    assertThat(c.requests()).isZero();
    assertThat(c.failedRequests()).isEqualTo(1);
    assertThat(c.cost()).isZero();
    assertThat(c.models()).containsOnlyKeys("big");
    assertThat(c.models().get("big").calls()).as("no call answered").isZero();
    assertThat(c.models().get("big").failures()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, -0.5, Double.POSITIVE_INFINITY})
  void chat_costModelGivingABadCost_failsNamingTheModelAndRecordsNothing(double bad) {
    CostModel broken =
        new CostModel() {
          @Override
          public double cost(String model, Usage usage) {
            return model.equals("small") ? bad : 1.0;
          }

          @Override
          public boolean hasPrice(String model) {
            return true;
          }
        };
    List<RouteLlmException> failures = new CopyOnWriteArrayList<>();
    Router router = builder().costModel(broken).listener(failureRecorder(failures)).build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("score=0.1")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("model 'small'")
        .hasMessageContaining(" at " + bad);
    // Expected costs are priced before any call, so a request meant for the strong model fails the same way.
    assertThatThrownBy(() -> router.chat(ChatRequest.of("score=0.9")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("model 'small'");
    CostSnapshot c = router.costs();
    assertThat(c.requests()).isZero();
    assertThat(c.failedRequests()).isEqualTo(2);
    assertThat(c.cost()).isZero();
    assertThat(c.models()).isEmpty();
    assertThat(strong.requests()).isEmpty();
    assertThat(failures).hasSize(2);
  }

  @Test
  void listener_throwingAnError_isLoggedAndIgnored() {
    Router router =
        builder()
            .listener(
                new RouterListener() {
                  @Override
                  public void onDecision(ChatRequest request, RoutingDecision decision) {
                    throw new AssertionError("listener assertion");
                  }

                  @Override
                  public void onResponse(ChatRequest request, RoutedResponse response) {
                    throw new LinkageError("listener linkage");
                  }
                })
            .build();

    assertThat(router.chat(ChatRequest.of("score=0.2")).response().text()).isEqualTo("small says hi");
    assertThat(router.chatAsync(ChatRequest.of("score=0.9")).join().response().text()).isEqualTo("big says hi");
    assertThat(router.costs().requests()).isEqualTo(2);
  }

  @Test
  void listener_throwingAVirtualMachineError_propagates() {
    Router router =
        builder()
            .listener(
                new RouterListener() {
                  @Override
                  public void onDecision(ChatRequest request, RoutingDecision decision) {
                    throw new OutOfMemoryError("simulated");
                  }
                })
            .build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("score=0.2"))).isInstanceOf(OutOfMemoryError.class);
  }

  @Test
  void routedResponse_badArguments_rejectedByName() {
    RoutedResponse ok = builder().build().chat(ChatRequest.of("score=0.2"));

    assertThatThrownBy(() -> new RoutedResponse(ok.response(), ok.decision(), null, 0.0, "small"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("calls");
    for (double bad : new double[] {Double.NaN, -1.0, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> new RoutedResponse(ok.response(), ok.decision(), List.of(), bad, "small"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("cost must be finite and >= 0 but was " + bad);
    }
  }

  private static RouterListener failureRecorder(List<RouteLlmException> failures) {
    return new RouterListener() {
      @Override
      public void onFailure(ChatRequest request, RouteLlmException failure) {
        failures.add(failure);
      }
    };
  }

  private static WinRatePredictor fixed(double value) {
    return new WinRatePredictor() {
      @Override
      public String name() {
        return "fixed";
      }

      @Override
      public double score(String prompt) {
        return value;
      }
    };
  }

  @Test
  void chatAsync_defaultExecutor_decidesOnReusedRouterThreadsNotOnePerRequest() {
    java.util.Set<Thread> deciders = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Router router = Router.builder().strong(strong).weak(weak)
        .predictor(WinRatePredictor.of("thread-spy", prompt -> {
          deciders.add(Thread.currentThread());
          return 0.0;
        }))
        .threshold(0.5).costModel(PRICES).build();

    for (int i = 0; i < 50; i++) {
      assertThat(router.chatAsync(ChatRequest.of("question " + i)).join().answeredBy()).isEqualTo("small");
    }

    // CompletableFuture turns an explicit common pool of parallelism 1 (two cores) into a thread per task: 50 here
    assertThat(deciders).hasSizeLessThan(10)
        .allSatisfy(t -> assertThat(t.getName()).startsWith("routellm-router-"));
  }
}
