package dev.routellm.routing;

/**
 * What a cascade router does when the weak model's answer lacks the token log-probabilities its confidence model
 * needs (the endpoint ignored the request for them, or the answer is empty). Never a silent pass: either the request
 * fails, or the decision's reason says why it escalated.
 *
 * <p>A weak answer that only asks for tool calls (no text, hence no content tokens to score) falls under this policy
 * too, whatever the confidence model: {@link #FAIL} fails the request, {@link #ESCALATE} asks the strong model, whose
 * answer (tool calls or text) is returned. A cascade meant for tool-calling traffic should use {@link #ESCALATE}, or a
 * predictive router, which decides before any model answers.
 */
public enum MissingLogprobsPolicy {
  /**
   * Fail the request with a {@link dev.routellm.NonRetriableBackendException} naming the weak model (the default:
   * an endpoint that never returns log-probabilities would otherwise escalate every request and cost more than
   * sending everything to the strong model).
   */
  FAIL,
  /** Ask the strong model, as if the confidence were below the threshold; the reason says so. */
  ESCALATE
}
