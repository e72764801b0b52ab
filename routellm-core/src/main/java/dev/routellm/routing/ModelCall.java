package dev.routellm.routing;

import dev.routellm.BackendException;
import dev.routellm.BudgetExceededException;
import dev.routellm.DeadlineExceededException;
import dev.routellm.NoEligibleModelException;
import dev.routellm.PredictionException;
import dev.routellm.chat.Usage;
import java.time.Duration;
import java.util.Locale;
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
   * @param kind what kind of failure, for metrics, logs and dashboards: a short lower-case word that names no Java
   *     class. For a backend's failure it is its {@link BackendException.Kind} in lower case ({@code "http_status"},
   *     {@code "connection"}, {@code "timeout"}, {@code "malformed_answer"}, {@code "answer_too_large"},
   *     {@code "stream_cut"}, {@code "circuit_open"}, {@code "cancelled"}, {@code "other"}); otherwise
   *     {@value #DEADLINE_EXCEEDED} (the request's deadline ran out), {@value #BUDGET_EXCEEDED} (a spend limit refused
   *     the call) or {@code "other"}; see {@link #kindOf(Throwable)}
   * @param message what went wrong, naming the model; never an API key
   * @param retriable whether the same request may succeed later
   */
  public record Failure(String kind, String message, boolean retriable) {
    /** {@link #kind()} of a call that was never made because the model's circuit breaker refused it. */
    public static final String CIRCUIT_OPEN = "circuit_open";
    /** {@link #kind()} of a call cut short because the request's deadline ran out. */
    public static final String DEADLINE_EXCEEDED = "deadline_exceeded";
    /** {@link #kind()} of a call a spend limit refused. */
    public static final String BUDGET_EXCEEDED = "budget_exceeded";
    /** The kind of a request that no model in the pool was allowed to serve ({@link NoEligibleModelException}). */
    public static final String NO_ELIGIBLE_MODEL = "no_eligible_model";
    /** The kind of a request whose predictor failed ({@link PredictionException}). */
    public static final String PREDICTION_FAILED = "prediction_failed";
    /** {@link #kind()} of any other failure. */
    public static final String OTHER = "other";

    public Failure {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
    }

    /**
     * The {@link #kind()} of a failure that ended with {@code failure}; also the kind a whole request's failure is
     * counted under ({@link #NO_ELIGIBLE_MODEL} and {@link #PREDICTION_FAILED} only there).
     *
     * @param failure what the call threw; not null
     */
    public static String kindOf(Throwable failure) {
      Objects.requireNonNull(failure, "failure");
      if (failure instanceof BackendException b) {
        return b.kind().name().toLowerCase(Locale.ROOT);
      }
      if (failure instanceof DeadlineExceededException) {
        return DEADLINE_EXCEEDED;
      }
      if (failure instanceof BudgetExceededException) {
        return BUDGET_EXCEEDED;
      }
      if (failure instanceof NoEligibleModelException) {
        return NO_ELIGIBLE_MODEL;
      }
      if (failure instanceof PredictionException) {
        return PREDICTION_FAILED;
      }
      return OTHER;
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
