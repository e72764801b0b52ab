package dev.routellm.routing;

import dev.routellm.BackendException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One Resilience4j circuit breaker per pool model. An open breaker excludes its model from planning until its wait
 * in the open state is over; the next call then probes it (Resilience4j moves to half-open on that call's permission
 * request). Thread-safe.
 */
final class Breakers {
  private final Map<String, Entry> entries;
  private final Clock clock;

  private Breakers(Map<String, Entry> entries, Clock clock) {
    this.entries = entries;
    this.clock = clock;
  }

  static Breakers none(Clock clock) {
    return new Breakers(Map.of(), clock);
  }

  /** Breakers for the pool's models: each model's own settings, else {@code defaults}; none when defaults is null. */
  static Breakers of(ModelPool pool, CircuitBreakerConfig defaults, Clock clock) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (PoolModel m : pool.models()) {
      CircuitBreakerConfig config = m.circuitBreaker().orElse(defaults);
      if (config == null) {
        continue;
      }
      CircuitBreakerConfig timed = CircuitBreakerConfig.from(config).clock(clock).build();
      entries.put(m.name(), new Entry(CircuitBreaker.of("routellm-" + m.name(), timed), clock));
    }
    return new Breakers(Map.copyOf(entries), clock);
  }

  /** Why {@code model} cannot be planned now, or null when it can. */
  String exclusion(String model) {
    Entry e = entries.get(model);
    if (e == null) {
      return null;
    }
    CircuitBreaker.State s = e.breaker.getState();
    if (s == CircuitBreaker.State.FORCED_OPEN) {
      return "circuit forced open";
    }
    if (s == CircuitBreaker.State.OPEN && !e.waitOver()) {
      return "circuit open (" + failureSummary(e.breaker) + ")";
    }
    return null;
  }

  /** Asks for permission to call; true when the model has no breaker. A refusal counts in {@link #health}. */
  boolean tryAcquire(String model) {
    Entry e = entries.get(model);
    if (e == null || e.breaker.tryAcquirePermission()) {
      return true;
    }
    e.refused.increment();
    return false;
  }

  /** Counts a request that left {@code model} out of its plan because its breaker was open. */
  void skipped(String model) {
    Entry e = entries.get(model);
    if (e != null) {
      e.refused.increment();
    }
  }

  void succeeded(String model, Duration latency) {
    Entry e = entries.get(model);
    if (e != null) {
      e.breaker.onSuccess(latency.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Records a failed call: retriable failures (5xx, 429, timeouts, connection failures, garbage answers) count
   * against the model; a rejected request (other 4xx) is the request's fault, not the model's, and a cancellation
   * is nobody's: their permission is released.
   */
  void failed(String model, Duration latency, Throwable failure) {
    Entry e = entries.get(model);
    if (e == null) {
      return;
    }
    if (failure instanceof BackendException b && b.isRetriable()
        || failure instanceof dev.routellm.DeadlineExceededException) {
      e.breaker.onError(latency.toNanos(), TimeUnit.NANOSECONDS, failure);
    } else {
      e.breaker.releasePermission();
    }
  }

  /** Releases a permission that was acquired but not used for a call. */
  void release(String model) {
    Entry e = entries.get(model);
    if (e != null) {
      e.breaker.releasePermission();
    }
  }

  ModelHealth health(String model) {
    Entry e = entries.get(model);
    if (e == null) {
      return new ModelHealth(model, ModelHealth.State.DISABLED, -1f, -1f, 0);
    }
    CircuitBreaker.Metrics m = e.breaker.getMetrics();
    ModelHealth.State state = switch (e.breaker.getState()) {
      case CLOSED, DISABLED, METRICS_ONLY -> ModelHealth.State.CLOSED;
      case OPEN, FORCED_OPEN -> e.waitOver() ? ModelHealth.State.HALF_OPEN : ModelHealth.State.OPEN;
      case HALF_OPEN -> ModelHealth.State.HALF_OPEN;
    };
    return new ModelHealth(model, state, m.getFailureRate(), m.getSlowCallRate(), e.refused.sum());
  }

  private static String failureSummary(CircuitBreaker b) {
    CircuitBreaker.Metrics m = b.getMetrics();
    return String.format(java.util.Locale.ROOT, "failure rate %.0f%%, slow calls %.0f%%", Math.max(0f,
        m.getFailureRate()), Math.max(0f, m.getSlowCallRate()));
  }

  /** A breaker and the moment it last opened. */
  private static final class Entry {
    final CircuitBreaker breaker;
    final Clock clock;
    volatile long openedAtMillis;
    volatile long waitMillis;
    /**
     * Requests that did not call the model because its breaker was open: left out of a plan, or refused a permission.
     * Ours rather than Resilience4j's count, which misses the first kind and starts again at each state change.
     */
    final LongAdder refused = new LongAdder();

    Entry(CircuitBreaker breaker, Clock clock) {
      this.breaker = breaker;
      this.clock = clock;
      breaker.getEventPublisher().onStateTransition(event -> {
        if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
          openedAtMillis = clock.millis();
          waitMillis = breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
        }
      });
    }

    /** Whether the wait in the open state is over, so that the next permission request moves to half-open. */
    boolean waitOver() {
      return clock.millis() >= openedAtMillis + waitMillis;
    }
  }
}
