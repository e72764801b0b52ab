package dev.routellm.routing;

import dev.routellm.chat.Usage;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One call a router made to a model while answering a request: the chosen model's, a cascade step's, a verifier's, or
 * a fallback. Immutable.
 *
 * @param model the model called
 * @param role why it was called
 * @param usage tokens billed (zero for a failed call)
 * @param cost dollars, from the router's prices (zero for a failed call)
 * @param latency wall time of the call, retries included
 * @param failure what went wrong when the call failed (or was refused before it started, because the model's circuit
 *     was open), else empty
 */
public record ModelCall(
    String model, Role role, Usage usage, double cost, Duration latency, Optional<Failure> failure) {

  /** Why a model was called. */
  public enum Role {
    /** To answer the request (the chosen model, a cascade step, a fallback). */
    ANSWER,
    /** To judge another model's answer (a cascade's verifier). */
    VERIFY
  }

  /**
   * A failed call.
   *
   * @param kind what kind of failure, for metrics: the exception's simple class name
   *     ({@code "RetriableBackendException"}, {@code "NonRetriableBackendException"},
   *     {@code "DeadlineExceededException"}, {@code "BudgetExceededException"}), or {@value #CIRCUIT_OPEN} when the
   *     model was not called because its circuit breaker refused
   * @param message what went wrong, naming the model; never an API key
   * @param retriable whether the same request may succeed later
   */
  public record Failure(String kind, String message, boolean retriable) {
    /** {@link #kind()} of a call that was never made because the model's circuit breaker refused it. */
    public static final String CIRCUIT_OPEN = "CircuitOpen";

    public Failure {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
    }
  }

  public ModelCall {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(failure, "failure");
    if (!(cost >= 0.0 && cost < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("cost must be finite and >= 0 but was " + cost);
    }
  }

  /** Whether the call returned an answer. */
  public boolean succeeded() {
    return failure.isEmpty();
  }

  /** As a record prints itself, with the cost as a plain decimal. */
  @Override
  public String toString() {
    return "ModelCall[model=" + model + ", role=" + role + ", usage=" + usage + ", cost="
        + dev.routellm.cost.Dollars.format(cost) + ", latency=" + latency + ", failure=" + failure + "]";
  }
}
