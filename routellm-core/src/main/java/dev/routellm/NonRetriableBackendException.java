package dev.routellm;

/**
 * The endpoint rejected the request or answered something unusable (HTTP 400, 401, 403, 404, a malformed body).
 * Sending the same request again will fail the same way; the message carries the server's own error text.
 */
public final class NonRetriableBackendException extends BackendException {
  private static final long serialVersionUID = 1L;

  /**
   * @param model the model whose endpoint failed
   * @param statusCode the HTTP status, or 0 when the failure is not an HTTP status (for example malformed JSON)
   * @param message what failed, naming the model and endpoint
   * @param cause the underlying failure, may be {@code null}
   */
  public NonRetriableBackendException(String model, int statusCode, String message, Throwable cause) {
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
  public NonRetriableBackendException(String model, int statusCode, String message, Throwable cause, Kind kind) {
    super(model, statusCode, message, cause, kind);
  }

  /**
   * @param kind what went wrong, or {@code null} as above
   * @param serverError the error object the server answered with, or {@code null}
   * @see #NonRetriableBackendException(String, int, String, Throwable, Kind)
   */
  public NonRetriableBackendException(String model, int statusCode, String message, Throwable cause, Kind kind,
      ServerError serverError) {
    super(model, statusCode, message, cause, kind, serverError);
  }

  @Override
  public boolean isRetriable() {
    return false;
  }
}
