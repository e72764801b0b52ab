package dev.routellm.cascade;

import java.util.Optional;

/**
 * Pulls the final answer out of a model's text, in a normal form in which two answers can be compared for
 * equality: an agreement check ({@code StepCheck.agreement}) accepts a cheap answer when two models' final answers
 * are equal. For example, for maths, the last number of the answer, without thousands separators or trailing zeros
 * ({@code "The total is $1,250.00."} gives {@code "1250"}).
 *
 * <p>Implementations are stateless, thread-safe and deterministic, and never throw on odd text: an answer without a
 * recognisable final answer gives {@link Optional#empty()}, and two empty results never agree.
 */
@FunctionalInterface
public interface AnswerExtractor {
  /**
   * The normalised final answer of {@code answer}, or empty when it has none.
   *
   * @param question the question that was answered (the request's last user message); extractors may ignore it
   * @param answer the model's full answer text
   */
  Optional<String> extract(String question, String answer);
}
