package dev.routellm.prediction;

import java.util.List;
import java.util.Objects;

/**
 * Estimates, before any model runs, how well each model of a pool would answer a prompt: the N-model counterpart of
 * {@link WinRatePredictor}. An N-way routing policy ({@code RoutingPolicy.qualityCost} and
 * {@code RoutingPolicy.cheapestReaching}) combines these estimates with each model's expected cost.
 *
 * <p>Predicted quality is on the scale of the outcomes the predictor was trained on, normalised to [0, 1]: the
 * probability that the model answers correctly for right/wrong outcomes, the expected score divided by the scale's
 * maximum for graded ones. Only the order and the differences between models matter to a policy, not calibration to
 * the last digit.
 *
 * <p>Implementations are immutable, thread-safe and deterministic: the same prompt gets the same predictions.
 */
public interface QualityPredictor {
  /** A short name for decisions, logs and reports ({@code "knn"}, {@code "mf"}). */
  String name();

  /** The models this predictor knows, in the order of {@link #predict}'s result. Never empty, no duplicates. */
  List<String> models();

  /**
   * Predicted quality of each of {@link #models()} for this prompt, in that order, each in [0, 1].
   *
   * @throws NullPointerException when {@code prompt} is null
   */
  double[] predict(String prompt);

  /**
   * Predictions for many prompts, in order (one row per prompt, one column per model). The default predicts one
   * prompt at a time; implementations that batch (embedding many prompts at once) override it.
   */
  default double[][] predictAll(List<String> prompts) {
    Objects.requireNonNull(prompts, "prompts");
    double[][] out = new double[prompts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = predict(prompts.get(i));
    }
    return out;
  }
}
