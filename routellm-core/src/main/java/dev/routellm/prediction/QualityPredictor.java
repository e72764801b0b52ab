package dev.routellm.prediction;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

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
  /**
   * A predictor from a function, so that a rule of your own is a lambda:
   *
   * <pre>{@code
   * QualityPredictor byLength = QualityPredictor.of("length", List.of("gpt-4o", "gpt-4o-mini"),
   *     prompt -> prompt.length() > 400 ? new double[] {0.9, 0.6} : new double[] {0.9, 0.85});
   * }</pre>
   *
   * <p>The function must be thread-safe and deterministic, as any predictor. Its result is checked on every call: one
   * value per model, each in [0, 1], or an {@link IllegalStateException} naming the predictor and what was wrong.
   *
   * @throws IllegalArgumentException when {@code name} is blank, or {@code models} is empty or has duplicates
   */
  static QualityPredictor of(String name, List<String> models, Function<String, double[]> predict) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(predict, "predict");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
    }
    List<String> known = List.copyOf(Objects.requireNonNull(models, "models"));
    if (known.isEmpty() || new java.util.HashSet<>(known).size() != known.size()) {
      throw new IllegalArgumentException("models must be non-empty and distinct but were " + known);
    }
    return new QualityPredictor() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<String> models() {
        return known;
      }

      @Override
      public double[] predict(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        double[] q = predict.apply(prompt);
        if (q == null || q.length != known.size()) {
          throw new IllegalStateException("predictor '" + name + "' returned " + (q == null ? "null" : q.length
              + " values") + " but knows " + known.size() + " models " + known);
        }
        for (int i = 0; i < q.length; i++) {
          if (!(q[i] >= 0.0 && q[i] <= 1.0)) {
            throw new IllegalStateException("predictor '" + name + "' returned " + q[i] + " for model '"
                + known.get(i) + "', outside [0, 1]");
          }
        }
        return q.clone();
      }

      @Override
      public String toString() {
        return "QualityPredictor[" + name + ", " + known + "]";
      }
    };
  }

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
