package dev.routellm.routing;

import dev.routellm.ConfigurationException;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.cost.CostTracker;
import dev.routellm.prediction.WinRatePredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Sends each chat request to a strong or a weak model, and returns the answer with the decision and its cost.
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
 * <p>Two kinds come from the same builder. A <b>predictive</b> router ({@link Builder#predictor}) scores the prompt
 * before any model runs and calls one model. A <b>cascade</b> ({@link Builder#cascade}) asks the weak model first,
 * scores its answer with a {@link ConfidenceModel}, and asks the strong model only when the confidence is below the
 * threshold; it pays for the weak call on every request, and its {@link RoutedResponse#calls()} list both calls when
 * it escalates.
 *
 * <pre>{@code
 * Router cascade = Router.builder()
 *     .strong(gpt4).weak(llama8b)
 *     .cascade(ConfidenceModel.alamere())   // confidence = 0.01186387 * sum(logprobs) + 1.05021634
 *     .threshold(0.8)                       // escalate when confidence < 0.8
 *     .costModel(prices)
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe: build one router and share it. A router does not own its backends, predictor or listeners and never
 * closes them; close them yourself when the router is no longer used.
 *
 * <p>When the chosen model fails, the router answers with the other one as its {@link FallbackPolicy} allows, and
 * throws the failure (a {@link dev.routellm.BackendException}, the earlier failure attached as suppressed) when neither
 * can answer.
 */
public interface Router {
  /** The router's name, as it appears in decisions. */
  String name();

  /**
   * The threshold scores are compared with: a predictive router sends prompts scoring at or above it to the strong
   * model; a cascade escalates answers whose confidence is below it.
   */
  double threshold();

  /** The strong model's name. */
  String strongModel();

  /** The weak model's name. */
  String weakModel();

  /**
   * Decides which model would answer, without calling any model. Costs no money. A cascade cannot know before the
   * weak model answers: it returns a provisional decision for the weak model, with score {@code NaN} and a reason
   * saying that escalation is decided after the weak answer.
   */
  RoutingDecision route(ChatRequest request);

  /** Routes the request, calls the chosen model and waits for its answer. */
  RoutedResponse chat(ChatRequest request);

  /**
   * Like {@link #chat} without blocking the caller. Completes exceptionally with the exception {@link #chat} would
   * throw (a {@code RouteLlmException} for a backend failure or a misbehaving predictor, confidence or cost model), and
   * tells the listeners alike. Cancelling the future cancels the backend call in flight and keeps a later one from
   * starting; what calls already answered cost stays in {@link #costs()}.
   */
  CompletableFuture<RoutedResponse> chatAsync(ChatRequest request);

  /**
   * Routes the request and streams the answer: {@code listener} gets the decision first, then the text. A fallback
   * happens only when the chosen model fails before sending any text. Blocks until the answer is complete.
   *
   * <p>A cascade buffers the weak answer: the listener gets the decision once the weak answer is judged, then either
   * the weak answer's text in one piece or the strong answer's text as it streams.
   */
  RoutedResponse stream(ChatRequest request, RoutedStreamListener listener);

  /** Running totals of this router's traffic: requests, tokens, cost, strong share, saving. */
  CostSnapshot costs();

  /** A builder for a predictive router or a cascade. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link Router}. Setters validate their argument at once; {@link #build()} checks that the required parts
   * are present and consistent. Not thread-safe; the router it builds is.
   */
  final class Builder {
    /** The policy used unless {@link #fallback(FallbackPolicy)} says otherwise. */
    public static final FallbackPolicy DEFAULT_FALLBACK = FallbackPolicy.ON_RETRIABLE;
    /** What a cascade does with an answer lacking log-probabilities unless told otherwise: fail the request. */
    public static final MissingLogprobsPolicy DEFAULT_MISSING_LOGPROBS = MissingLogprobsPolicy.FAIL;
    /** A cascade's name unless {@link #name(String)} says otherwise. */
    public static final String DEFAULT_CASCADE_NAME = "cascade";

    ModelBackend strong;
    ModelBackend weak;
    WinRatePredictor predictor;
    ConfidenceModel confidenceModel;
    MissingLogprobsPolicy missingLogprobs = DEFAULT_MISSING_LOGPROBS;
    double threshold = Double.NaN;
    CostModel costModel;
    final List<RouterListener> listeners = new ArrayList<>();
    PromptSelector promptSelector = PromptSelector.LAST_USER_MESSAGE;
    FallbackPolicy fallback = DEFAULT_FALLBACK;
    Executor executor = ForkJoinPool.commonPool();
    CostTracker costTracker;
    String name;

    private Builder() {}

    /** The expensive model. Required. */
    public Builder strong(ModelBackend backend) {
      this.strong = Objects.requireNonNull(backend, "strong");
      return this;
    }

    /** The cheap model. Required. */
    public Builder weak(ModelBackend backend) {
      this.weak = Objects.requireNonNull(backend, "weak");
      return this;
    }

    /**
     * What scores prompts: makes a predictive router. Exactly one of this and {@link #cascade} is required.
     *
     * @throws IllegalStateException when {@link #cascade} was set
     */
    public Builder predictor(WinRatePredictor value) {
      Objects.requireNonNull(value, "predictor");
      if (confidenceModel != null) {
        throw new IllegalStateException(
            "predictor(...) conflicts with cascade(...), already set: a router is either predictive or a cascade");
      }
      this.predictor = value;
      return this;
    }

    /**
     * What judges the weak model's answers: makes a cascade. The weak model answers first (with log-probabilities
     * requested when the model {@linkplain ConfidenceModel#requiresLogprobs() needs} them); answers whose confidence
     * is below the {@linkplain #threshold threshold} are escalated to the strong model. Exactly one of this and
     * {@link #predictor} is required.
     *
     * @throws IllegalStateException when {@link #predictor} was set
     */
    public Builder cascade(ConfidenceModel value) {
      Objects.requireNonNull(value, "confidenceModel");
      if (predictor != null) {
        throw new IllegalStateException(
            "cascade(...) conflicts with predictor(...), already set: a router is either predictive or a cascade");
      }
      this.confidenceModel = value;
      return this;
    }

    /**
     * What a cascade does when the weak answer lacks the log-probabilities its confidence model needs. Default:
     * {@link #DEFAULT_MISSING_LOGPROBS}. A predictive router ignores it.
     */
    public Builder missingLogprobs(MissingLogprobsPolicy value) {
      this.missingLogprobs = Objects.requireNonNull(value, "missingLogprobs");
      return this;
    }

    /**
     * Required, in [0, 1]. For a predictive router, prompts scoring at or above it go to the strong model; calibrate
     * it on your own traffic (a threshold from someone else's traffic does not give the same strong share on yours).
     * For a cascade, answers whose confidence is below it are escalated; pick it from a
     * {@link dev.routellm.cascade.TradeOff} over your own answers.
     */
    public Builder threshold(double value) {
      if (!(value >= 0.0 && value <= 1.0)) {
        throw new IllegalArgumentException("threshold must be in [0, 1] but was " + value);
      }
      this.threshold = value;
      return this;
    }

    /** Prices every call. Required; both models must have a price. */
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
     * What text the predictor scores. Default: {@link PromptSelector#LAST_USER_MESSAGE}. A cascade ignores it (its
     * confidence model sees the whole request and the answer).
     */
    public Builder promptSelector(PromptSelector value) {
      this.promptSelector = Objects.requireNonNull(value, "promptSelector");
      return this;
    }

    /** When to answer with the other model after a failure. Default: {@link #DEFAULT_FALLBACK}. */
    public Builder fallback(FallbackPolicy value) {
      this.fallback = Objects.requireNonNull(value, "fallback");
      return this;
    }

    /**
     * Where {@link Router#chatAsync} computes decisions (a cascade: judges weak answers). Default: the common
     * fork-join pool.
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

    /** The router's name in decisions. Default: the predictor's name, or {@value #DEFAULT_CASCADE_NAME}. */
    public Builder name(String value) {
      Objects.requireNonNull(value, "name");
      if (value.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = value;
      return this;
    }

    /**
     * Builds the router.
     *
     * @throws ConfigurationException when a backend, the predictor or confidence model, the threshold or the cost
     *     model is missing, a backend's model has no price, or a cascade's confidence model needs log-probabilities
     *     that the weak backend's {@link dev.routellm.chat.Capabilities} say it cannot return (unless the
     *     missing-logprobs policy is {@link MissingLogprobsPolicy#ESCALATE})
     */
    public Router build() {
      require(strong != null, "strong backend is required: call strong(backend)");
      require(weak != null, "weak backend is required: call weak(backend)");
      require(
          predictor != null || confidenceModel != null,
          "predictor is required: call predictor(...), or cascade(confidenceModel) for a cascade");
      require(!Double.isNaN(threshold), "threshold is required: call threshold(t) with t in [0, 1]");
      require(costModel != null, "costModel is required: call costModel(CostModel.builder()...build())");
      requirePrice(strong.model(), "strong");
      requirePrice(weak.model(), "weak");
      if (confidenceModel != null) {
        require(
            !confidenceModel.requiresLogprobs()
                || weak.capabilities().logprobs()
                || missingLogprobs == MissingLogprobsPolicy.ESCALATE,
            "confidence model '" + confidenceModel.name() + "' needs log-probabilities but the weak backend '"
                + weak.model() + "' declares none, so every request would fail: use a backend that returns them, a"
                + " confidence model that reads the answer's text (AnswerConfidenceModel), or"
                + " missingLogprobs(MissingLogprobsPolicy.ESCALATE)");
        return new CascadeRouter(this);
      }
      return new PredictiveRouter(this);
    }

    private void requirePrice(String model, String role) {
      require(
          costModel.hasPrice(model),
          "costModel has no price for the " + role + " model '" + model + "'");
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new ConfigurationException(message);
      }
    }
  }
}
