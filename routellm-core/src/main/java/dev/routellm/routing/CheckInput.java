package dev.routellm.routing;

import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import java.util.List;

/**
 * What a {@link StepCheck} judges: the caller's request, the step's answers, and a way to ask another model of the
 * pool (a verifier). Valid only during {@link StepCheck#check}.
 */
public interface CheckInput {
  /** The caller's request (without what {@link StepCheck#prepare} added). */
  ChatRequest request();

  /** The models that answered, in step order; as many as {@link #answers()}. */
  List<String> models();

  /** The step's answers, in step order. */
  List<ChatResponse> answers();

  /**
   * Asks {@code model} of the pool, blocking until it answers: a priced call recorded in the response's
   * {@link RoutedResponse#calls()} with role {@link ModelCall.Role#VERIFY}, subject to the request's deadline and
   * cost limit and to the model's circuit breaker.
   *
   * @throws dev.routellm.BackendException when the call fails
   * @throws IllegalArgumentException when {@code model} is not in the router's pool
   */
  ChatResponse ask(String model, ChatRequest request);
}
