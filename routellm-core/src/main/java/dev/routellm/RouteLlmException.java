package dev.routellm;

/**
 * Root of the library's unchecked exception family. Catch a subclass to act on what went wrong:
 *
 * <ul>
 *   <li>{@link RetriableBackendException}: a model endpoint failed in a way that may pass if tried later (429, 5xx,
 *       timeout, connection failure); the library already retried within its configured budget.
 *   <li>{@link NonRetriableBackendException}: the endpoint rejected the request (other 4xx, malformed answer); trying
 *       again with the same request will fail again.
 *   <li>{@link ConfigurationException}: the library was set up in a way that cannot work (missing API key, unpriced
 *       model, unavailable execution provider).
 *   <li>{@link InvalidFileException}: a model, router or data file is missing or malformed; the message names the file
 *       and, where known, the line and field.
 *   <li>{@link BudgetExceededException}: a spend limit (per day, per tenant or for all tenants) has no room for the
 *       request's estimated cost; no model was called.
 *   <li>{@link NoEligibleModelException}: no model of the pool can serve the request within its limits (allowed
 *       models, maximum cost, capabilities, context length, open circuit breakers); no model was called.
 *   <li>{@link DeadlineExceededException}: the request's deadline ran out (retries and fallback included).
 *   <li>{@link PredictionException}: the router's predictor failed on the request (threw, or returned values that
 *       are not predictions); no model was called.
 * </ul>
 *
 * <p>Plain argument errors on public methods (a {@code null}, a threshold outside [0, 1]) are reported with the JDK's
 * {@link IllegalArgumentException} and {@link NullPointerException}, as is conventional.
 */
public abstract class RouteLlmException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected RouteLlmException(String message, Throwable cause) {
    super(message, cause);
  }
}
