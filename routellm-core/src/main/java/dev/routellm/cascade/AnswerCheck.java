package dev.routellm.cascade;

/**
 * A pluggable test of an answer's text, whose result becomes one feature of an {@link AnswerConfidenceModel}: for
 * example the number of arithmetic mistakes written in a maths answer ({@link #arithmetic()}), or whether generated
 * code compiles. A larger value should mean "more suspicious" or "more reassuring" consistently; the fitted model
 * learns the sign.
 *
 * <p>Implementations are stateless, thread-safe and deterministic, and never throw on odd text (return 0 instead).
 */
public interface AnswerCheck {
  /**
   * The check's name: its feature name in model files, so it must stay stable. A model file that names a check is
   * loaded with that check supplied (built-in checks are found by name).
   */
  String name();

  /**
   * The check's result for an answer, a finite number.
   *
   * @param question the user's question (the request's last user message)
   * @param answer the answer's text
   */
  double check(String question, String answer);

  /**
   * Re-computes the arithmetic written in the answer ({@code a op b = c} chains such as {@code 3 x (4 + 2) = 18},
   * and GSM8K-style calculator annotations {@code <<3*6=18>>}) and counts the equalities that are wrong, capped at
   * 2. Named {@value ArithmeticCheck#NAME}.
   */
  static AnswerCheck arithmetic() {
    return ArithmeticCheck.INSTANCE;
  }
}
