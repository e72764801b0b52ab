package dev.routellm.routing;

import dev.routellm.chat.Usage;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One call a router made to a model while answering a request: the chosen model's, a cascade's weak call, or a
 * fallback. Immutable.
 *
 * @param model the model called
 * @param tier its tier
 * @param usage tokens billed (zero for a failed call)
 * @param cost dollars, from the router's {@link dev.routellm.cost.CostModel} (zero for a failed call)
 * @param latency wall time of the call, retries included
 * @param failure the failure's message when the call failed, else empty
 */
public record ModelCall(
    String model, Tier tier, Usage usage, double cost, Duration latency, Optional<String> failure) {

  public ModelCall {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(failure, "failure");
  }

  /** Whether the call returned an answer. */
  public boolean succeeded() {
    return failure.isEmpty();
  }
}
