package dev.routellm;

/**
 * The router's policy could not decide a request because its predictor failed on it: the predictor threw (an
 * embedding service that is down, say) or returned values that are not predictions (NaN, the wrong number of models).
 * Thrown before any model is called; the predictor's own exception is the {@linkplain #getCause() cause}. Listeners
 * see it in {@code onFailure}, so metrics and traffic logs count the request.
 */
public final class PredictionException extends RouteLlmException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, naming the router and policy
   * @param cause the predictor's exception
   */
  public PredictionException(String message, Throwable cause) {
    super(message, cause);
  }
}
