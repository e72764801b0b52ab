package dev.routellm.routing;

import dev.routellm.ConfigurationException;
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

  /** The threshold scores are compared with. */
  double threshold();

  /** The strong model's name. */
  String strongModel();

  /** The weak model's name. */
  String weakModel();

  /** Decides which model would answer, without calling any model. Costs no money. */
  RoutingDecision route(ChatRequest request);

  /** Routes the request, calls the chosen model and waits for its answer. */
  RoutedResponse chat(ChatRequest request);

  /** Like {@link #chat} without blocking the caller; completes exceptionally with a {@code RouteLlmException}. */
  CompletableFuture<RoutedResponse> chatAsync(ChatRequest request);

  /**
   * Routes the request and streams the answer: {@code listener} gets the decision first, then the text. A fallback
   * happens only when the chosen model fails before sending any text. Blocks until the answer is complete.
   */
  RoutedResponse stream(ChatRequest request, RoutedStreamListener listener);

  /** Running totals of this router's traffic: requests, tokens, cost, strong share, saving. */
  CostSnapshot costs();

  /** A builder for a predictive router. */
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

    ModelBackend strong;
    ModelBackend weak;
    WinRatePredictor predictor;
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

    /** What scores prompts. Required. */
    public Builder predictor(WinRatePredictor value) {
      this.predictor = Objects.requireNonNull(value, "predictor");
      return this;
    }

    /**
     * Prompts scoring at or above this go to the strong model. Required, in [0, 1]; calibrate it on your own traffic
     * (a threshold from someone else's traffic does not give the same strong share on yours).
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

    /** What text the predictor scores. Default: {@link PromptSelector#LAST_USER_MESSAGE}. */
    public Builder promptSelector(PromptSelector value) {
      this.promptSelector = Objects.requireNonNull(value, "promptSelector");
      return this;
    }

    /** When to answer with the other model after a failure. Default: {@link #DEFAULT_FALLBACK}. */
    public Builder fallback(FallbackPolicy value) {
      this.fallback = Objects.requireNonNull(value, "fallback");
      return this;
    }

    /** Where {@link Router#chatAsync} computes decisions. Default: the common fork-join pool. */
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

    /** The router's name in decisions. Default: the predictor's name. */
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
     * @throws ConfigurationException when a backend, the predictor, the threshold or the cost model is missing, or a
     *     backend's model has no price
     */
    public Router build() {
      require(strong != null, "strong backend is required: call strong(backend)");
      require(weak != null, "weak backend is required: call weak(backend)");
      require(predictor != null, "predictor is required: call predictor(...)");
      require(!Double.isNaN(threshold), "threshold is required: call threshold(t) with t in [0, 1]");
      require(costModel != null, "costModel is required: call costModel(CostModel.builder()...build())");
      requirePrice(strong.model(), "strong");
      requirePrice(weak.model(), "weak");
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
