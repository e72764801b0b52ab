package dev.routellm.onnx;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * How a sequence classifier's logits become the strong model's win rate.
 *
 * <ul>
 *   <li>{@link #routeLlm()} (the default): RouteLLM's BERT router, 3 labels, softmax, label 0 = the strong model wins
 *       (1 = tie, 2 = the weak model wins); the win rate is the probability of label 0.
 *   <li>{@link #softmax(double...)}: any number of labels; the win rate is {@code sum_i w_i * p_i}, with one weight in
 *       [0, 1] per label. RouteLLM's layout is {@code softmax(1, 0, 0)}; counting a tie as half a win is {@code
 *       softmax(1, 0.5, 0)}; a two-label model whose label 1 means "strong wins" is {@code softmax(0, 1)}.
 *   <li>{@link #sigmoid()}: a single logit {@code z}, win rate {@code 1 / (1 + e^-z)}.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class LabelMapping {
  private static final LabelMapping ROUTE_LLM = new LabelMapping(false, new double[] {1, 0, 0});
  private static final LabelMapping SIGMOID = new LabelMapping(true, new double[] {1});

  private final boolean sigmoid;
  private final double[] weights;

  private LabelMapping(boolean sigmoid, double[] weights) {
    this.sigmoid = sigmoid;
    this.weights = weights;
  }

  /** RouteLLM's convention: 3 labels, softmax, the probability of label 0 (strong wins). */
  public static LabelMapping routeLlm() {
    return ROUTE_LLM;
  }

  /**
   * Softmax over {@code strongWinWeights.length} labels; the win rate is the weighted sum of the label probabilities.
   *
   * @throws IllegalArgumentException when fewer than 2 weights are given, a weight is outside [0, 1] or NaN, or all
   *     weights are 0
   */
  public static LabelMapping softmax(double... strongWinWeights) {
    Objects.requireNonNull(strongWinWeights, "strongWinWeights");
    if (strongWinWeights.length < 2) {
      throw new IllegalArgumentException(
          "softmax needs a weight for each of at least 2 labels but got " + strongWinWeights.length);
    }
    boolean anyPositive = false;
    for (int i = 0; i < strongWinWeights.length; i++) {
      double w = strongWinWeights[i];
      if (!(w >= 0 && w <= 1)) {
        throw new IllegalArgumentException("weight of label " + i + " must be in [0, 1] but was " + w);
      }
      anyPositive |= w > 0;
    }
    if (!anyPositive) {
      throw new IllegalArgumentException("at least one label must count towards a strong win; all weights are 0");
    }
    return new LabelMapping(false, strongWinWeights.clone());
  }

  /** A single logit; the win rate is its sigmoid. */
  public static LabelMapping sigmoid() {
    return SIGMOID;
  }

  /** The number of logits the model must output per text. */
  public int labelCount() {
    return weights.length;
  }

  /** The strong-win rate for the logits at {@code output[start .. start + labelCount())}: in [0, 1], or NaN. */
  double strongWinRate(FloatBuffer output, int start) {
    if (sigmoid) {
      return 1.0 / (1.0 + Math.exp(-output.get(start)));
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < weights.length; i++) {
      max = Math.max(max, output.get(start + i));
    }
    double sum = 0;
    double weighted = 0;
    for (int i = 0; i < weights.length; i++) {
      double e = Math.exp(output.get(start + i) - max);
      sum += e;
      weighted += weights[i] * e;
    }
    double rate = weighted / sum;
    return Double.isNaN(rate) ? rate : Math.min(1.0, Math.max(0.0, rate));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelMapping other && sigmoid == other.sigmoid && Arrays.equals(weights, other.weights);
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(sigmoid) * 31 + Arrays.hashCode(weights);
  }

  @Override
  public String toString() {
    return sigmoid ? "sigmoid" : "softmax" + Arrays.toString(weights);
  }
}
