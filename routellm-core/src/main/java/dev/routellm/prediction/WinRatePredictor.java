package dev.routellm.prediction;

import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Estimates, before any model runs, the probability that the strong model's answer to a prompt beats the weak
 * model's. A predictive router sends the prompt to the strong model when this score is at least its threshold.
 *
 * <p>Implementations are thread-safe and deterministic: the same prompt gets the same score. A predictor can be a
 * lambda: {@code WinRatePredictor.of("length", prompt -> prompt.length() > 500 ? 0.9 : 0.1)}.
 */
public interface WinRatePredictor {
  /**
   * A predictor from a function: {@code score} gets the prompt and returns the strong model's win rate. The function
   * must be thread-safe and deterministic, as any predictor.
   *
   * <pre>{@code
   * WinRatePredictor byLength = WinRatePredictor.of("length", prompt -> prompt.length() > 500 ? 0.9 : 0.1);
   * }</pre>
   *
   * <p>The predictor checks what the function returns: a score outside [0, 1] (or NaN) throws an {@link
   * IllegalStateException} naming the predictor and the value, so a faulty function never routes silently.
   *
   * @param name the name for decisions and logs; not blank
   * @throws IllegalArgumentException when {@code name} is blank
   */
  static WinRatePredictor of(String name, ToDoubleFunction<String> score) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(score, "score");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
    }
    return new WinRatePredictor() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public double score(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        double s = score.applyAsDouble(prompt);
        if (!(s >= 0.0 && s <= 1.0)) {
          throw new IllegalStateException("predictor '" + name + "' returned " + s + ", outside [0, 1]");
        }
        return s;
      }

      @Override
      public String toString() {
        return "WinRatePredictor[" + name + "]";
      }
    };
  }

  /** A short name for decisions, logs and reports ({@code "mf"}, {@code "knn"}, {@code "random"}). */
  String name();

  /**
   * The strong model's win rate for this prompt, in [0, 1].
   *
   * @throws NullPointerException when {@code prompt} is null
   */
  double score(String prompt);

  /**
   * Scores of many prompts, in order. The default scores one at a time; implementations that batch override it.
   */
  default double[] scoreAll(List<String> prompts) {
    Objects.requireNonNull(prompts, "prompts");
    double[] scores = new double[prompts.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = score(prompts.get(i));
    }
    return scores;
  }
}
