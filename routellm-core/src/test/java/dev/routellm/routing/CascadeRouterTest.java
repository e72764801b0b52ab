package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.RetriableBackendException;
import dev.routellm.RouteLlmException;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.cascade.LogprobConfidenceModel;
import dev.routellm.cascade.LogprobFeature;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.prediction.RandomPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class CascadeRouterTest {
  private static final String WEAK = "llama-3-8b";
  private static final String STRONG = "llama-3-70b";
  private static final CostModel PRICES =
      CostModel.builder().price(WEAK, 1.0, 1.0).price(STRONG, 10.0, 30.0).build();
  private static final Usage WEAK_USAGE = Usage.of(100, 20);
  private static final Usage STRONG_USAGE = Usage.of(100, 50);
  private static final double WEAK_COST = (100 * 1.0 + 20 * 1.0) / 1e6;
  private static final double STRONG_COST = (100 * 10.0 + 50 * 30.0) / 1e6;
  private static final ChatRequest REQUEST = ChatRequest.of("Janet has 16 eggs and eats 3. How many are left?");

  /** 20 tokens of -1.0: sum -20, Alamere confidence 0.8129. */
  private static final double[] SUM_MINUS_20 = repeat(-1.0, 20);
  /** sum -21.1: Alamere confidence 0.7999. */
  private static final double[] SUM_MINUS_21_1 = {-10.0, -11.1};

  private final ScriptedBackend weak = new ScriptedBackend(WEAK);
  private final ScriptedBackend strong = new ScriptedBackend(STRONG);
  private final List<String> events = new ArrayList<>();

  private Router.Builder cascade() {
    return Router.builder()
        .strong(strong)
        .weak(weak)
        .cascade(ConfidenceModel.alamere())
        .threshold(0.8)
        .costModel(PRICES)
        .executor(Runnable::run);
  }

  @Test
  void chat_sumMinus20AtThreshold08_keepsWeakAnswerAndPaysOneCall() {
    weak.answers("13 eggs are left.", WEAK_USAGE, SUM_MINUS_20);
    Router router = cascade().build();

    RoutedResponse r = router.chat(REQUEST);

    assertThat(r.decision().score()).isCloseTo(0.8129, within(5e-5));
    assertThat(r.decision().model()).isEqualTo(WEAK);
    assertThat(r.decision().reason()).contains("confidence of '" + WEAK + "' 0.8129 >= threshold 0.8000", "kept");
    assertThat(r.answeredBy()).isEqualTo(WEAK);
    assertThat(r.response().text()).isEqualTo("13 eggs are left.");
    assertThat(r.calls()).extracting(ModelCall::model).containsExactly(WEAK);
    assertThat(r.cost()).isCloseTo(WEAK_COST, within(1e-15));
    assertThat(strong.calls()).isZero();
  }

  @Test
  void chat_sumMinus21_1AtThreshold08_escalatesAndRecordsBothCallsAndCosts() {
    weak.answers("14 eggs.", WEAK_USAGE, SUM_MINUS_21_1);
    strong.answers("16 - 3 = 13 eggs are left.", STRONG_USAGE, (double[]) null);
    Router router = cascade().build();

    RoutedResponse r = router.chat(REQUEST);

    assertThat(r.decision().score()).isCloseTo(0.7999, within(5e-5));
    assertThat(r.decision().model()).isEqualTo(STRONG);
    assertThat(r.decision().model()).isEqualTo(STRONG);
    assertThat(r.decision().reason()).contains("confidence of '" + WEAK + "' 0.7999 < threshold 0.8000", "escalated to '" + STRONG + "'");
    assertThat(r.answeredBy()).isEqualTo(STRONG);
    assertThat(r.fellBack()).isFalse();
    assertThat(r.response().text()).isEqualTo("16 - 3 = 13 eggs are left.");
    assertThat(r.calls()).extracting(ModelCall::model).containsExactly(WEAK, STRONG);
    assertThat(r.calls()).extracting(ModelCall::cost).containsExactly(WEAK_COST, STRONG_COST);
    assertThat(r.cost()).isCloseTo(WEAK_COST + STRONG_COST, within(1e-15));
  }

  @Test
  void chat_always_requestsLogprobsFromWeakOnlyAndSendsStrongTheOriginalRequest() {
    weak.answers("14 eggs.", WEAK_USAGE, SUM_MINUS_21_1);
    strong.answers("13", STRONG_USAGE, (double[]) null);

    cascade().build().chat(REQUEST);

    ChatRequest sentToWeak = weak.requests.get(0);
    assertThat(sentToWeak.logprobs()).isTrue();
    assertThat(sentToWeak.topLogprobs()).isEqualTo(1);
    assertThat(sentToWeak.messages()).isEqualTo(REQUEST.messages());
    assertThat(strong.requests).containsExactly(REQUEST);
  }

  @Test
  void chat_marginFeature_requestsTwoAlternativesPerToken() {
    LogprobConfidenceModel margin =
        LogprobConfidenceModel.logistic(List.of(LogprobFeature.MARGIN_MEAN), 0.0, 1.0);
    List<TokenLogprob> tokens =
        List.of(
            new TokenLogprob(
                "13", -0.1, List.of(new TokenLogprob.Alternative("13", -0.1), new TokenLogprob.Alternative("12", -3.0))));
    weak.answers(ChatResponse.builder().model(WEAK).text("13").usage(WEAK_USAGE).logprobs(tokens).build());

    RoutedResponse r =
        Router.builder().strong(strong).weak(weak).cascade(margin).threshold(0.5).costModel(PRICES).build().chat(REQUEST);

    assertThat(weak.requests.get(0).topLogprobs()).isEqualTo(2);
    // margin 2.9: sigmoid(2.9)
    assertThat(r.decision().score()).isCloseTo(1 / (1 + Math.exp(-2.9)), within(1e-12));
  }

  @Test
  void chat_weakAnswerWithoutLogprobsUnderDefaultPolicy_failsNamingTheModelAndKeepsItsCost() {
    weak.answers("13", WEAK_USAGE, (double[]) null);
    List<RouteLlmException> failures = new ArrayList<>();
    Router router =
        cascade()
            .listener(
                new RouterListener() {
                  @Override
                  public void onFailure(ChatRequest request, RouteLlmException failure) {
                    failures.add(failure);
                  }
                })
            .build();

    assertThatThrownBy(() -> router.chat(REQUEST))
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessageContaining("'" + WEAK + "'")
        .hasMessageContaining("log-probabilities")
        .hasMessageContaining("MissingLogprobsPolicy.ESCALATE");
    assertThat(strong.calls()).isZero();
    assertThat(failures).hasSize(1);
    CostSnapshot costs = router.costs();
    assertThat(costs.requests()).isZero();
    assertThat(costs.failedRequests()).isEqualTo(1);
    assertThat(costs.models().get(WEAK).cost()).isCloseTo(WEAK_COST, within(1e-15));
    assertThat(costs.cost()).as("money spent on a failed request is spent").isCloseTo(WEAK_COST, within(1e-15));
  }

  @Test
  void chat_weakAnswerWithoutLogprobsUnderEscalatePolicy_escalatesAndSaysWhy() {
    weak.answers("13", WEAK_USAGE, (double[]) null);
    strong.answers("13 eggs", STRONG_USAGE, (double[]) null);

    RoutedResponse r = cascade().missingLogprobs(MissingLogprobsPolicy.ESCALATE).build().chat(REQUEST);

    assertThat(r.answeredBy()).isEqualTo(STRONG);
    assertThat(r.decision().model()).isEqualTo(STRONG);
    assertThat(r.decision().score()).isNaN();
    assertThat(r.decision().reason()).contains("log-probabilities", "ESCALATE");
    assertThat(r.calls()).hasSize(2);
  }

  @Test
  void chat_emptyWeakAnswer_escalatesEvenUnderFailPolicy() {
    weak.answers(ChatResponse.builder().model(WEAK).text("").usage(Usage.of(100, 0)).logprobs(List.of()).build());
    strong.answers("13", STRONG_USAGE, (double[]) null);

    RoutedResponse r = cascade().build().chat(REQUEST);

    assertThat(r.answeredBy()).isEqualTo(STRONG);
    assertThat(r.decision().reason()).contains("empty");
  }

  @Test
  void stream_keptAnswer_deliversDecisionFirstThenWeakTextInOnePiece() {
    weak.answers("13 eggs are left.", WEAK_USAGE, SUM_MINUS_20);

    RoutedResponse r = cascade().build().stream(REQUEST, recorder());

    assertThat(events).containsExactly("decision:" + WEAK, "text:13 eggs are left.");
    assertThat(r.answeredBy()).isEqualTo(WEAK);
  }

  @Test
  void stream_escalated_deliversDecisionThenStreamsOnlyTheStrongAnswer() {
    weak.answers("14 eggs.", WEAK_USAGE, SUM_MINUS_21_1);
    strong.answers("16 - 3 = 13", STRONG_USAGE, (double[]) null);

    RoutedResponse r = cascade().build().stream(REQUEST, recorder());

    assertThat(events).containsExactly("decision:" + STRONG, "text:16 ", "text:- ", "text:3 ", "text:= ", "text:13");
    assertThat(weak.requests.get(0).logprobs()).isTrue();
    assertThat(r.cost()).isCloseTo(WEAK_COST + STRONG_COST, within(1e-15));
  }

  @Test
  void chat_weakFailsRetriably_strongAnswersAsFallbackWithoutConfidence() {
    weak.fails(new RetriableBackendException(WEAK, 503, "weak down", null));
    strong.answers("13", STRONG_USAGE, (double[]) null);
    List<String> fallbacks = new ArrayList<>();

    RoutedResponse r = cascade().listener(fallbackRecorder(fallbacks)).build().chat(REQUEST);

    assertThat(r.decision().model()).isEqualTo(WEAK);
    assertThat(r.decision().score()).isNaN();
    assertThat(r.decision().reason()).contains("'" + WEAK + "' failed before its answer could be checked", "weak down");
    assertThat(r.answeredBy()).isEqualTo(STRONG);
    assertThat(r.fellBack()).isTrue();
    assertThat(r.calls()).extracting(ModelCall::succeeded).containsExactly(false, true);
    assertThat(r.cost()).isCloseTo(STRONG_COST, within(1e-15));
    assertThat(strong.requests).containsExactly(REQUEST);
    assertThat(fallbacks).containsExactly(STRONG);
  }

  @Test
  void chat_weakFailsNonRetriablyUnderDefaultFallback_throws() {
    weak.fails(new NonRetriableBackendException(WEAK, 400, "bad request", null));

    assertThatThrownBy(() -> cascade().build().chat(REQUEST))
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessage("bad request");
    assertThat(strong.calls()).isZero();
  }

  @Test
  void chat_strongFailsAfterEscalation_returnsTheWeakAnswerInHand() {
    weak.answers("14 eggs.", WEAK_USAGE, SUM_MINUS_21_1);
    strong.fails(new RetriableBackendException(STRONG, 429, "rate limited", null));
    List<String> fallbacks = new ArrayList<>();

    RoutedResponse r = cascade().listener(fallbackRecorder(fallbacks)).build().chat(REQUEST);

    assertThat(r.response().text()).isEqualTo("14 eggs.");
    assertThat(r.decision().model()).isEqualTo(STRONG);
    assertThat(r.answeredBy()).isEqualTo(WEAK);
    assertThat(r.fellBack()).isTrue();
    assertThat(r.calls()).extracting(ModelCall::model).containsExactly(WEAK, STRONG);
    assertThat(r.calls().get(1).failure().orElseThrow().message()).contains("rate limited");
    assertThat(r.cost()).isCloseTo(WEAK_COST, within(1e-15));
    assertThat(weak.calls()).isEqualTo(1);
    assertThat(fallbacks).containsExactly(WEAK);
  }

  @Test
  void stream_strongFailsAfterEscalationBeforeAnyText_streamsTheWeakAnswer() {
    weak.answers("14 eggs.", WEAK_USAGE, SUM_MINUS_21_1);
    strong.fails(new RetriableBackendException(STRONG, 503, "down", null));

    RoutedResponse r = cascade().build().stream(REQUEST, recorder());

    assertThat(events).containsExactly("decision:" + STRONG, "text:14 eggs.");
    assertThat(r.answeredBy()).isEqualTo(WEAK);
  }

  @Test
  void stream_strongFailsMidStream_throwsBecauseTextWasDelivered() {
    weak.answers("14 eggs.", WEAK_USAGE, SUM_MINUS_21_1);
    strong.failsMidStream("16 - 3 = 13", 2, new RetriableBackendException(STRONG, 0, "connection reset", null));
    Router router = cascade().build();

    assertThatThrownBy(() -> router.stream(REQUEST, recorder()))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage("connection reset");
    assertThat(events).containsExactly("decision:" + STRONG, "text:16 ", "text:- ");
    assertThat(router.costs().models().get(WEAK).cost()).isCloseTo(WEAK_COST, within(1e-15));
  }

  @Test
  void chatAsync_keptAndEscalated_matchTheBlockingPath() {
    weak.answers("13", WEAK_USAGE, SUM_MINUS_20).answers("14", WEAK_USAGE, SUM_MINUS_21_1);
    strong.answers("13", STRONG_USAGE, (double[]) null);
    Router router = cascade().build();

    RoutedResponse kept = router.chatAsync(REQUEST).join();
    RoutedResponse escalated = router.chatAsync(REQUEST).join();

    assertThat(kept.answeredBy()).isEqualTo(WEAK);
    assertThat(kept.calls()).hasSize(1);
    assertThat(escalated.answeredBy()).isEqualTo(STRONG);
    assertThat(escalated.calls()).extracting(ModelCall::model).containsExactly(WEAK, STRONG);
    assertThat(escalated.cost()).isCloseTo(WEAK_COST + STRONG_COST, within(1e-15));
    CostSnapshot totals = router.costs();
    assertThat(totals.requests()).isEqualTo(2);
    assertThat(totals.strongRequests()).isEqualTo(1);
    assertThat(totals.cost()).isCloseTo(2 * WEAK_COST + STRONG_COST, within(1e-15));
  }

  @Test
  void chatAsync_strongFailsAfterEscalation_returnsWeakAnswer() {
    weak.answers("14", WEAK_USAGE, SUM_MINUS_21_1);
    strong.fails(new RetriableBackendException(STRONG, 503, "down", null));

    RoutedResponse r = cascade().build().chatAsync(REQUEST).join();

    assertThat(r.answeredBy()).isEqualTo(WEAK);
    assertThat(r.fellBack()).isTrue();
    assertThat(r.calls()).hasSize(2);
  }

  @Test
  void chatAsync_weakWithoutLogprobs_completesExceptionallyAndKeepsWeakCost() {
    weak.answers("13", WEAK_USAGE, (double[]) null);
    Router router = cascade().build();

    assertThatThrownBy(() -> router.chatAsync(REQUEST).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(NonRetriableBackendException.class);
    assertThat(router.costs().models().get(WEAK).cost()).isCloseTo(WEAK_COST, within(1e-15));
    assertThat(router.costs().cost()).isCloseTo(WEAK_COST, within(1e-15));
    assertThat(router.costs().failedRequests()).isEqualTo(1);
  }

  @Test
  void chatAndChatAsync_strongFailsAfterEscalationWithoutFallback_weakCostStaysInTheTotals() {
    for (int i = 0; i < 2; i++) {
      weak.answers("14 eggs.", WEAK_USAGE, SUM_MINUS_21_1);
      strong.fails(new NonRetriableBackendException(STRONG, 400, "bad request", null));
    }
    Router router = cascade().build();

    assertThatThrownBy(() -> router.chat(REQUEST)).isInstanceOf(NonRetriableBackendException.class);
    assertThatThrownBy(() -> router.chatAsync(REQUEST).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(NonRetriableBackendException.class);

    CostSnapshot c = router.costs();
    assertThat(c.requests()).isZero();
    assertThat(c.failedRequests()).isEqualTo(2);
    assertThat(c.models()).containsOnlyKeys(WEAK, STRONG);
    assertThat(c.models().get(WEAK).calls()).isEqualTo(2);
    assertThat(c.models().get(STRONG).calls()).as("no strong call answered").isZero();
    assertThat(c.models().get(STRONG).failures()).isEqualTo(2);
    assertThat(c.cost()).isCloseTo(2 * WEAK_COST, within(1e-15));
    assertThat(c.cost()).isEqualTo(c.models().values().stream().mapToDouble(CostSnapshot.ModelTotals::cost).sum());
    assertThat(c.saving()).as("money lost on failures lowers the saving").isCloseTo(-2 * WEAK_COST, within(1e-15));
  }

  @Test
  void chatAsync_cancelledWhileStrongCallIsInFlight_cancelsItAndKeepsTheWeakCost() {
    weak.answers("14 eggs.", WEAK_USAGE, SUM_MINUS_21_1);
    HangingBackend hanging = new HangingBackend(STRONG);
    Router router = cascade().strong(hanging).build();

    CompletableFuture<RoutedResponse> f = router.chatAsync(REQUEST);
    CompletableFuture<ChatResponse> call = hanging.call.join();
    assertThat(call).isNotDone();
    assertThat(f.cancel(true)).isTrue();

    assertThat(call.isCancelled()).isTrue();
    CostSnapshot c = router.costs();
    assertThat(c.requests()).isZero();
    assertThat(c.failedRequests()).isEqualTo(1);
    assertThat(c.cost()).isCloseTo(WEAK_COST, within(1e-15));
  }

  @Test
  void chatAsync_cancelledBeforeTheStrongCallStarts_neverStartsIt() {
    weak.answers("14 eggs.", WEAK_USAGE, SUM_MINUS_21_1);
    HangingBackend hanging = new HangingBackend(STRONG);
    // The judgement runs on this executor, which holds it until the test has cancelled.
    CompletableFuture<Runnable> judging = new CompletableFuture<>();
    Router router = cascade().strong(hanging).executor(judging::complete).build();

    CompletableFuture<RoutedResponse> f = router.chatAsync(REQUEST);
    f.cancel(true);
    judging.join().run();

    assertThat(hanging.call).isNotDone();
    assertThat(router.costs().cost()).isCloseTo(WEAK_COST, within(1e-15));
  }

  @Test
  void chatAsync_weakFailsRetriably_fallsBackToStrong() {
    weak.fails(new RetriableBackendException(WEAK, 503, "down", null));
    strong.answers("13", STRONG_USAGE, (double[]) null);

    RoutedResponse r = cascade().build().chatAsync(REQUEST).join();

    assertThat(r.answeredBy()).isEqualTo(STRONG);
    assertThat(r.fellBack()).isTrue();
    assertThat(strong.requests).containsExactly(REQUEST);
  }

  @Test
  void route_cascade_returnsProvisionalWeakDecisionWithoutCallingAnyModel() {
    RoutingDecision d = cascade().build().route(REQUEST);

    assertThat(d.model()).isEqualTo(WEAK);
    assertThat(d.model()).isEqualTo(WEAK);
    assertThat(d.score()).isNaN();
    assertThat(d.router()).isEqualTo("cascade");
    assertThat(d.reason()).contains(WEAK + " answer first", "decided after alamere checks the answer");
    assertThat(weak.calls() + strong.calls()).isZero();
  }

  @Test
  void chat_listeners_seeTheFinalDecisionAndTheResponse() {
    weak.answers("14", WEAK_USAGE, SUM_MINUS_21_1);
    strong.answers("13", STRONG_USAGE, (double[]) null);
    List<RoutingDecision> decisions = new ArrayList<>();
    List<RoutedResponse> responses = new ArrayList<>();
    Router router =
        cascade()
            .listener(
                new RouterListener() {
                  @Override
                  public void onDecision(ChatRequest request, RoutingDecision decision) {
                    decisions.add(decision);
                  }

                  @Override
                  public void onResponse(ChatRequest request, RoutedResponse response) {
                    responses.add(response);
                  }
                })
            .build();

    RoutedResponse r = router.chat(REQUEST);

    assertThat(decisions).containsExactly(r.decision());
    assertThat(responses).containsExactly(r);
  }

  @Test
  void builder_cascadeAfterPredictor_isRejectedAtOnce() {
    Router.Builder b = Router.builder().predictor(RandomPredictor.withSeed(1));

    assertThatThrownBy(() -> b.cascade(ConfidenceModel.alamere()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("conflicts with predictor");
  }

  @Test
  void builder_predictorAfterCascade_isRejectedAtOnce() {
    Router.Builder b = Router.builder().cascade(ConfidenceModel.alamere());

    assertThatThrownBy(() -> b.predictor(RandomPredictor.withSeed(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("conflicts with cascade");
  }

  @Test
  void build_neitherPredictorNorCascade_namesBoth() {
    Router.Builder b = Router.builder().strong(strong).weak(weak).threshold(0.5).costModel(PRICES);

    assertThatThrownBy(b::build)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("predictor(...)")
        .hasMessageContaining("cascade(");
  }

  @Test
  void build_cascadeWithoutThreshold_isRejected() {
    Router.Builder b = Router.builder().strong(strong).weak(weak).cascade(ConfidenceModel.alamere()).costModel(PRICES);

    assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class).hasMessageContaining("threshold");
  }

  @Test
  void build_cascadeWithPredictorsBuilderName_usesGivenName() {
    Router router = cascade().name("alamere-0.8").build();

    assertThat(router.name()).isEqualTo("alamere-0.8");
    assertThat(router.policy().toString()).contains("alamere >= 0.8");
    assertThat(router.referenceModel()).isEqualTo(STRONG);
  }

  private RoutedStreamListener recorder() {
    return new RoutedStreamListener() {
      @Override
      public void onDecision(RoutingDecision decision) {
        events.add("decision:" + decision.model());
      }

      @Override
      public void onText(String delta) {
        events.add("text:" + delta);
      }
    };
  }

  private static RouterListener fallbackRecorder(List<String> fallbacks) {
    return new RouterListener() {
      @Override
      public void onFallback(ChatRequest request, ModelCall failed, String fallbackTier) {
        fallbacks.add(fallbackTier);
      }
    };
  }

  private static double[] repeat(double value, int n) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, value);
    return a;
  }
}
