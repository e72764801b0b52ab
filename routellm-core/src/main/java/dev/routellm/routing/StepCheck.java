package dev.routellm.routing;

import dev.routellm.cascade.AnswerExtractor;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.chat.ChatRequest;

/**
 * Decides whether a cascade step's answer is good enough to return, or whether the cascade moves on to the next,
 * more expensive step. Stock checks: {@link #confidence} (a {@link ConfidenceModel} on the answer's log-probabilities
 * or text), {@link #agreement} (two models' final answers agree) and {@link #verifier} (another model asked whether
 * the answer is right, as AutoMix does).
 *
 * <p>Implementations are immutable and thread-safe. A check may throw a {@link dev.routellm.RouteLlmException} to
 * fail the request (the confidence check does when an answer lacks the log-probabilities it needs and its policy is
 * {@link MissingLogprobsPolicy#FAIL}).
 */
public interface StepCheck {
  /** A short name for decisions and logs ({@code "agreement"}, {@code "alamere"}). */
  String name();

  /** How many answers the check needs from its step: 1, or 2 and more for agreement. Default 1. */
  default int answersNeeded() {
    return 1;
  }

  /**
   * The request sent to the step's models: the caller's, or one asking for what the check needs (log-probabilities).
   * Default: unchanged.
   */
  default ChatRequest prepare(ChatRequest request) {
    return request;
  }

  /**
   * Checks at build time that the check can work with {@code model}, a model of its step (a confidence check that
   * needs log-probabilities cannot work with a model that returns none).
   *
   * @throws dev.routellm.ConfigurationException saying what cannot work
   */
  default void validate(PoolModel model) {}

  /** Judges the step's answers. */
  CheckResult check(CheckInput input);

  /**
   * Accepts an answer whose confidence is at least {@code threshold}; an answer lacking the log-probabilities the
   * model needs fails the request ({@link MissingLogprobsPolicy#FAIL}). An empty answer is never accepted.
   *
   * @throws IllegalArgumentException when {@code threshold} is NaN or infinite
   */
  static StepCheck confidence(ConfidenceModel model, double threshold) {
    return new ConfidenceCheck(model, threshold, MissingLogprobsPolicy.FAIL);
  }

  /** As {@link #confidence(ConfidenceModel, double)}, with what to do when an answer lacks log-probabilities. */
  static StepCheck confidence(ConfidenceModel model, double threshold, MissingLogprobsPolicy missing) {
    return new ConfidenceCheck(model, threshold, missing);
  }

  /**
   * Accepts when the final answers of all the step's models (two or more, called in parallel) are present and equal
   * after {@code extractor} normalises them; returns the first model's answer. Models that disagree, or an answer
   * without a recognisable final answer, move the cascade on.
   */
  static StepCheck agreement(AnswerExtractor extractor) {
    return new AgreementCheck(extractor, 2);
  }

  /**
   * Asks {@code verifierModel} (a model of the pool) whether the step's answer is correct, and accepts when its
   * belief that it is reaches {@code threshold}: the probability of "Yes" against "No" from the verifier's first token
   * log-probabilities when its endpoint returns them, else 1 for an answer starting with "Yes" and 0 otherwise.
   *
   * @throws IllegalArgumentException when {@code threshold} is outside [0, 1]
   */
  static StepCheck verifier(String verifierModel, double threshold) {
    return new VerifierCheck(verifierModel, threshold);
  }
}
