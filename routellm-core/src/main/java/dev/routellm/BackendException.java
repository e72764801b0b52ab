package dev.routellm;

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

  BackendException(String model, int statusCode, String message, Throwable cause) {
    super(message, cause);
    this.model = model;
    this.statusCode = statusCode;
  }

  /** The model whose endpoint failed. */
  public String model() {
    return model;
  }

  /** The HTTP status the server answered with, or empty when no HTTP answer arrived. */
  public OptionalInt statusCode() {
    return statusCode > 0 ? OptionalInt.of(statusCode) : OptionalInt.empty();
  }

  /** Whether the same request may succeed when tried again later. */
  public abstract boolean isRetriable();
}
