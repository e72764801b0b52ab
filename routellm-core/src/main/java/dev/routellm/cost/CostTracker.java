package dev.routellm.cost;

import dev.routellm.chat.Usage;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of routed traffic: requests and tokens per model, money spent, the share of requests the strong
 * model answered, and what the same traffic would have cost sent entirely to the strong model. Money spent on a
 * request that then failed counts too: {@link CostSnapshot#cost()} is always the sum of the per-model costs.
 *
 * <p>Thread-safe and lock-free; {@link #snapshot()} is not atomic across counters under concurrent updates (each
 * counter is exact, their combination may mix a request in flight).
 */
public final class CostTracker {
  private final LongAdder requests = new LongAdder();
  private final LongAdder strongRequests = new LongAdder();
  private final LongAdder failedRequests = new LongAdder();
  private final DoubleAdder cost = new DoubleAdder();
  private final DoubleAdder allStrongCost = new DoubleAdder();
  private final Map<String, ModelCounters> perModel = new ConcurrentHashMap<>();

  /**
   * Records one routed request that was answered.
   *
   * @param answeredByStrong whether the reference (strong) model's answer was returned
   * @param requestCost what all calls for this request cost (a cascade pays the weak call too); finite, {@code >= 0}
   * @param allStrongCost what the request would have cost with the strong model alone; finite, {@code >= 0}
   * @throws IllegalArgumentException when a cost is negative, NaN or infinite
   */
  public void recordRequest(boolean answeredByStrong, double requestCost, double allStrongCost) {
    checkCost("requestCost", requestCost);
    checkCost("allStrongCost", allStrongCost);
    requests.increment();
    if (answeredByStrong) {
      strongRequests.increment();
    }
    cost.add(requestCost);
    this.allStrongCost.add(allStrongCost);
  }

  /**
   * Records one routed request that failed after calls that cost money (a cascade's weak call before the strong
   * model failed): {@code requestCost} goes into the money spent, so that {@link CostSnapshot#cost()} stays the sum
   * of the per-model costs; the request counts in {@link CostSnapshot#failedRequests()}, not in {@link
   * CostSnapshot#requests()}. Record the calls themselves with {@link #recordCall}.
   *
   * @param requestCost what the calls made for the failed request cost; finite, {@code >= 0}
   * @throws IllegalArgumentException when the cost is negative, NaN or infinite
   */
  public void recordFailedRequest(double requestCost) {
    checkCost("requestCost", requestCost);
    failedRequests.increment();
    cost.add(requestCost);
  }

  /**
   * Records one model call's usage.
   *
   * @param callCost what the call cost; finite, {@code >= 0}
   * @throws IllegalArgumentException when the cost is negative, NaN or infinite
   */
  public void recordCall(String model, Usage usage, double callCost) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(usage, "usage");
    checkCost("callCost", callCost);
    ModelCounters c = counters(model);
    c.calls.increment();
    c.promptTokens.add(usage.promptTokens());
    c.completionTokens.add(usage.completionTokens());
    c.cost.add(callCost);
  }

  /** Records that a request was answered with {@code model}'s answer. */
  public void recordAnswer(String model) {
    counters(model).answers.increment();
  }

  /** Records a failed call of {@code model}. */
  public void recordCallFailure(String model) {
    counters(model).failures.increment();
  }

  /** Records that {@code model} was not called because its circuit breaker was open. */
  public void recordSkipped(String model) {
    counters(model).skipped.increment();
  }

  private ModelCounters counters(String model) {
    return perModel.computeIfAbsent(Objects.requireNonNull(model, "model"), m -> new ModelCounters());
  }

  private static void checkCost(String name, double value) {
    if (!(value >= 0.0 && value < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0 but was " + value);
    }
  }

  /** The totals so far. */
  public CostSnapshot snapshot() {
    Map<String, CostSnapshot.ModelTotals> models = new TreeMap<>();
    perModel.forEach(
        (m, c) ->
            models.put(
                m,
                new CostSnapshot.ModelTotals(
                    c.calls.sum(), c.promptTokens.sum(), c.completionTokens.sum(), c.cost.sum(), c.answers.sum(),
                    c.failures.sum(), c.skipped.sum())));
    return new CostSnapshot(
        requests.sum(), strongRequests.sum(), failedRequests.sum(), cost.sum(), allStrongCost.sum(), models);
  }

  private static final class ModelCounters {
    final LongAdder calls = new LongAdder();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
    final DoubleAdder cost = new DoubleAdder();
    final LongAdder answers = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder skipped = new LongAdder();
  }
}
