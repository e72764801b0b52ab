package dev.routellm.micrometer;

import dev.routellm.BackendException;
import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.internal.listen.Pending;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.RouterListener;
import dev.routellm.routing.RoutingDecision;
import dev.routellm.routing.Tier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Micrometer meters for a router's traffic, recorded by a {@link RouterListener}: add it with {@code
 * Router.builder().listener(RouterMetrics.of(registry))}. Names follow Micrometer's conventions (lower-case, dot
 * separated; the registry renders them, e.g. Prometheus as {@code routellm_requests_total}); every meter is tagged
 * with the router's name, and model meters with the model's. Model and router names come from your configuration, so
 * tag cardinality stays bounded.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #DECISIONS}</td><td>counter</td><td>router, model, tier</td><td>routing decisions, by chosen
 *       model ({@code Router.route} included)</td></tr>
 *   <tr><td>{@value #DECISION_TIME}</td><td>timer</td><td>router</td><td>time spent deciding, model calls
 *       excluded</td></tr>
 *   <tr><td>{@value #STRONG_SHARE}</td><td>gauge</td><td>router</td><td>share of decisions for the strong model
 *       since the meters were created, in [0, 1]</td></tr>
 *   <tr><td>{@value #REQUESTS}</td><td>counter</td><td>router, model, outcome</td><td>routed requests: {@code
 *       success} (model = the one that answered) or {@code failure} (model = {@code none})</td></tr>
 *   <tr><td>{@value #CALLS}</td><td>timer</td><td>router, model, outcome</td><td>each model call and its latency,
 *       retries included; outcome {@code success} or {@code failure} (a failure is seen when the router falls back
 *       from it; the last failure of a request nothing answered is counted in {@value #FAILURES})</td></tr>
 *   <tr><td>{@value #TOKENS}</td><td>counter</td><td>router, model, type</td><td>tokens billed, type {@code input}
 *       or {@code output}</td></tr>
 *   <tr><td>{@value #COST}</td><td>counter, base unit dollars</td><td>router, model</td><td>money spent on calls,
 *       failed requests' calls included</td></tr>
 *   <tr><td>{@value #FALLBACKS}</td><td>counter</td><td>router, model</td><td>fallbacks away from a failed model</td></tr>
 *   <tr><td>{@value #FAILURES}</td><td>counter</td><td>router, kind</td><td>requests that failed, by kind: {@code
 *       retriable}, {@code non_retriable}, {@code configuration}, {@code invalid_file}, {@code other}</td></tr>
 * </table>
 *
 * <p>Thread-safe; quick (meters are looked up in the registry's own concurrent maps). Does not own the registry.
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
  /** Timer of model calls. */
  public static final String CALLS = "routellm.model.calls";
  /** Counter of tokens. */
  public static final String TOKENS = "routellm.tokens";
  /** Counter of dollars spent. */
  public static final String COST = "routellm.cost";
  /** Counter of fallbacks. */
  public static final String FALLBACKS = "routellm.fallbacks";
  /** Counter of failed requests. */
  public static final String FAILURES = "routellm.failures";
  /** The router tag of a request that failed before any decision. */
  static final String UNKNOWN = "unknown";

  private final MeterRegistry registry;
  private final Tags common;
  private final ConcurrentMap<String, Share> shares = new ConcurrentHashMap<>();
  /** The router that decided each request in flight: a fallback and a failure name none. */
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
      if (java.util.Set.of("router", "model", "tier", "outcome", "type", "kind").contains(t.getKey())) {
        throw new IllegalArgumentException("tag '" + t.getKey() + "' is set by RouterMetrics itself; rename it");
      }
    }
    return new RouterMetrics(registry, common);
  }

  @Override
  public void onDecision(ChatRequest request, RoutingDecision decision) {
    Tags router = common.and("router", decision.router());
    Counter.builder(DECISIONS).description("Routing decisions, by chosen model")
        .tags(router.and("model", decision.model(), "tier", tier(decision.tier())))
        .register(registry).increment();
    Timer.builder(DECISION_TIME).description("Time spent deciding which model answers, model calls excluded")
        .tags(router).register(registry).record(decision.decisionTime());
    shares.computeIfAbsent(decision.router(), name -> {
      Share share = new Share();
      Gauge.builder(STRONG_SHARE, share, Share::value)
          .description("Share of decisions for the strong model since start, in [0, 1]")
          .tags(common.and("router", name)).register(registry);
      return share;
    }).add(decision.strong());
    routers.put(request, decision.router());
  }

  @Override
  public void onFallback(ChatRequest request, ModelCall failed, Tier fallbackTier) {
    String router = routerOf(request);
    Counter.builder(FALLBACKS).description("Fallbacks away from a failed model")
        .tags(common.and("router", router, "model", failed.model())).register(registry).increment();
    record(router, failed); // recorded here, as the request may still fail; its response lists it again
  }

  @Override
  public void onResponse(ChatRequest request, RoutedResponse response) {
    routers.take(request);
    String router = response.decision().router();
    String answeredBy = response.response().model();
    for (ModelCall call : response.calls()) {
      if (call.succeeded()) { // failed calls were recorded at their fallback
        record(router, call);
        answeredBy = call.model(); // the last successful call answered
      }
    }
    Counter.builder(REQUESTS).description("Routed requests, by model that answered and outcome")
        .tags(common.and("router", router, "model", answeredBy, "outcome", "success")).register(registry)
        .increment();
  }

  @Override
  public void onFailure(ChatRequest request, RouteLlmException failure) {
    String router = routers.take(request).orElse(UNKNOWN);
    Counter.builder(REQUESTS).description("Routed requests, by model that answered and outcome")
        .tags(common.and("router", router, "model", "none", "outcome", "failure")).register(registry).increment();
    Counter.builder(FAILURES).description("Requests no model could answer, by kind of failure")
        .tags(common.and("router", router, "kind", kind(failure))).register(registry).increment();
  }

  private void record(String router, ModelCall call) {
    Tags model = common.and("router", router, "model", call.model());
    Timer.builder(CALLS).description("Model calls and their latency, retries included")
        .tags(model.and("outcome", call.succeeded() ? "success" : "failure")).register(registry)
        .record(call.latency());
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

  /**
   * The kind of a failure, for the {@code kind} tag: what the caller could do about it.
   */
  static String kind(RouteLlmException failure) {
    if (failure instanceof BackendException b) {
      return b.isRetriable() ? "retriable" : "non_retriable";
    }
    if (failure instanceof ConfigurationException) {
      return "configuration";
    }
    if (failure instanceof InvalidFileException) {
      return "invalid_file";
    }
    return "other";
  }

  private static String tier(Tier tier) {
    return tier == Tier.STRONG ? "strong" : "weak";
  }

  private String routerOf(ChatRequest request) {
    return routers.peek(request).orElse(UNKNOWN);
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
