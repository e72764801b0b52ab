package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.DeadlineExceededException;
import dev.routellm.NoEligibleModelException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.PredictionException;
import dev.routellm.RetriableBackendException;
import dev.routellm.cascade.AnswerExtractor;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.Capability;
import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.ToolCall;
import dev.routellm.chat.Usage;
import dev.routellm.prediction.QualityPredictor;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PoolRouterTest {
  // Per million tokens: frontier 10/30, mid 1/2, small 0.1/0.2. A 100-token prompt (400 characters) with a 264-token
  // answer costs 0.00892, 0.000628 and 0.0000628 dollars.
  private final PoolModelFake frontier = new PoolModelFake("frontier");
  private final PoolModelFake mid = new PoolModelFake("mid");
  private final PoolModelFake small = new PoolModelFake("small", Capabilities.ALL.withTools(false));

  private ModelPool pool() {
    return ModelPool.of(
        PoolModel.of(frontier, 10, 30), PoolModel.of(mid, 1, 2),
        PoolModel.builder(small).price(0.1, 0.2).capabilities(small.capabilities().withContextTokens(1_000)).build());
  }

  /** Predicts per model from the prompt: "easy" prompts all models do well, "hard" ones only the frontier. */
  private static final QualityPredictor BY_WORD =
      new QualityPredictor() {
        @Override
        public String name() {
          return "by-word";
        }

        @Override
        public List<String> models() {
          return List.of("small", "mid", "frontier");
        }

        @Override
        public double[] predict(String prompt) {
          if (prompt.contains("hard")) {
            return new double[] {0.2, 0.5, 0.95};
          }
          if (prompt.contains("medium")) {
            return new double[] {0.5, 0.9, 0.95};
          }
          return new double[] {0.9, 0.92, 0.95};
        }
      };

  private Router.Builder qualityCost(double lambda) {
    return Router.builder().pool(pool()).policy(RoutingPolicy.qualityCost(BY_WORD, lambda));
  }

  @Test
  void route_qualityCost_picksBestUtilityAndListsEveryCandidate() {
    RoutingDecision easy = qualityCost(0.5).build().route(ChatRequest.of("an easy one"));
    RoutingDecision hard = qualityCost(0.5).build().route(ChatRequest.of("a hard one"));

    assertThat(easy.model()).isEqualTo("small");
    assertThat(easy.rule()).isEqualTo(RoutingDecision.QUALITY_COST);
    assertThat(easy.candidates()).extracting(Candidate::model).containsExactly("frontier", "mid", "small");
    assertThat(easy.candidate("mid").orElseThrow().predictedQuality()).isEqualTo(0.92);
    assertThat(easy.candidate("frontier").orElseThrow().expectedCost())
        .isGreaterThan(easy.candidate("mid").orElseThrow().expectedCost());
    assertThat(easy.reason()).startsWith("small: predicted quality 0.9000");
    // frontier: 0.95 - 0.5 = 0.45; mid: 0.5 - 0.5 x 0.07 = 0.46; small: 0.2 - 0.004 = 0.196
    assertThat(hard.model()).isEqualTo("mid");
  }

  @Test
  void route_qualityCostLambdaZero_picksBestPredictedQualityWhateverThePrice() {
    assertThat(qualityCost(0.0).build().route(ChatRequest.of("an easy one")).model()).isEqualTo("frontier");
  }

  @Test
  void route_cheapestReaching_picksTheCheapestModelAboveTheTarget() {
    Router router = Router.builder().pool(pool()).policy(RoutingPolicy.cheapestReaching(BY_WORD, 0.85)).build();

    assertThat(router.route(ChatRequest.of("easy")).model()).isEqualTo("small");
    assertThat(router.route(ChatRequest.of("medium")).model()).isEqualTo("mid");
    RoutingDecision hard = router.route(ChatRequest.of("hard"));
    assertThat(hard.model()).isEqualTo("frontier");
    assertThat(hard.rule()).isEqualTo(RoutingDecision.CHEAPEST_REACHING);
  }

  @Test
  void chat_predictorThrows_isAPredictionExceptionThatListenersAndTotalsSee() {
    QualityPredictor down = QualityPredictor.of("remote", List.of("small", "mid", "frontier"), p -> {
      throw new IllegalStateException("embedding service down");
    });
    List<String> failures = new CopyOnWriteArrayList<>();
    Router router = Router.builder().pool(pool()).policy(RoutingPolicy.qualityCost(down, 0.5))
        .listener(new RouterListener() {
          @Override
          public void onFailure(ChatRequest request, dev.routellm.RouteLlmException failure) {
            failures.add(failure.getClass().getSimpleName() + ": " + failure.getMessage());
          }
        }).build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("easy")))
        .isInstanceOf(PredictionException.class)
        .hasMessageContaining("could not decide")
        .hasMessageContaining("embedding service down")
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> router.chatAsync(ChatRequest.of("easy")).join())
        .hasCauseInstanceOf(PredictionException.class);

    assertThat(failures).hasSize(2).allSatisfy(f -> assertThat(f).startsWith("PredictionException: "));
    assertThat(router.costs().failedRequests()).isEqualTo(2);
    assertThat(ModelCall.Failure.kindOf(new PredictionException("x", null))).isEqualTo("prediction_failed");
    assertThat(small.calls() + mid.calls() + frontier.calls()).as("no model is called").isZero();
  }

  @Test
  void route_predictorReturnsNaNOrTooFewValues_isAPredictionExceptionNamingThePredictor() {
    QualityPredictor viaOf = QualityPredictor.of("broken", List.of("small", "mid", "frontier"),
        p -> new double[] {0.5, Double.NaN, 0.9});
    assertThatThrownBy(() -> Router.builder().pool(pool()).policy(RoutingPolicy.qualityCost(viaOf, 0.5)).build()
        .route(ChatRequest.of("easy")))
        .isInstanceOf(PredictionException.class)
        .hasMessageContaining("broken");
    QualityPredictor handWritten = new QualityPredictor() { // no checks of its own: the router's are what remain
      @Override
      public String name() {
        return "hand";
      }

      @Override
      public List<String> models() {
        return List.of("small", "mid", "frontier");
      }

      @Override
      public double[] predict(String prompt) {
        return prompt.contains("nan") ? new double[] {0.5, Double.NaN, 0.9} : new double[] {0.5};
      }
    };
    Router router = Router.builder().pool(pool()).policy(RoutingPolicy.qualityCost(handWritten, 0.5)).build();
    assertThatThrownBy(() -> router.route(ChatRequest.of("nan please")))
        .isInstanceOf(PredictionException.class)
        .hasMessage("predictor 'hand' predicted NaN for model 'mid', outside [0, 1]");
    assertThatThrownBy(() -> router.route(ChatRequest.of("short")))
        .isInstanceOf(PredictionException.class)
        .hasMessage("predictor 'hand' returned 1 predictions for its 3 models");
    Router twoModels = Router.builder().strong(frontier).weak(small).costModel(dev.routellm.cost.CostModel.builder()
            .price("frontier", 10, 30).price("small", 0.1, 0.2).build())
        .predictor(new dev.routellm.prediction.WinRatePredictor() {
          @Override
          public String name() {
            return "over";
          }

          @Override
          public double score(String prompt) {
            return 1.5;
          }
        }).threshold(0.5).build();
    assertThatThrownBy(() -> twoModels.route(ChatRequest.of("x")))
        .isInstanceOf(PredictionException.class)
        .hasMessage("predictor 'over' returned 1.5, outside [0, 1]");
  }

  @Test
  void route_predictorRefusesThePromptAsAnArgument_staysAnIllegalArgumentException() {
    QualityPredictor picky = QualityPredictor.of("picky", List.of("small", "mid", "frontier"), p -> {
      throw new IllegalArgumentException("the prompt has 9000 tokens, over the model's limit of 512");
    });
    Router router = Router.builder().pool(pool()).policy(RoutingPolicy.qualityCost(picky, 0.5)).build();

    assertThatThrownBy(() -> router.route(ChatRequest.of("a very long prompt")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("the prompt has 9000 tokens, over the model's limit of 512");
  }

  @Test
  void chat_chosenModelFails_fallsBackAlongThePolicysRanking() {
    small.failWith(new RetriableBackendException("small", 503, "small down", null));
    mid.failWith(new RetriableBackendException("mid", 503, "mid down", null));
    List<String> fallbacks = new CopyOnWriteArrayList<>();
    Router router = qualityCost(0.5).listener(new RouterListener() {
      @Override
      public void onFallback(ChatRequest request, ModelCall failed, String nextModel) {
        fallbacks.add(failed.model() + "->" + nextModel);
      }
    }).build();

    RoutedResponse r = router.chat(ChatRequest.of("easy"));

    // easy: small (0.896) > mid (0.885) > frontier (0.45)
    assertThat(fallbacks).containsExactly("small->mid", "mid->frontier");
    assertThat(r.answeredBy()).isEqualTo("frontier");
    assertThat(r.decision().model()).isEqualTo("small");
    assertThat(r.fellBack()).isTrue();
    assertThat(r.calls()).extracting(ModelCall::model).containsExactly("small", "mid", "frontier");
    assertThat(r.calls().get(0).failure().orElseThrow().kind()).isEqualTo("http_status");
  }

  @Test
  void chat_nonRetriableFailure_doesNotFallBackByDefault() {
    small.failWith(new NonRetriableBackendException("small", 400, "bad request", null));

    assertThatThrownBy(() -> qualityCost(0.5).build().chat(ChatRequest.of("easy")))
        .isInstanceOf(NonRetriableBackendException.class);
    assertThat(mid.calls()).isZero();
  }

  @Test
  void chat_allowedModels_excludeTheOthersAndTheDecisionSaysWhy() {
    RoutedResponse r =
        qualityCost(0.5).build().chat(ChatRequest.of("easy"), RouteOptions.builder().allowedModels("mid").build());

    assertThat(r.answeredBy()).isEqualTo("mid");
    assertThat(r.decision().candidate("small").orElseThrow().excluded())
        .hasValueSatisfying(why -> assertThat(why).contains("allowed models"));
    assertThat(r.decision().reason()).contains("'small' skipped");
    assertThat(small.calls()).isZero();
  }

  @Test
  void route_allowedModelNotInThePool_isRejectedNamingIt() {
    assertThatThrownBy(() -> qualityCost(0.5).build().route(ChatRequest.of("easy"),
            RouteOptions.builder().allowedModels("gpt-5").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'gpt-5'")
        .hasMessageContaining("[frontier, mid, small]");
  }

  @Test
  void chat_maxCost_excludesModelsExpectedOverItAndCapsTheAnswer() {
    String prompt = "hard " + "x".repeat(395); // 100 tokens
    RouteOptions limit = RouteOptions.builder().maxCost(0.001).build();

    RoutedResponse r = qualityCost(0.0).build().chat(ChatRequest.of(prompt), limit);

    assertThat(r.decision().candidate("frontier").orElseThrow().excluded())
        .hasValueSatisfying(why -> assertThat(why).contains("exceeds the request's max cost $0.001"));
    assertThat(r.answeredBy()).isEqualTo("mid");
    // mid: (0.001 - 104 tokens x $1/M) / ($2/M) = 448 tokens at most
    assertThat(mid.requests().get(0).maxTokens()).hasValue(448);
  }

  @Test
  void chat_toolRequest_neverGoesToAModelWithoutTools() {
    ChatRequest withTools = ChatRequest.builder().user("easy")
        .extra("tools", List.of(Map.of("type", "function", "function", Map.of("name", "f")))).build();

    RoutedResponse r = qualityCost(0.5).build().chat(withTools);

    assertThat(r.answeredBy()).isEqualTo("mid");
    assertThat(r.decision().candidate("small").orElseThrow().excluded())
        .hasValueSatisfying(why -> assertThat(why).contains("has no tools"));
  }

  @Test
  void route_promptLongerThanAContext_neverGoesToThatModel() {
    RoutingDecision d = qualityCost(0.5).build().route(ChatRequest.of("easy " + "y".repeat(4_000)));

    assertThat(d.model()).isEqualTo("mid");
    assertThat(d.candidate("small").orElseThrow().excluded())
        .hasValueSatisfying(why -> assertThat(why).contains("exceeds its context of 1000 tokens"));
  }

  @Test
  void chat_noModelCanServe_failsAtOnceNamingEachLimit() {
    RouteOptions limits = RouteOptions.builder().allowedModels("small", "frontier").maxCost(0.000001)
        .require(Capability.LOGPROBS).build();

    assertThatThrownBy(() -> qualityCost(0.5).build().chat(ChatRequest.of("easy"), limits))
        .isInstanceOfSatisfying(NoEligibleModelException.class, e -> {
          assertThat(e.reasons()).containsOnlyKeys("frontier", "mid", "small");
          assertThat(e.reasons().get("mid")).contains("allowed models");
          assertThat(e.reasons().get("frontier")).contains("max cost");
        });
    assertThat(small.calls() + mid.calls() + frontier.calls()).isZero();
  }

  @Test
  void chat_toolConversation_staysOnTheModelThatStartedIt() {
    mid.callsTools(ToolCall.function("call_1", "lookup", "{}"));
    ChatRequest first = ChatRequest.builder().user("medium question")
        .extra("tools", List.of(Map.of("type", "function", "function", Map.of("name", "lookup")))).build();
    Router router = qualityCost(0.5).build();

    RoutedResponse r1 = router.chat(first);
    mid.answers("done");
    ChatRequest second = first.toBuilder().message(r1.response().asMessage())
        .message(ChatMessage.tool("call_1", "42")).build();
    // Without the tools list, the easy prompt alone would go to small.
    ChatRequest third = ChatRequest.builder().messages(second.messages()).build();
    RoutedResponse r2 = router.chat(third);

    assertThat(r1.answeredBy()).isEqualTo("mid");
    assertThat(r2.answeredBy()).isEqualTo("mid");
    assertThat(r2.decision().rule()).isEqualTo(RoutingDecision.TOOL_CONVERSATION);
    assertThat(r2.decision().reason()).contains("continues the tool calls that 'mid' asked for");
  }

  // ---------------------------------------------------------------- cascades

  private static final AnswerExtractor LAST_NUMBER = (question, answer) -> {
    String[] words = answer.replaceAll("[^0-9 ]", " ").trim().split("\\s+");
    return words.length == 0 || words[0].isEmpty() ? Optional.empty() : Optional.of(words[words.length - 1]);
  };

  private Router agreementCascade() {
    Cascade chain = Cascade.builder().step(StepCheck.agreement(LAST_NUMBER), "small", "mid").then("frontier").build();
    return Router.builder().pool(pool()).policy(RoutingPolicy.cascade(chain)).build();
  }

  @Test
  void chat_cheapAnswersAgree_keepsTheFirstAndPaysBothCalls() {
    small.answers("It is 42.");
    mid.answers("The answer is 42");

    RoutedResponse r = agreementCascade().chat(ChatRequest.of("6 x 7?"));

    assertThat(r.response().text()).isEqualTo("It is 42.");
    assertThat(r.answeredBy()).isEqualTo("small");
    assertThat(r.decision().reason()).contains("small and mid agree on '42'", "kept");
    assertThat(r.decision().score()).isEqualTo(1.0);
    assertThat(r.calls()).extracting(ModelCall::model).containsExactlyInAnyOrder("small", "mid");
    assertThat(r.cost()).isCloseTo(r.calls().get(0).cost() + r.calls().get(1).cost(), within(1e-15));
    assertThat(frontier.calls()).isZero();
  }

  @Test
  void chatAndStream_cheapAnswersDisagree_escalateToTheStrongModel() {
    small.answers("It is 41.");
    mid.answers("The answer is 42");
    frontier.answers("42");
    List<String> events = new ArrayList<>();

    RoutedResponse r = agreementCascade().stream(ChatRequest.of("6 x 7?"), new RoutedStreamListener() {
      @Override
      public void onDecision(RoutingDecision decision) {
        events.add("decision " + decision.model());
      }

      @Override
      public void onText(String delta) {
        events.add("text " + delta);
      }
    });

    assertThat(events).containsExactly("decision frontier", "text 42");
    assertThat(r.decision().reason()).contains("answers differ: small '41' vs mid '42'", "escalated to 'frontier'");
    assertThat(r.decision().score()).isEqualTo(0.5);
    assertThat(r.calls()).hasSize(3);
  }

  @Test
  void chatAsync_cheapAnswersDisagree_escalateToo() {
    small.answers("41");
    mid.answers("42");

    RoutedResponse r = agreementCascade().chatAsync(ChatRequest.of("6 x 7?")).join();

    assertThat(r.answeredBy()).isEqualTo("frontier");
    assertThat(r.calls()).extracting(ModelCall::model).containsExactlyInAnyOrder("small", "mid", "frontier");
  }

  @Test
  void chat_oneCheapModelFails_cannotCheckAgreementAndEscalates() {
    small.failWith(new RetriableBackendException("small", 503, "small down", null));

    RoutedResponse r = agreementCascade().chat(ChatRequest.of("6 x 7?"));

    assertThat(r.response().model()).isEqualTo("frontier");
    assertThat(r.calls()).hasSize(3);
  }

  @Test
  void route_cascade_isProvisionalForTheFirstStep() {
    RoutingDecision d = agreementCascade().route(ChatRequest.of("6 x 7?"));

    assertThat(d.model()).isEqualTo("small");
    assertThat(d.score()).isNaN();
    assertThat(d.reason()).contains("small and mid answer first");
  }

  private Router verifierCascade() {
    Cascade chain = Cascade.builder().step(StepCheck.verifier("mid", 0.7), "small").then("frontier").build();
    return Router.builder().pool(pool()).policy(RoutingPolicy.cascade(chain)).build();
  }

  @Test
  void chat_verifierSaysNo_escalatesAndRecordsTheVerifierCall() {
    small.answers("41");
    mid.answers("No");

    RoutedResponse r = verifierCascade().chat(ChatRequest.of("6 x 7?"));

    assertThat(r.answeredBy()).isEqualTo("frontier");
    assertThat(r.calls()).extracting(ModelCall::model, ModelCall::role).containsExactly(
        org.assertj.core.groups.Tuple.tuple("small", ModelCall.Role.ANSWER),
        org.assertj.core.groups.Tuple.tuple("mid", ModelCall.Role.VERIFY),
        org.assertj.core.groups.Tuple.tuple("frontier", ModelCall.Role.ANSWER));
    assertThat(mid.requests().get(0).lastUserMessage()).contains("6 x 7?", "41");
    assertThat(r.decision().score()).isZero();
  }

  @Test
  void chat_verifierLogprobsSayMostlyYes_keepsTheCheapAnswer() {
    small.answers("42");
    mid.answers("Yes").logprobs(new TokenLogprob("Yes", Math.log(0.8),
        List.of(new TokenLogprob.Alternative("Yes", Math.log(0.8)), new TokenLogprob.Alternative("No",
            Math.log(0.2)))));

    RoutedResponse r = verifierCascade().chat(ChatRequest.of("6 x 7?"));

    assertThat(r.answeredBy()).isEqualTo("small");
    assertThat(r.decision().score()).isCloseTo(0.8, within(1e-9));
    assertThat(frontier.calls()).isZero();
  }

  @Test
  void chat_routeThenCascade_hardPromptSkipsTheCheapStep() {
    Cascade chain = Cascade.builder().step(StepCheck.agreement(LAST_NUMBER), "small", "mid").then("frontier")
        .startWhen(BY_WORD, 0.8).build();
    Router router = Router.builder().pool(pool()).policy(RoutingPolicy.cascade(chain)).build();
    small.answers("1");
    mid.answers("1");

    RoutedResponse hard = router.chat(ChatRequest.of("a hard one"));
    RoutedResponse easy = router.chat(ChatRequest.of("an easy one"));

    assertThat(hard.answeredBy()).isEqualTo("frontier");
    assertThat(hard.calls()).hasSize(1);
    assertThat(hard.decision().reason()).contains("starts at step 2 of 2");
    assertThat(easy.answeredBy()).isEqualTo("small");
  }

  @Test
  void build_cascadeNamingAModelOutsideThePool_isRejected() {
    Cascade chain = Cascade.builder().step(StepCheck.verifier("judge", 0.5), "small").then("frontier").build();

    assertThatThrownBy(() -> Router.builder().pool(pool()).policy(RoutingPolicy.cascade(chain)).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'judge'");
  }

  @Test
  void build_predictorMissingAPoolModel_isRejectedNamingIt() {
    QualityPredictor two = new QualityPredictor() {
      @Override
      public String name() {
        return "two";
      }

      @Override
      public List<String> models() {
        return List.of("small", "mid");
      }

      @Override
      public double[] predict(String prompt) {
        return new double[] {0.5, 0.5};
      }
    };

    assertThatThrownBy(() -> Router.builder().pool(pool()).policy(RoutingPolicy.qualityCost(two, 0.1)).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no prediction for pool model 'frontier'");
  }

  @Test
  void build_poolModelWithoutPrice_isRejectedNamingIt() {
    assertThatThrownBy(() -> Router.builder().model(PoolModel.of(mid, 1, 2)).model(PoolModel.builder(small).build())
            .policy(RoutingPolicy.qualityCost(BY_WORD, 0.1)).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'small' has none");
  }

  // ---------------------------------------------------------------- breakers and deadlines

  /** A clock the test moves by hand. */
  static final class TestClock extends Clock {
    final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  @Test
  void chat_modelFailingRepeatedly_opensItsBreakerAndIsSkippedUntilTheWaitIsOver() {
    TestClock clock = new TestClock();
    CircuitBreakerConfig breaker = CircuitBreakerConfig.custom()
        .slidingWindow(4, 4, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(50f).waitDurationInOpenState(Duration.ofSeconds(30))
        .permittedNumberOfCallsInHalfOpenState(1).build();
    small.failTimes(4, new RetriableBackendException("small", 503, "small down", null));
    Router router = qualityCost(0.5).clock(clock).circuitBreaker(breaker).build();

    for (int i = 0; i < 4; i++) {
      assertThat(router.chat(ChatRequest.of("easy")).answeredBy()).isEqualTo("mid");
    }
    assertThat(router.health().get("small").state()).isEqualTo(ModelHealth.State.OPEN);
    RoutedResponse whileOpen = router.chat(ChatRequest.of("easy"));

    assertThat(small.calls()).isEqualTo(4);
    assertThat(whileOpen.decision().model()).isEqualTo("mid");
    assertThat(whileOpen.fellBack()).isFalse();
    assertThat(whileOpen.decision().candidate("small").orElseThrow().excluded())
        .hasValueSatisfying(why -> assertThat(why).startsWith("circuit open"));
    assertThat(router.costs().models().get("small").skipped()).isEqualTo(1);
    router.route(ChatRequest.of("easy")); // a decision alone is not a request: nothing was refused
    router.chat(ChatRequest.of("easy"));
    assertThat(router.health().get("small").notPermittedCalls()).as("requests that left small out").isEqualTo(2);
    assertThat(router.costs().models().get("small").skipped()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(31));
    RoutedResponse probe = router.chat(ChatRequest.of("easy"));

    assertThat(probe.answeredBy()).isEqualTo("small");
    assertThat(router.health().get("small").state()).isEqualTo(ModelHealth.State.CLOSED);
  }

  @Test
  void chat_deadlinePassesDuringAFailingCall_stopsBeforeTheFallbackNamingWhatRanOut() {
    TestClock clock = new TestClock();
    small.during(() -> clock.advance(Duration.ofSeconds(5)))
        .failWith(new RetriableBackendException("small", 503, "small down", null));
    Router router = qualityCost(0.5).clock(clock).deadline(Duration.ofSeconds(4)).build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("easy")))
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessageContaining("deadline of 4000 ms exceeded: waiting for 'small'");
    assertThat(mid.calls()).isZero();
    assertThat(router.costs().failedRequests()).isEqualTo(1);
  }

  @Test
  void chat_requestDeadlineOption_overridesTheRoutersDefault() {
    TestClock clock = new TestClock();
    small.during(() -> clock.advance(Duration.ofSeconds(2)))
        .failWith(new RetriableBackendException("small", 503, "small down", null));
    Router router = qualityCost(0.5).clock(clock).build();

    assertThatThrownBy(() -> router.chat(ChatRequest.of("easy"),
            RouteOptions.builder().deadline(Duration.ofSeconds(1)).build()))
        .isInstanceOf(DeadlineExceededException.class);
    assertThat(router.chat(ChatRequest.of("easy")).answeredBy()).isEqualTo("small");
  }

  @Test
  void costs_nWayTraffic_countAnswersPerModelAndSavingAgainstTheReference() {
    Router router = qualityCost(0.5).build();
    router.chat(ChatRequest.of("easy"));
    router.chat(ChatRequest.of("hard"));

    var c = router.costs();
    assertThat(router.referenceModel()).isEqualTo("frontier");
    assertThat(c.requests()).isEqualTo(2);
    assertThat(c.strongRequests()).isZero();
    assertThat(c.models().get("small").answers()).isEqualTo(1);
    assertThat(c.models().get("mid").answers()).isEqualTo(1);
    double frontierCost = 2 * (100 * 10.0 + 200 * 30.0) / 1e6;
    assertThat(c.allStrongCost()).isCloseTo(frontierCost, within(1e-12));
    assertThat(c.saving()).isGreaterThan(0.0);
  }
}
