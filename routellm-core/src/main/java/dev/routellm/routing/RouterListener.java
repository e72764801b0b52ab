package dev.routellm.routing;

import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatRequest;

/**
 * Observes a router's traffic, for metrics and logs. Every method has a no-op default; override what you need.
 *
 * <p>Called synchronously on the thread that handles the request, possibly from many threads at once: keep it quick
 * and thread-safe. A listener must not throw; if it does, the router logs the exception (an {@link Error} such as a
 * failed {@code assert} included) and carries on, and the request is unaffected. Only a {@link VirtualMachineError}
 * propagates.
 */
public interface RouterListener {
  /** A listener that does nothing. */
  RouterListener NONE = new RouterListener() {};

  /** A decision was made ({@link Router#route} and every chat call). */
  default void onDecision(ChatRequest request, RoutingDecision decision) {}

  /** A model call failed and the router is trying the other model. */
  default void onFallback(ChatRequest request, ModelCall failed, Tier fallbackTier) {}

  /** A request was answered. */
  default void onResponse(ChatRequest request, RoutedResponse response) {}

  /** A request could not be answered; the exception is about to be thrown to the caller. */
  default void onFailure(ChatRequest request, RouteLlmException failure) {}
}
