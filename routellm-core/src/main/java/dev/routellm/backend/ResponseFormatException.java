package dev.routellm.backend;

/**
 * A server's answer arrived but is not what the API promises (not JSON, no {@code choices}, a vector of the wrong
 * length). Internal: {@link OpenAiHttp} turns it into a {@link dev.routellm.NonRetriableBackendException} that names
 * the model and the endpoint.
 */
final class ResponseFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ResponseFormatException(String message) {
    super(message);
  }

  ResponseFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
