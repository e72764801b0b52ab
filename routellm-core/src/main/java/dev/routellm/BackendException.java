package dev.routellm;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A model endpoint could not answer. Subclasses say whether trying again later can help.
 *
 * <p>Messages never contain API keys or request bodies; they name the model, the endpoint and, when the server sent
 * one, its error message.
 */
public abstract sealed class BackendException extends RouteLlmException
    permits RetriableBackendException, NonRetriableBackendException {
  private static final long serialVersionUID = 1L;

  private final String model;
  private final int statusCode;
  private final Kind kind;
  private final ServerError serverError;

  BackendException(String model, int statusCode, String message, Throwable cause, Kind kind) {
    this(model, statusCode, message, cause, kind, null);
  }

  BackendException(String model, int statusCode, String message, Throwable cause, Kind kind, ServerError serverError) {
    super(message, cause);
    this.model = model;
    this.statusCode = statusCode;
    this.kind = kind != null ? kind : statusCode > 0 ? Kind.HTTP_STATUS : Kind.OTHER;
    this.serverError = serverError;
  }

  /**
   * What went wrong, for metrics and for callers that treat some failures apart (for example a stream cut after
   * part of the answer reached the caller). Independent of {@link #isRetriable()}.
   */
  public enum Kind {
    /** The server answered with an HTTP error status, or reported an error status inside a stream. */
    HTTP_STATUS,
    /** No connection could be made, or it broke before the answer was complete. */
    CONNECTION,
    /** A timeout fired: connect, read, the whole-call timeout, the retry budget or the caller's deadline. */
    TIMEOUT,
    /**
     * A successful (2xx) answer that is not what the API promises: not JSON, no {@code choices}, a malformed streamed
     * chunk, a stream that ended before it was complete, a wrong Content-Type.
     */
    MALFORMED_ANSWER,
    /** The answer was larger than the backend's limit on the bytes it reads from one answer. */
    ANSWER_TOO_LARGE,
    /**
     * A streamed answer failed after part of its text had reached the caller's listener: not retried, and no other
     * model can take over; the cause of the cut is in the message.
     */
    STREAM_CUT,
    /** The model was not called because its circuit breaker is open (a router's decision, not the endpoint's). */
    CIRCUIT_OPEN,
    /** The caller interrupted or cancelled the call. */
    CANCELLED,
    /** Anything else (the kind given when none is). */
    OTHER
  }

  /** The model whose endpoint failed. */
  public String model() {
    return model;
  }

  /** The HTTP status the server answered with, or empty when no HTTP answer arrived. */
  public OptionalInt statusCode() {
    return statusCode > 0 ? OptionalInt.of(statusCode) : OptionalInt.empty();
  }

  /** What went wrong; see {@link Kind}. */
  public Kind kind() {
    return kind;
  }

  /** The error object the server answered with, when it sent one in a known shape. */
  public Optional<ServerError> serverError() {
    return Optional.ofNullable(serverError);
  }

  /** Whether the same request may succeed when tried again later. */
  public abstract boolean isRetriable();
}
