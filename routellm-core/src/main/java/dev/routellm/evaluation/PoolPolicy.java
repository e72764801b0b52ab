package dev.routellm.evaluation;

import java.util.List;

/**
 * A way to serve requests with a pool of models, evaluated offline: a family of settings (a cost weight, a quality
 * target, a chain's last model, a threshold), each of which decides every example of a {@link PoolTable} and is
 * scored by the outcomes and costs of the calls it would make. Sweeping the settings traces the policy's
 * quality-over-cost curve; {@link PoolCalibration} picks one setting for a budget, a quality or a cost share.
 * {@link PoolPolicies} has the stock ones.
 *
 * <p>Implementations are immutable and thread-safe, and decide an example from what a served policy would know
 * before answering it: its predictions and expected costs, and the answers of the models it has already called.
 */
public interface PoolPolicy {
  /** A short name for reports ({@code "quality-cost"}, {@code "cascade"}). */
  String name();

  /** Whether the policy reads predicted qualities (the table must have them). */
  boolean needsPredictions();

  /**
   * The settings the policy sweeps on this table, in a fixed order: the same for every subset of its rows.
   *
   * @throws IllegalArgumentException when the policy cannot work on this table (a model it names is not in the
   *     pool, it needs answer texts the data lacks, it needs predictions the table lacks)
   */
  List<String> settings(PoolTable table);

  /**
   * Every setting's operating point on the examples {@code rows} of the table, in the order of {@link #settings}.
   *
   * @throws IllegalArgumentException as {@link #settings}, or when {@code rows} is empty
   */
  OperatingPoint[] evaluate(PoolTable table, int[] rows);
}
