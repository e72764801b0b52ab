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
    super(model, statusCode, message, cause, null);
  }

  /**
   * @param model the model whose endpoint failed
   * @param statusCode the HTTP status, or 0 when there is none
   * @param message what failed, naming the model and endpoint
   * @param cause the underlying failure, may be {@code null}
   * @param kind what went wrong; {@code null} means {@link Kind#HTTP_STATUS} when there is a status, else {@link
   *     Kind#OTHER}
   */
  public RetriableBackendException(String model, int statusCode, String message, Throwable cause, Kind kind) {
    super(model, statusCode, message, cause, kind);
  }

  /**
   * @param kind what went wrong, or {@code null} as above
   * @param serverError the error object the server answered with, or {@code null}
   * @see #RetriableBackendException(String, int, String, Throwable, Kind)
   */
  public RetriableBackendException(String model, int statusCode, String message, Throwable cause, Kind kind,
      ServerError serverError) {
    super(model, statusCode, message, cause, kind, serverError);
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
