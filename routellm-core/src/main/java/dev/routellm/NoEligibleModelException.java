package dev.routellm;

import java.util.Map;
import java.util.Objects;

/**
 * No model of the router's pool can serve a request within its limits: every model was excluded by the allowed
 * models, the maximum cost, a capability the request needs, its context length, or an open circuit breaker. Thrown at
 * once, before any model is called. The message names each model and the limit that excluded it; {@link #reasons()}
 * gives them one by one.
 */
public final class NoEligibleModelException extends RouteLlmException {
  private static final long serialVersionUID = 1L;

  private final Map<String, String> reasons;

  /**
   * @param reasons why each model was excluded, by model name, in pool order
   */
  public NoEligibleModelException(Map<String, String> reasons) {
    super(message(reasons), null);
    this.reasons = Map.copyOf(reasons);
  }

  private static String message(Map<String, String> reasons) {
    Objects.requireNonNull(reasons, "reasons");
    StringBuilder s = new StringBuilder("no model can serve this request: ");
    String sep = "";
    for (Map.Entry<String, String> e : reasons.entrySet()) {
      s.append(sep).append(e.getKey()).append(": ").append(e.getValue());
      sep = "; ";
    }
    return s.toString();
  }

  /** Why each model was excluded, by model name. */
  public Map<String, String> reasons() {
    return reasons;
  }
}
