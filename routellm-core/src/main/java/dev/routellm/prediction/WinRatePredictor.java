package dev.routellm.prediction;

import java.util.List;
import java.util.Objects;

/**
 * Estimates, before any model runs, the probability that the strong model's answer to a prompt beats the weak
 * model's. A predictive router sends the prompt to the strong model when this score is at least its threshold.
 *
 * <p>Implementations are thread-safe and deterministic: the same prompt gets the same score.
 */
public interface WinRatePredictor {
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
