package dev.routellm.routing;

/**
 * Where a two-model predictive router's threshold comes from: a fixed number ({@link #fixed}), or an estimate that
 * follows live traffic to hold a target (an adaptive threshold). The router asks for the threshold once per decision
 * and records the value used in the {@link RoutingDecision}.
 *
 * <p>Implementations are thread-safe: one source serves every request of a router.
 */
public interface ThresholdSource {
  /**
   * The threshold to compare {@code score} with, for one decision. An adaptive source may first update its state
   * from {@code score}; a fixed one returns its value. Called exactly once per decision (including
   * {@link Router#route}), with a score in [0, 1].
   *
   * @return a threshold in [0, 1]
   */
  double next(double score);

  /** The threshold a decision would use now, without updating anything. */
  double current();

  /** A short description for decisions and logs ({@code "0.35"}, {@code "adaptive: strong share 30%"}). */
  String describe();

  /**
   * A fixed threshold.
   *
   * @throws IllegalArgumentException when {@code threshold} is outside [0, 1] or NaN
   */
  static ThresholdSource fixed(double threshold) {
    return new FixedThreshold(threshold);
  }
}
