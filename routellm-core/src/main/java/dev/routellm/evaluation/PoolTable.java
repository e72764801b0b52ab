package dev.routellm.evaluation;

import dev.routellm.data.PoolDataset;
import java.util.Objects;

/**
 * Everything an offline policy needs to decide each example of a dataset and to score the decision: every model's
 * outcome and cost on it, and, for policies that predict, each model's predicted quality and expected cost (made
 * without the example, in a cross-validation). The reference model, whose expected cost scales the cost penalty of
 * {@link dev.routellm.routing.RoutingPolicy#qualityCost}, is the pool's most expensive model on average.
 *
 * <p>Immutable after construction (the arrays are not copied: the caller hands them over); thread-safe.
 */
public final class PoolTable {
  private final PoolCosts costs;
  private final double[][] predicted;
  private final double[][] expected;
  private final int reference;

  private PoolTable(PoolCosts costs, double[][] predicted, double[][] expected) {
    this.costs = costs;
    this.predicted = predicted;
    this.expected = expected;
    int ref = 0;
    for (int m = 1; m < models(); m++) {
      if (costs.meanCost(m) > costs.meanCost(ref)) {
        ref = m;
      }
    }
    this.reference = ref;
  }

  /**
   * A table with predictions.
   *
   * @param predicted one row per example, one predicted quality in [0, 1] per model; null for a table without
   * @param expected one row per example, one expected cost per model; null exactly when {@code predicted} is
   * @throws IllegalArgumentException when a row is missing or of the wrong length, or only one of the two is given
   */
  public static PoolTable of(PoolCosts costs, double[][] predicted, double[][] expected) {
    Objects.requireNonNull(costs, "costs");
    if ((predicted == null) != (expected == null)) {
      throw new IllegalArgumentException("predicted qualities and expected costs come together");
    }
    int n = costs.data().size();
    int models = costs.data().models().size();
    if (predicted != null) {
      check(predicted, n, models, "predicted");
      check(expected, n, models, "expected");
    }
    return new PoolTable(costs, predicted, expected);
  }

  /** A table without predictions, for policies that do not predict (an answer-checking cascade). */
  public static PoolTable of(PoolCosts costs) {
    return of(costs, null, null);
  }

  private static void check(double[][] rows, int n, int models, String what) {
    if (rows.length != n) {
      throw new IllegalArgumentException(what + " must have one row per example (" + n + ") but has " + rows.length);
    }
    for (int i = 0; i < n; i++) {
      if (rows[i] == null || rows[i].length != models) {
        throw new IllegalArgumentException(what + " row " + i + " must have one value per model (" + models + ")");
      }
    }
  }

  public PoolDataset data() {
    return costs.data();
  }

  public PoolCosts costs() {
    return costs;
  }

  /** The number of examples. */
  public int size() {
    return costs.data().size();
  }

  /** The number of models. */
  public int models() {
    return costs.data().models().size();
  }

  /** Whether the table has predictions. */
  public boolean hasPredictions() {
    return predicted != null;
  }

  /** The outcome score of a model on an example. */
  public double score(int example, int model) {
    return costs.data().score(example, model);
  }

  /** The cost of a model's call on an example. */
  public double cost(int example, int model) {
    return costs.cost(example, model);
  }

  /** Each model's predicted quality for an example (the table's array: do not modify). */
  double[] predicted(int example) {
    return predicted[example];
  }

  /** Each model's expected cost for an example (the table's array: do not modify). */
  double[] expected(int example) {
    return expected[example];
  }

  /** The reference model's index. */
  public int reference() {
    return reference;
  }
}
