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
    super(model, statusCode, message, cause);
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
