package dev.routellm.evaluation;

import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.Dollars;
import java.util.Objects;

/**
 * Turns a share of strong-model calls into a cost per request, for an average request's token usage and a price
 * table: {@code cost(p) = p * strongCost + (1 - p) * weakCost}, where each model's cost is that of the average usage.
 * It puts a dollar axis beside a curve's strong-share axis.
 *
 * <p>The RouteLLM paper's assumption ({@link #paper()}): 95 input and 264 output tokens per request, GPT-4 at $10 /
 * $30 per million tokens, Mixtral at $0.24.
 *
 * <p>Immutable and thread-safe.
 */
public final class CostAxis {
  /** The RouteLLM paper's average request: 95 input tokens, 264 output tokens. */
  public static final Usage PAPER_AVERAGE_USAGE = Usage.of(95, 264);

  private final String strongModel;
  private final String weakModel;
  private final double strongCost;
  private final double weakCost;

  private CostAxis(String strongModel, String weakModel, double strongCost, double weakCost) {
    this.strongModel = strongModel;
    this.weakModel = weakModel;
    this.strongCost = strongCost;
    this.weakCost = weakCost;
  }

  /**
   * A cost axis.
   *
   * @throws dev.routellm.ConfigurationException when a model has no price
   */
  public static CostAxis of(CostModel prices, String strongModel, String weakModel, Usage averageUsage) {
    Objects.requireNonNull(prices, "prices");
    Objects.requireNonNull(strongModel, "strongModel");
    Objects.requireNonNull(weakModel, "weakModel");
    Objects.requireNonNull(averageUsage, "averageUsage");
    return new CostAxis(strongModel, weakModel, prices.cost(strongModel, averageUsage),
        prices.cost(weakModel, averageUsage));
  }

  /**
   * A cost axis from each model's known cost per request, for example the mean of the costs a data file records.
   *
   * @throws IllegalArgumentException when a cost is negative, NaN or infinite
   */
  public static CostAxis ofCosts(String strongModel, String weakModel, double strongCostPerRequest,
      double weakCostPerRequest) {
    Objects.requireNonNull(strongModel, "strongModel");
    Objects.requireNonNull(weakModel, "weakModel");
    requireCost("strongCostPerRequest", strongCostPerRequest);
    requireCost("weakCostPerRequest", weakCostPerRequest);
    return new CostAxis(strongModel, weakModel, strongCostPerRequest, weakCostPerRequest);
  }

  private static void requireCost(String name, double cost) {
    if (!(cost >= 0) || Double.isInfinite(cost)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0 but was " + cost);
    }
  }

  /** The paper's prices ({@link CostModel#paperDefaults()}) and average usage ({@link #PAPER_AVERAGE_USAGE}). */
  public static CostAxis paper() {
    return of(CostModel.paperDefaults(), CostModel.GPT_4, CostModel.MIXTRAL, PAPER_AVERAGE_USAGE);
  }

  public String strongModel() {
    return strongModel;
  }

  public String weakModel() {
    return weakModel;
  }

  /** Dollars per request when every request goes to the strong model. */
  public double strongCostPerRequest() {
    return strongCost;
  }

  /** Dollars per request when every request goes to the weak model. */
  public double weakCostPerRequest() {
    return weakCost;
  }

  /**
   * Dollars per average request at a share of strong calls.
   *
   * @throws IllegalArgumentException when {@code strongShare} is not in [0, 1]
   */
  public double costPerRequest(double strongShare) {
    if (!(strongShare >= 0 && strongShare <= 1)) {
      throw new IllegalArgumentException("strongShare must be in [0, 1] but was " + strongShare);
    }
    return strongShare * strongCost + (1 - strongShare) * weakCost;
  }

  /**
   * Dollars per average request of a confidence cascade that escalates this share of requests: the weak call on
   * every request plus the strong call on the escalated ones, {@code weakCost + escalatedShare * strongCost}.
   *
   * @throws IllegalArgumentException when {@code escalatedShare} is not in [0, 1]
   */
  public double cascadeCostPerRequest(double escalatedShare) {
    if (!(escalatedShare >= 0 && escalatedShare <= 1)) {
      throw new IllegalArgumentException("escalatedShare must be in [0, 1] but was " + escalatedShare);
    }
    return weakCost + escalatedShare * strongCost;
  }

  /**
   * The share of strong calls that costs this much per request: the inverse of {@link #costPerRequest(double)}.
   *
   * @throws IllegalArgumentException when the cost is outside [weak cost, strong cost] or the two costs are equal
   */
  public double strongShare(double costPerRequest) {
    double lo = Math.min(weakCost, strongCost);
    double hi = Math.max(weakCost, strongCost);
    if (!(costPerRequest >= lo && costPerRequest <= hi) || lo == hi) {
      throw new IllegalArgumentException("costPerRequest must be in [" + lo + ", " + hi + "] (and the two models' costs"
          + " must differ) but was " + costPerRequest);
    }
    return (costPerRequest - weakCost) / (strongCost - weakCost);
  }

  @Override
  public String toString() {
    return "CostAxis{strong=" + strongModel + " " + Dollars.format(strongCost) + "/request, weak=" + weakModel + " "
        + Dollars.format(weakCost) + "/request}";
  }
}
