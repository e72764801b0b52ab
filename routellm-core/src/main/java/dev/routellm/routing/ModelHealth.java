package dev.routellm.routing;

import java.util.Objects;

/**
 * A model's circuit-breaker state, as {@link Router#health()} reports it. Immutable.
 *
 * @param model the model
 * @param state the breaker's state
 * @param failureRate share of failed calls in the breaker's window, in percent; -1 until the window has its minimum
 *     number of calls
 * @param slowCallRate share of slow calls in the window, in percent; -1 until the window has its minimum number of
 *     calls
 * @param notPermittedCalls requests that did not call the model because its breaker was open, since the router was
 *     built: left out of a request's plan, or refused when the call was about to start (never decreases)
 */
public record ModelHealth(String model, State state, float failureRate, float slowCallRate, long notPermittedCalls) {
  /** A breaker's state. */
  public enum State {
    /** Calls pass; failures are counted. */
    CLOSED,
    /** Calls are refused: the model is skipped until its wait in the open state is over. */
    OPEN,
    /** A few probe calls pass; success closes the breaker, failure opens it again. */
    HALF_OPEN,
    /** The router has no breaker for this model. */
    DISABLED
  }

  public ModelHealth {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(state, "state");
  }

  /** Whether the router would call the model now. */
  public boolean available() {
    return state != State.OPEN;
  }
}
