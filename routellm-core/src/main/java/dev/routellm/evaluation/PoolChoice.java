package dev.routellm.evaluation;

import dev.routellm.cost.ModelPrice;
import dev.routellm.routing.RoutingPolicy;
import java.util.Objects;

/**
 * The offline twin of the served N-way policies' choice ({@link RoutingPolicy#qualityCost},
 * {@link RoutingPolicy#cheapestReaching}): the same utility ({@link RoutingPolicy#utility}, the one formula), the same
 * ranking and tie-breaking, on arrays instead of a request, so that {@link PoolPolicies} can sweep thousands of
 * settings over a dataset quickly.
 *
 * <ul>
 *   <li><b>Expected cost</b> of a call, before it is made: the model's price for the prompt's tokens and the model's
 *       expected answer length ({@link #expectedCost}).
 *   <li><b>Quality-cost</b>: the model of highest {@code quality - lambda * expectedCost / referenceCost}, where the
 *       reference is one model's expected cost for the same prompt (the pool's most expensive model unless chosen),
 *       so that {@code lambda} is "how much predicted quality (on a 0-1 scale) one reference call is worth"; {@code
 *       lambda = 0} takes the best predicted model whatever it costs, a large {@code lambda} the cheapest
 *       ({@link #bestValue}).
 *   <li><b>Cheapest reaching a target</b>: the cheapest model whose predicted quality reaches the target; when none
 *       does, the one of highest predicted quality ({@link #cheapestReaching}).
 * </ul>
 *
 * <p>Ties go to the cheaper model, then to the lower index. Arrays are indexed by the pool's model order; an
 * {@code allowed} mask (null for all) leaves models out (not permitted for the request, lacking a capability).
 * Stateless and thread-safe; no method allocates. The served policies should call these (see the report on the
 * merge): until then the rules are kept identical by hand.
 */
final class PoolChoice {
  private PoolChoice() {}

  /**
   * The expected dollar cost of a call: {@code price} for {@code promptTokens} input and {@code outputTokens} output
   * tokens (a model's expected answer length; a mean may be fractional and is rounded to whole tokens).
   *
   * @throws IllegalArgumentException when a count is negative or not finite
   */
  static double expectedCost(ModelPrice price, double promptTokens, double outputTokens) {
    Objects.requireNonNull(price, "price");
    if (!(promptTokens >= 0) || Double.isInfinite(promptTokens)) {
      throw new IllegalArgumentException("promptTokens must be finite and >= 0 but was " + promptTokens);
    }
    if (!(outputTokens >= 0) || Double.isInfinite(outputTokens)) {
      throw new IllegalArgumentException("outputTokens must be finite and >= 0 but was " + outputTokens);
    }
    return price.cost(Math.round(promptTokens), Math.round(outputTokens));
  }

  /**
   * The allowed model of highest {@link RoutingPolicy#utility}.
   *
   * @param quality predicted quality per model, in [0, 1]
   * @param expectedCost expected cost per model, dollars
   * @param referenceCost the reference model's expected cost, {@code >= 0}
   * @param lambda the price of one reference call in quality, {@code >= 0}
   * @param allowed which models may be chosen; null for all
   * @return the chosen model's index, or -1 when none is allowed
   * @throws IllegalArgumentException when the arrays differ in length or {@code lambda} is negative or NaN
   */
  static int bestValue(double[] quality, double[] expectedCost, double referenceCost, double lambda,
      boolean[] allowed) {
    check(quality, expectedCost, allowed);
    if (!(lambda >= 0)) {
      throw new IllegalArgumentException("lambda must be >= 0 but was " + lambda);
    }
    int best = -1;
    double bestUtility = Double.NEGATIVE_INFINITY;
    for (int m = 0; m < quality.length; m++) {
      if (allowed != null && !allowed[m]) {
        continue;
      }
      double u = RoutingPolicy.utility(quality[m], expectedCost[m], referenceCost, lambda);
      if (best < 0 || u > bestUtility || (u == bestUtility && expectedCost[m] < expectedCost[best])) {
        best = m;
        bestUtility = u;
      }
    }
    return best;
  }

  /**
   * The cheapest allowed model whose predicted quality reaches {@code target}; when none does, the allowed model of
   * highest predicted quality.
   *
   * @return the chosen model's index, or -1 when none is allowed
   * @throws IllegalArgumentException when the arrays differ in length or {@code target} is NaN
   */
  static int cheapestReaching(double[] quality, double[] expectedCost, double target, boolean[] allowed) {
    check(quality, expectedCost, allowed);
    if (Double.isNaN(target)) {
      throw new IllegalArgumentException("target must be a number but was NaN");
    }
    int cheapest = -1;
    int best = -1;
    for (int m = 0; m < quality.length; m++) {
      if (allowed != null && !allowed[m]) {
        continue;
      }
      if (quality[m] >= target && (cheapest < 0 || expectedCost[m] < expectedCost[cheapest])) {
        cheapest = m;
      }
      if (best < 0 || quality[m] > quality[best]
          || (quality[m] == quality[best] && expectedCost[m] < expectedCost[best])) {
        best = m;
      }
    }
    return cheapest >= 0 ? cheapest : best;
  }

  private static void check(double[] quality, double[] expectedCost, boolean[] allowed) {
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(expectedCost, "expectedCost");
    if (quality.length != expectedCost.length || (allowed != null && allowed.length != quality.length)) {
      throw new IllegalArgumentException("quality, expectedCost and allowed must have one entry per model but have "
          + quality.length + ", " + expectedCost.length + " and " + (allowed == null ? "-" : allowed.length));
    }
  }
}
