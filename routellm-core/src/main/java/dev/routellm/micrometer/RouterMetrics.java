package dev.routellm.micrometer;

import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.internal.listen.Pending;
import dev.routellm.routing.Candidate;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.ModelHealth;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import dev.routellm.routing.RouterListener;
import dev.routellm.routing.RoutingDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Micrometer meters for a router's traffic, recorded by a {@link RouterListener}: add it with {@code
 * Router.builder().listener(metrics)}, and call {@link #bindHealth(Router)} once the router is built for its circuit
 * breakers' state. Names follow Micrometer's conventions (lower-case, dot separated; each registry renders them, e.g.
 * Prometheus as {@code routellm_requests_total}); every meter is tagged with the router's name, and model meters with
 * the model's. Model and router names come from your configuration, so tag cardinality stays bounded.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #DECISIONS}</td><td>counter</td><td>router, model, rule</td><td>routing decisions, by chosen
 *       model ({@code Router.route} included)</td></tr>
 *   <tr><td>{@value #DECISION_TIME}</td><td>timer</td><td>router</td><td>time spent deciding, model calls
 *       excluded</td></tr>
 *   <tr><td>{@value #STRONG_SHARE}</td><td>gauge</td><td>router</td><td>share of decisions, since the meters were
 *       created, for the strong model: the candidate with the highest expected cost for the request (the strong
 *       model of a two-model router), in [0, 1]</td></tr>
 *   <tr><td>{@value #REQUESTS}</td><td>counter</td><td>router, model, outcome</td><td>routed requests: {@code
 *       success} (model = the one that answered) or {@code failure} (model = {@code none})</td></tr>
 *   <tr><td>{@value #FAILURES}</td><td>counter</td><td>router, kind</td><td>requests nothing answered, by kind of
 *       the failure that ended them ({@code http_status}, {@code timeout}, {@code deadline_exceeded}, {@code
 *       no_eligible_model}, ...: {@link dev.routellm.routing.ModelCall.Failure#kindOf(Throwable)})</td></tr>
 *   <tr><td>{@value #CALLS}</td><td>timer</td><td>router, model, role, outcome</td><td>each model call and its
 *       latency, retries included; role {@code answer} or {@code verify}, outcome {@code success} or {@code
 *       failure}</td></tr>
 *   <tr><td>{@value #CALL_FAILURES}</td><td>counter</td><td>router, model, kind</td><td>failed model calls, by kind
 *       ({@code http_status}, {@code connection}, {@code circuit_open}, ...: {@link
 *       dev.routellm.routing.ModelCall.Failure#kind()})</td></tr>
 *   <tr><td>{@value #TOKENS}</td><td>counter, base unit tokens</td><td>router, model, type</td><td>tokens billed,
 *       type {@code input} or {@code output}</td></tr>
 *   <tr><td>{@value #COST}</td><td>counter, base unit dollars</td><td>router, model</td><td>money spent on calls,
 *       failed requests' calls included</td></tr>
 *   <tr><td>{@value #FALLBACKS}</td><td>counter</td><td>router, model, next</td><td>moves from a failed model to
 *       the next</td></tr>
 *   <tr><td>{@value #BREAKER_STATE}</td><td>gauge</td><td>router, model, state</td><td>1 for the breaker's current
 *       state ({@code closed}, {@code open}, {@code half_open}, {@code disabled}), 0 for the others; after {@link
 *       #bindHealth}</td></tr>
 *   <tr><td>{@value #BREAKER_REFUSED}</td><td>function counter</td><td>router, model</td><td>requests that did not
 *       call the model because its breaker was open (left out of the plan, or refused at the call); after {@link
 *       #bindHealth}</td></tr>
 * </table>
 *
 * <p>Thread-safe; quick (meters are looked up in the registry's own concurrent maps). Does not own the registry. One
 * instance may serve several routers.
 */
public final class RouterMetrics implements RouterListener {
  /** Counter of routing decisions. */
  public static final String DECISIONS = "routellm.decisions";
  /** Timer of decision time. */
  public static final String DECISION_TIME = "routellm.decision";
  /** Gauge of the strong model's share of decisions. */
  public static final String STRONG_SHARE = "routellm.strong.share";
  /** Counter of routed requests. */
  public static final String REQUESTS = "routellm.requests";
  /** Counter of failed requests. */
  public static final String FAILURES = "routellm.failures";
  /** Timer of model calls. */
  public static final String CALLS = "routellm.model.calls";
  /** Counter of failed model calls. */
  public static final String CALL_FAILURES = "routellm.model.failures";
  /** Counter of tokens. */
  public static final String TOKENS = "routellm.tokens";
  /** Counter of dollars spent. */
  public static final String COST = "routellm.cost";
  /** Counter of fallbacks. */
  public static final String FALLBACKS = "routellm.fallbacks";
  /** Gauge of circuit-breaker states. */
  public static final String BREAKER_STATE = "routellm.breaker.state";
  /**
   * Function counter of requests that did not call a model because its breaker was open (left out of the plan, or
   * refused when the call was about to start): {@link dev.routellm.routing.ModelHealth#notPermittedCalls()}.
   */
  public static final String BREAKER_REFUSED = "routellm.breaker.refused";
  /** The router tag of a request that failed before any decision. */
  static final String UNKNOWN = "unknown";

  private static final Set<String> OWN_TAGS = Set.of("router", "model", "rule", "outcome", "kind", "role", "type",
      "next", "state");

  private final MeterRegistry registry;
  private final Tags common;
  private final ConcurrentMap<String, Share> shares = new ConcurrentHashMap<>();
  /** The router that decided each request in flight: calls, fallbacks and failures name none. */
  private final Pending<String> routers = new Pending<>();

  private RouterMetrics(MeterRegistry registry, Tags common) {
    this.registry = registry;
    this.common = common;
  }

  /** Meters in {@code registry}, with no tags beyond the ones described above. */
  public static RouterMetrics of(MeterRegistry registry) {
    return of(registry, Tags.empty());
  }

  /**
   * Meters in {@code registry}, each also carrying {@code tags} (for example the application or deployment).
   *
   * @throws IllegalArgumentException when a tag key is one this listener sets itself
   */
  public static RouterMetrics of(MeterRegistry registry, Iterable<Tag> tags) {
    Objects.requireNonNull(registry, "registry");
    Tags common = Tags.of(Objects.requireNonNull(tags, "tags"));
    for (Tag t : common) {
      if (OWN_TAGS.contains(t.getKey())) {
        throw new IllegalArgumentException("tag '" + t.getKey() + "' is set by RouterMetrics itself; rename it");
      }
    }
    return new RouterMetrics(registry, common);
  }

  /**
   * Registers gauges of {@code router}'s circuit breakers, one set per model of its pool. The registry holds the
   * router weakly, as Micrometer gauges do: the gauges report NaN once the router is gone.
   *
   * @return this, for chaining
   */
  public RouterMetrics bindHealth(Router router) {
    Objects.requireNonNull(router, "router");
    for (String model : router.pool().names()) {
      Tags tags = common.and("router", router.name(), "model", model);
      for (ModelHealth.State state : ModelHealth.State.values()) {
        Gauge.builder(BREAKER_STATE, router, r -> r.health().get(model).state() == state ? 1 : 0)
            .description("1 for the circuit breaker's current state, 0 for the others")
            .tags(tags.and("state", state.name().toLowerCase(Locale.ROOT))).register(registry);
      }
      FunctionCounter.builder(BREAKER_REFUSED, router, r -> r.health().get(model).notPermittedCalls())
          .description("Requests that did not call the model because its circuit breaker was open").tags(tags).register(registry);
    }
    return this;
  }

  @Override
  public void onDecision(ChatRequest request, RoutingDecision decision) {
    Tags router = common.and("router", decision.router());
    Counter.builder(DECISIONS).description("Routing decisions, by chosen model")
        .tags(router.and("model", decision.model(), "rule", decision.rule()))
        .register(registry).increment();
    Timer.builder(DECISION_TIME).description("Time spent deciding which model answers, model calls excluded")
        .tags(router).register(registry).record(decision.decisionTime());
    shares.computeIfAbsent(decision.router(), name -> {
      Share share = new Share();
      Gauge.builder(STRONG_SHARE, share, Share::value)
          .description("Share of decisions for the strong (most expensive) model since start, in [0, 1]")
          .tags(common.and("router", name)).strongReference(true).register(registry);
      return share;
    }).add(isStrong(decision));
    routers.put(request, decision.router());
  }

  @Override
  public void onModelCall(ChatRequest request, ModelCall call) {
    Tags model = common.and("router", routers.peek(request).orElse(UNKNOWN), "model", call.model());
    Timer.builder(CALLS).description("Model calls and their latency, retries included")
        .tags(model.and("role", call.role().name().toLowerCase(Locale.ROOT),
            "outcome", call.succeeded() ? "success" : "failure"))
        .register(registry).record(call.latency());
    call.failure().ifPresent(f -> Counter.builder(CALL_FAILURES).description("Failed model calls, by kind")
        .tags(model.and("kind", f.kind())).register(registry).increment());
    if (call.usage().promptTokens() > 0) {
      Counter.builder(TOKENS).description("Tokens billed").baseUnit("tokens").tags(model.and("type", "input"))
          .register(registry).increment(call.usage().promptTokens());
    }
    if (call.usage().completionTokens() > 0) {
      Counter.builder(TOKENS).description("Tokens billed").baseUnit("tokens").tags(model.and("type", "output"))
          .register(registry).increment(call.usage().completionTokens());
    }
    if (call.cost() > 0) {
      Counter.builder(COST).description("Money spent on model calls").baseUnit("dollars").tags(model)
          .register(registry).increment(call.cost());
    }
  }

  @Override
  public void onFallback(ChatRequest request, ModelCall failed, String nextModel) {
    Counter.builder(FALLBACKS).description("Moves from a failed model to the next")
        .tags(common.and("router", routers.peek(request).orElse(UNKNOWN), "model", failed.model(), "next",
            nextModel))
        .register(registry).increment();
  }

  @Override
  public void onResponse(ChatRequest request, RoutedResponse response) {
    routers.take(request);
    Counter.builder(REQUESTS).description("Routed requests, by model that answered and outcome")
        .tags(common.and("router", response.decision().router(), "model", response.answeredBy(), "outcome",
            "success"))
        .register(registry).increment();
  }

  @Override
  public void onFailure(ChatRequest request, RouteLlmException failure) {
    String router = routers.take(request).orElse(UNKNOWN);
    Counter.builder(REQUESTS).description("Routed requests, by model that answered and outcome")
        .tags(common.and("router", router, "model", "none", "outcome", "failure")).register(registry).increment();
    Counter.builder(FAILURES).description("Requests no model could answer, by kind of failure")
        .tags(common.and("router", router, "kind", ModelCall.Failure.kindOf(failure))).register(registry)
        .increment();
  }

  /** Whether the decision chose the candidate with the highest expected cost (ties: the first in pool order). */
  static boolean isStrong(RoutingDecision decision) {
    return decision.candidates().stream().max(Comparator.comparingDouble(Candidate::expectedCost))
        .map(c -> c.model().equals(decision.model())).orElse(false);
  }

  /** Decisions and strong decisions of one router. */
  private static final class Share {
    final LongAdder decisions = new LongAdder();
    final LongAdder strong = new LongAdder();

    void add(boolean isStrong) {
      decisions.increment();
      if (isStrong) {
        strong.increment();
      }
    }

    double value() {
      long n = decisions.sum();
      return n == 0 ? 0.0 : (double) strong.sum() / n;
    }
  }
}
