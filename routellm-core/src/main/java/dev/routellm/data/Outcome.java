package dev.routellm.data;

import dev.routellm.chat.Usage;
import dev.routellm.cost.Dollars;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How one model did on one example: its judgement(s), and optionally its answer's text, its token usage and its cost.
 *
 * <p>A judgement is a finite number: 1 or 0 for a right or wrong answer, or a judge's score. An example judged more
 * than once (MT-Bench judges each of a question's two turns) keeps every judgement, and its {@link #score()} is their
 * mean, so that a mean over examples with equally many judgements is RouteLLM's mean over judgement rows.
 *
 * <p>Immutable and thread-safe; the {@code with...} methods return a copy. Nothing here is ever {@code null}: absent
 * optional parts are empty.
 */
public final class Outcome {
  private final double[] judgements;
  private final double score;
  private final String response;
  private final Usage usage;
  private final double cost;

  private Outcome(double[] judgements, String response, Usage usage, double cost) {
    this.judgements = judgements;
    double sum = 0;
    for (double j : judgements) {
      sum += j;
    }
    this.score = sum / judgements.length;
    this.response = response;
    this.usage = usage;
    this.cost = cost;
  }

  /** A right (1) or wrong (0) answer. */
  public static Outcome correct(boolean correct) {
    return new Outcome(new double[] {correct ? 1.0 : 0.0}, null, null, Double.NaN);
  }

  /**
   * One or more judgements of the same answer (a score, or one score per turn).
   *
   * @throws IllegalArgumentException when there is no judgement or one is not finite
   */
  public static Outcome judged(double... judgements) {
    Objects.requireNonNull(judgements, "judgements");
    if (judgements.length == 0) {
      throw new IllegalArgumentException("an outcome needs at least one judgement");
    }
    for (double j : judgements) {
      if (!Double.isFinite(j)) {
        throw new IllegalArgumentException("judgements must be finite but one was " + j);
      }
    }
    return new Outcome(judgements.clone(), null, null, Double.NaN);
  }

  /** A copy with the model's answer text. */
  public Outcome withResponse(String response) {
    return new Outcome(judgements, Objects.requireNonNull(response, "response"), usage, cost);
  }

  /** A copy with the answer's token usage. */
  public Outcome withUsage(Usage usage) {
    return new Outcome(judgements, response, Objects.requireNonNull(usage, "usage"), cost);
  }

  /**
   * A copy with the answer's cost in dollars.
   *
   * @throws IllegalArgumentException when {@code cost} is negative or not finite
   */
  public Outcome withCost(double cost) {
    if (!(cost >= 0) || Double.isInfinite(cost)) {
      throw new IllegalArgumentException("cost must be finite and >= 0 but was " + cost);
    }
    return new Outcome(judgements, response, usage, cost);
  }

  /** The mean of the judgements: 1 or 0 for one correctness judgement. */
  public double score() {
    return score;
  }

  /** Every judgement, in order (a copy). */
  public double[] judgements() {
    return judgements.clone();
  }

  /** How many judgements the score is the mean of. */
  public int judgementCount() {
    return judgements.length;
  }

  /** The model's answer, when the data has it (GSM8K has both models' full answers). */
  public Optional<String> response() {
    return Optional.ofNullable(response);
  }

  /** The answer's token usage, when the data has it. */
  public Optional<Usage> usage() {
    return Optional.ofNullable(usage);
  }

  /** The answer's cost in dollars, when the data has it. */
  public OptionalDouble cost() {
    return Double.isNaN(cost) ? OptionalDouble.empty() : OptionalDouble.of(cost);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Outcome other
        && Arrays.equals(judgements, other.judgements)
        && Objects.equals(response, other.response)
        && Objects.equals(usage, other.usage)
        && Double.compare(cost, other.cost) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(judgements), response, usage, cost);
  }

  @Override
  public String toString() {
    return "Outcome{judgements=" + Arrays.toString(judgements)
        + (response == null ? "" : ", response=" + response.length() + " chars")
        + (usage == null ? "" : ", usage=" + usage)
        + (Double.isNaN(cost) ? "" : ", cost=" + Dollars.format(cost)) + "}";
  }
}
