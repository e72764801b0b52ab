package dev.routellm;

/**
 * A transient endpoint failure: HTTP 429 or 5xx, a timeout, or a broken connection. The library has already retried
 * as its retry policy allows; the caller may try again later or fall back to another model.
 */
public final class RetriableBackendException extends BackendException {
  private static final long serialVersionUID = 1L;

  /**
   * @param model the model whose endpoint failed
   * @param statusCode the HTTP status, or 0 when no HTTP answer arrived
   * @param message what failed, naming the model and endpoint
   * @param cause the underlying failure, may be {@code null}
   */
  public RetriableBackendException(String model, int statusCode, String message, Throwable cause) {
    this(model, statusCode, message, cause, null);
  }

  /**
   * @param serverError the error object the server answered with, or null
   * @see #RetriableBackendException(String, int, String, Throwable)
   */
  public RetriableBackendException(String model, int statusCode, String message, Throwable cause, ServerError serverError) {
    super(model, statusCode, message, cause, serverError);
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
