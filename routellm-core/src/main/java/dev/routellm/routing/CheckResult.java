package dev.routellm.routing;

import java.util.Objects;

/**
 * A {@link StepCheck}'s verdict on a cascade step's answers. Immutable.
 *
 * @param accepted whether the cascade stops here and returns {@code answer}
 * @param score what the check measured, for the decision (a confidence, the share of answers that agree, the
 *     verifier's belief that the answer is right); {@code NaN} when it measured nothing (an empty answer)
 * @param threshold what {@code score} was compared with; {@code NaN} when nothing was compared
 * @param answer index, among the step's answers, of the answer to return if accepted (or to keep in hand if not)
 * @param reason a short human explanation, for example {@code "gpt-4o-mini and gemini-1.5-flash agree on 42"}
 */
public record CheckResult(boolean accepted, double score, double threshold, int answer, String reason) {
  public CheckResult {
    Objects.requireNonNull(reason, "reason");
    if (answer < 0) {
      throw new IllegalArgumentException("answer index must be >= 0 but was " + answer);
    }
  }

  /** Accepts the first answer. */
  public static CheckResult accept(double score, double threshold, String reason) {
    return new CheckResult(true, score, threshold, 0, reason);
  }

  /** Rejects the step: the cascade asks the next step. */
  public static CheckResult reject(double score, double threshold, String reason) {
    return new CheckResult(false, score, threshold, 0, reason);
  }
}
