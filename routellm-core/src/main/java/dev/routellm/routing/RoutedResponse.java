package dev.routellm.routing;

import dev.routellm.chat.ChatResponse;
import java.util.List;
import java.util.Objects;

/**
 * The answer a router returned, with the decision behind it and what it cost. Immutable.
 *
 * @param response the answer returned to the caller
 * @param decision the routing decision
 * @param calls every model call made for this request, in order (failed calls, a cascade's earlier steps and
 *     verifier calls included)
 * @param cost dollars spent on all calls; finite, {@code >= 0}
 * @param answeredBy the model whose answer is returned: the decision's model, or another after a fallback
 */
public record RoutedResponse(
    ChatResponse response, RoutingDecision decision, List<ModelCall> calls, double cost, String answeredBy) {

  public RoutedResponse {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(answeredBy, "answeredBy");
    calls = List.copyOf(Objects.requireNonNull(calls, "calls"));
    if (!(cost >= 0.0 && cost < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("cost must be finite and >= 0 but was " + cost);
    }
  }

  /** Whether the answer came from a model other than the decision's, because the chosen one failed. */
  public boolean fellBack() {
    return !answeredBy.equals(decision.model());
  }

  /** As a record prints itself, with the cost as a plain decimal. */
  @Override
  public String toString() {
    return "RoutedResponse[response=" + response + ", decision=" + decision + ", calls=" + calls + ", cost="
        + dev.routellm.cost.Dollars.format(cost) + ", answeredBy=" + answeredBy + "]";
  }
}
