package dev.routellm.routing;

import dev.routellm.ConfigurationException;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.cost.CostTracker;
import dev.routellm.prediction.WinRatePredictor;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Sends each chat request to one model of a pool, and returns the answer with the decision and its cost.
 *
 * <p>The simple case, two models and RouteLLM's threshold rule:
 *
 * <pre>{@code
 * Router router = Router.builder()
 *     .strong(gpt4).weak(mixtral)
 *     .predictor(RandomPredictor.withSeed(42))
 *     .threshold(0.5)
 *     .costModel(CostModel.paperDefaults())
 *     .build();
 * RoutedResponse answer = router.chat(ChatRequest.of("What is 2 + 2?"));
 * }</pre>
 *
 * <p>The general case, a pool of N priced models and a {@link RoutingPolicy}:
 *
 * <pre>{@code
 * Router router = Router.builder()
 *     .pool(ModelPool.of(PoolModel.of(gpt4o, 2.50, 10.00), PoolModel.of(mini, 0.15, 0.60), PoolModel.of(llama, 0.05, 0.05)))
 *     .policy(RoutingPolicy.qualityCost(knn, 0.2))      // or cheapestReaching(...), cascade(...)
 *     .build();
 * }</pre>
 *
 * <p>A <b>predictive</b> policy decides before any model runs and calls one model, falling back along its ranking. A
 * <b>cascade</b> ({@link Builder#cascade} for two models, {@link RoutingPolicy#cascade} for a chain) asks cheap models
 * first and checks their answers; it pays for every step it runs, and {@link RoutedResponse#calls()} lists them all.
 *
 * <p>Per request, {@link RouteOptions} limit the models allowed, the cost (estimated before the call and enforced by
 * capping the answer's length), the capabilities required, the tenant whose spend limit pays, and the deadline. A
 * request with tools never goes to a model without tools; a prompt longer than a model's context never goes to it; a
 * tool-calling conversation stays on the model that started it. A request no model can serve fails at once with a
 * {@link dev.routellm.NoEligibleModelException}.
 *
 * <p>Failures: each model has a circuit breaker (Resilience4j; {@link Builder#DEFAULT_CIRCUIT_BREAKER}); while it is
 * open the model is skipped without being called. When a called model fails, the router moves on along the plan as
 * its {@link FallbackPolicy} allows, and throws the last failure (earlier ones attached as suppressed) when nothing
 * can answer. The whole request, retries and fallbacks included, has a deadline ({@link Builder#DEFAULT_DEADLINE});
 * running out throws {@link dev.routellm.DeadlineExceededException} naming what was running.
 *
 * <p>Thread-safe: build one router and share it. A router does not own its backends, predictors or listeners and
 * never closes them; close them yourself when the router is no longer used.
 */
public interface Router {
  /** The router's name, as it appears in decisions. */
  String name();

  /** The models this router chooses among. */
  ModelPool pool();

  /** How it chooses. */
  RoutingPolicy policy();

  /**
   * The model savings are measured against, and whose answers count as "strong" in {@link #costs()}: the pool's
   * {@linkplain ModelPool#reference() reference}, the strong model of a two-model router, else the model most
   * expensive for a typical request.
   */
  String referenceModel();

  /**
   * Decides which model would answer, without calling any model. Costs no money. A cascade cannot know before its
   * first step answers: it returns a provisional decision for the first step's model, with score {@code NaN} and a
   * reason saying that the rest is decided after the answers are checked.
   *
   * @throws dev.routellm.NoEligibleModelException when no model can serve the request within its limits
   */
  RoutingDecision route(ChatRequest request, RouteOptions options);

  /** {@link #route(ChatRequest, RouteOptions)} without limits. */
  default RoutingDecision route(ChatRequest request) {
    return route(request, RouteOptions.defaults());
  }

  /** Routes the request within {@code options}, calls the chosen model and waits for its answer. */
  RoutedResponse chat(ChatRequest request, RouteOptions options);

  /** {@link #chat(ChatRequest, RouteOptions)} without limits. */
  default RoutedResponse chat(ChatRequest request) {
    return chat(request, RouteOptions.defaults());
  }

  /**
   * Like {@link #chat} without blocking the caller. Completes exceptionally with the exception {@link #chat} would
   * throw, and tells the listeners alike. Cancelling the future cancels the model call in flight and keeps a later
   * one from starting; what calls already answered cost stays in {@link #costs()}.
   */
  CompletableFuture<RoutedResponse> chatAsync(ChatRequest request, RouteOptions options);

  /** {@link #chatAsync(ChatRequest, RouteOptions)} without limits. */
  default CompletableFuture<RoutedResponse> chatAsync(ChatRequest request) {
    return chatAsync(request, RouteOptions.defaults());
  }

  /**
   * Routes the request and streams the answer: {@code listener} gets the decision first, then the text. A fallback
   * happens only when the failing model had sent no text yet. Blocks until the answer is complete.
   *
   * <p>A cascade buffers the answers of its checked steps: the listener gets the decision once an answer is accepted
   * (or the chain moves to an unchecked step), then the accepted answer's text in one piece, or the unchecked step's
   * text as it streams.
   */
  RoutedResponse stream(ChatRequest request, RouteOptions options, RoutedStreamListener listener);

  /** {@link #stream(ChatRequest, RouteOptions, RoutedStreamListener)} without limits. */
  default RoutedResponse stream(ChatRequest request, RoutedStreamListener listener) {
    return stream(request, RouteOptions.defaults(), listener);
  }

  /** Running totals of this router's traffic: requests, tokens and answers per model, cost, saving. */
  CostSnapshot costs();

  /** Each pool model's circuit-breaker state, in pool order. */
  Map<String, ModelHealth> health();

  /** A builder for a router over a pool, or over two models. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link Router}. Setters validate their argument at once; {@link #build()} checks that the required parts
   * are present and consistent. Not thread-safe; the router it builds is.
   *
   * <p>Either a pool ({@link #pool} or {@link #model}) with a {@link #policy}, or two models ({@link #strong},
   * {@link #weak}) with a {@link #predictor} or a {@link #cascade} and a {@link #threshold}; a two-model router may
   * also take a {@link #policy} naming its two models.
   */
  final class Builder {
    /** The policy used unless {@link #fallback(FallbackPolicy)} says otherwise. */
    public static final FallbackPolicy DEFAULT_FALLBACK = FallbackPolicy.ON_RETRIABLE;
    /** What a cascade does with an answer lacking log-probabilities unless told otherwise: fail the request. */
    public static final MissingLogprobsPolicy DEFAULT_MISSING_LOGPROBS = MissingLogprobsPolicy.FAIL;
    /** A cascade's name unless {@link #name(String)} says otherwise. */
    public static final String DEFAULT_CASCADE_NAME = CascadePolicy.NAME;
    /**
     * How long a whole request may take unless {@link #deadline} or {@link RouteOptions#deadline()} says otherwise:
     * 3 minutes, retries and fallbacks included.
     */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(3);
    /**
     * Each model's circuit breaker unless {@link #circuitBreaker} or {@link PoolModel.Builder#circuitBreaker} say
     * otherwise: over the last 20 calls (once 10 were made), it opens when half failed with a retriable error (5xx,
     * 429, timeout, connection failure, garbage answer) or 80% took over 60 seconds; it stays open 30 seconds, then
     * lets 2 probe calls through, which close it again if they pass.
     */
    public static final CircuitBreakerConfig DEFAULT_CIRCUIT_BREAKER =
        CircuitBreakerConfig.custom()
            .slidingWindow(20, 10, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .failureRateThreshold(50f)
            .slowCallRateThreshold(80f)
            .slowCallDurationThreshold(Duration.ofSeconds(60))
            .waitDurationInOpenState(Duration.ofSeconds(30))
            .permittedNumberOfCallsInHalfOpenState(2)
            .build();

    ModelBackend strong;
    ModelBackend weak;
    final List<PoolModel> models = new ArrayList<>();
    ModelPool pool;
    RoutingPolicy policy;
    WinRatePredictor predictor;
    ConfidenceModel confidenceModel;
    MissingLogprobsPolicy missingLogprobs = DEFAULT_MISSING_LOGPROBS;
    ThresholdSource threshold;
    CostModel costModel;
    final List<RouterListener> listeners = new ArrayList<>();
    PromptSelector promptSelector = PromptSelector.LAST_USER_MESSAGE;
    FallbackPolicy fallback = DEFAULT_FALLBACK;
    Executor executor = RouterThreads.pool();
    CostTracker costTracker;
    String name;
    Clock clock = Clock.systemUTC();
    Duration deadline = DEFAULT_DEADLINE;
    CircuitBreakerConfig circuitBreaker = DEFAULT_CIRCUIT_BREAKER;
    SpendGuard spendGuard = SpendGuard.NONE;

    private Builder() {}

    /** The expensive model of a two-model router. */
    public Builder strong(ModelBackend backend) {
      this.strong = Objects.requireNonNull(backend, "strong");
      return this;
    }

    /** The cheap model of a two-model router. */
    public Builder weak(ModelBackend backend) {
      this.weak = Objects.requireNonNull(backend, "weak");
      return this;
    }

    /**
     * The models to choose among. Replaces models added with {@link #model}.
     *
     * @throws IllegalStateException when models were already added one by one
     */
    public Builder pool(ModelPool value) {
      Objects.requireNonNull(value, "pool");
      if (!models.isEmpty()) {
        throw new IllegalStateException("pool(...) conflicts with model(...), already called: give the pool once");
      }
      this.pool = value;
      return this;
    }

    /**
     * Adds a model to the pool, in order.
     *
     * @throws IllegalStateException when a whole {@link #pool} was already given
     */
    public Builder model(PoolModel value) {
      Objects.requireNonNull(value, "model");
      if (pool != null) {
        throw new IllegalStateException("model(...) conflicts with pool(...), already called: give the pool once");
      }
      models.add(value);
      return this;
    }

    /**
     * How to choose among the pool. Required for a pool; a two-model router may give one instead of
     * {@link #predictor} or {@link #cascade}.
     *
     * @throws IllegalStateException when {@link #predictor} or {@link #cascade} was set
     */
    public Builder policy(RoutingPolicy value) {
      Objects.requireNonNull(value, "policy");
      if (predictor != null || confidenceModel != null) {
        throw new IllegalStateException("policy(...) conflicts with " + (predictor != null ? "predictor" : "cascade")
            + "(...), already set");
      }
      this.policy = value;
      return this;
    }

    /**
     * Two models: what scores prompts, makes a predictive router with RouteLLM's threshold rule. Exactly one of
     * this, {@link #cascade} and {@link #policy}.
     *
     * @throws IllegalStateException when {@link #cascade} or {@link #policy} was set
     */
    public Builder predictor(WinRatePredictor value) {
      Objects.requireNonNull(value, "predictor");
      if (confidenceModel != null) {
        throw new IllegalStateException(
            "predictor(...) conflicts with cascade(...), already set: a router is either predictive or a cascade");
      }
      if (policy != null) {
        throw new IllegalStateException("predictor(...) conflicts with policy(...), already set");
      }
      this.predictor = value;
      return this;
    }

    /**
     * Two models: what judges the weak model's answers, makes a cascade. The weak model answers first (with
     * log-probabilities requested when the model {@linkplain ConfidenceModel#requiresLogprobs() needs} them);
     * answers whose confidence is below the {@linkplain #threshold threshold} are escalated to the strong model.
     *
     * @throws IllegalStateException when {@link #predictor} or {@link #policy} was set
     */
    public Builder cascade(ConfidenceModel value) {
      Objects.requireNonNull(value, "confidenceModel");
      if (predictor != null) {
        throw new IllegalStateException(
            "cascade(...) conflicts with predictor(...), already set: a router is either predictive or a cascade");
      }
      if (policy != null) {
        throw new IllegalStateException("cascade(...) conflicts with policy(...), already set");
      }
      this.confidenceModel = value;
      return this;
    }

    /**
     * What a two-model cascade does when the weak answer lacks the log-probabilities its confidence model needs.
     * Default: {@link #DEFAULT_MISSING_LOGPROBS}. Other routers ignore it (a chain's confidence checks carry their
     * own: {@link StepCheck#confidence(ConfidenceModel, double, MissingLogprobsPolicy)}).
     */
    public Builder missingLogprobs(MissingLogprobsPolicy value) {
      this.missingLogprobs = Objects.requireNonNull(value, "missingLogprobs");
      return this;
    }

    /**
     * Two models, in [0, 1]. For a predictive router, prompts scoring at or above it go to the strong model; calibrate
     * it on your own traffic (a threshold from someone else's traffic does not give the same strong share on yours),
     * or give an adaptive {@link ThresholdSource} that holds a target as traffic drifts. For a cascade, answers whose
     * confidence is below it are escalated; pick it from a {@link dev.routellm.cascade.TradeOff} over your own
     * answers.
     *
     * @throws IllegalArgumentException when {@code value} is outside [0, 1] or NaN
     */
    public Builder threshold(double value) {
      this.threshold = ThresholdSource.fixed(value);
      return this;
    }

    /** A threshold that may change as traffic arrives (a predictive two-model router only). */
    public Builder threshold(ThresholdSource value) {
      this.threshold = Objects.requireNonNull(value, "threshold");
      return this;
    }

    /**
     * Prices every call. Required unless every pool model has its own price; a model priced both ways is priced by
     * its own price.
     */
    public Builder costModel(CostModel value) {
      this.costModel = Objects.requireNonNull(value, "costModel");
      return this;
    }

    /** Adds a listener; listeners are called in the order added. */
    public Builder listener(RouterListener value) {
      listeners.add(Objects.requireNonNull(value, "listener"));
      return this;
    }

    /**
     * What text predictors score. Default: {@link PromptSelector#LAST_USER_MESSAGE}. A cascade's checks see the whole
     * request and the answers.
     */
    public Builder promptSelector(PromptSelector value) {
      this.promptSelector = Objects.requireNonNull(value, "promptSelector");
      return this;
    }

    /** When to move on to the next model after a failure. Default: {@link #DEFAULT_FALLBACK}. */
    public Builder fallback(FallbackPolicy value) {
      this.fallback = Objects.requireNonNull(value, "fallback");
      return this;
    }

    /**
     * Where {@link Router#chatAsync} computes decisions and runs cascade checks. Default: a pool of daemon threads
     * ({@code routellm-router-N}) shared by all routers, created as needed and reused; idle ones end after a minute.
     * Not the common fork-join pool: on a machine with two cores or fewer its parallelism is 1, and {@code
     * CompletableFuture} then runs each task it is given on a new thread; and a blocking predictor (an LLM classifier)
     * would hold its few workers. An application with its own pool passes it here; {@code Runnable::run} decides on the
     * calling thread (a server thread that would otherwise wait anyway).
     */
    public Builder executor(Executor value) {
      this.executor = Objects.requireNonNull(value, "executor");
      return this;
    }

    /**
     * Where the router keeps its running totals ({@link Router#costs()}). Share one tracker between routers (for
     * example one per threshold) to total their traffic together. Default: a new tracker for this router.
     */
    public Builder costTracker(CostTracker value) {
      this.costTracker = Objects.requireNonNull(value, "costTracker");
      return this;
    }

    /** The router's name in decisions. Default: the policy's name (the predictor's, or {@value #DEFAULT_CASCADE_NAME}). */
    public Builder name(String value) {
      Objects.requireNonNull(value, "name");
      if (value.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = value;
      return this;
    }

    /** The clock for deadlines, latencies and circuit breakers. Default: the system clock (UTC). For tests. */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * How long a whole request may take, retries and fallbacks included, unless its {@link RouteOptions} say
     * otherwise. Default {@link #DEFAULT_DEADLINE}.
     *
     * @throws IllegalArgumentException when {@code value} is zero or negative
     */
    public Builder deadline(Duration value) {
      Objects.requireNonNull(value, "deadline");
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException("deadline must be > 0 but was " + value);
      }
      this.deadline = value;
      return this;
    }

    /**
     * Circuit-breaker settings for every model without its own ({@link PoolModel.Builder#circuitBreaker}). Default
     * {@link #DEFAULT_CIRCUIT_BREAKER}; the router's {@link #clock} replaces the config's.
     */
    public Builder circuitBreaker(CircuitBreakerConfig value) {
      this.circuitBreaker = Objects.requireNonNull(value, "circuitBreaker");
      return this;
    }

    /**
     * Spend limits that every call of this router counts against: before each call the router reserves its expected
     * cost (the prompt's estimated tokens and the model's expected answer length, capped by {@code max_tokens}), and
     * settles the reservation at the call's real cost afterwards (or releases it when the call fails); a store that
     * fails to settle is logged, never fails an answered request. When the limit cannot afford the chosen model, the router moves on
     * to the plan's next choice (unless the fallback policy is {@link FallbackPolicy#NEVER}); when no model fits, the
     * request fails with {@link dev.routellm.BudgetExceededException} naming the limit; the request's tenant is {@link RouteOptions#tenant()},
     * else {@link dev.routellm.budget.SpendLimiter#DEFAULT_TENANT}. Share one limiter (with a Redis store) between
     * replicas to hold a fleet-wide budget. Default: none.
     */
    public Builder spendLimiter(dev.routellm.budget.SpendLimiter value) {
      Objects.requireNonNull(value, "spendLimiter");
      this.spendGuard = new SpendLimiterGuard(value);
      return this;
    }

    /** No circuit breakers, except for models that set their own. */
    public Builder noCircuitBreakers() {
      this.circuitBreaker = null;
      return this;
    }

    /**
     * Builds the router.
     *
     * @throws ConfigurationException when a required part is missing (backend, pool, policy, predictor or confidence
     *     model, threshold, prices), a model has no price, the policy cannot work with the pool (it names a model that
     *     is not there, its predictor cannot predict a model, a confidence check needs log-probabilities that a model
     *     declares it cannot return), or both a pool and two models were given
     */
    public Router build() {
      return PoolRouter.create(this);
    }
  }
}
