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
  private final ServerError serverError;

  BackendException(String model, int statusCode, String message, Throwable cause, ServerError serverError) {
    super(message, cause);
    this.model = model;
    this.statusCode = statusCode;
    this.serverError = serverError;
  }

  /** The model whose endpoint failed. */
  public String model() {
    return model;
  }

  /** The HTTP status the server answered with, or empty when no HTTP answer arrived. */
  public OptionalInt statusCode() {
    return statusCode > 0 ? OptionalInt.of(statusCode) : OptionalInt.empty();
  }

  /** The error object the server answered with, when it sent one in a known shape. */
  public Optional<ServerError> serverError() {
    return Optional.ofNullable(serverError);
  }

  /** Whether the same request may succeed when tried again later. */
  public abstract boolean isRetriable();
}
