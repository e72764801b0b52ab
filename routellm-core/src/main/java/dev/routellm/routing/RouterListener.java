package dev.routellm.routing;

import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatRequest;

/**
 * Observes a router's traffic, for metrics, traces and logs. Every method has a no-op default; override what you need.
 *
 * <p>Every event of one request receives the same {@link ChatRequest} instance (the caller's), so a listener can
 * correlate them by identity. For a request, {@link #onRequest} comes first; then {@link #onDecision} (once, except
 * that {@link Router#route} alone also reports one), {@link #onModelCall} after each model call, {@link #onFallback}
 * when the router moves to another model after a failure; and last exactly one of {@link #onResponse} or
 * {@link #onFailure} (a request the caller cancelled, or whose stream listener threw, ends with neither).
 *
 * <p>Called synchronously on the thread that handles the request, possibly from many threads at once: keep it quick
 * and thread-safe. A listener must not throw; if it does, the router logs the exception (an {@link Error} such as a
 * failed {@code assert} included) and carries on, and the request is unaffected. Only a {@link VirtualMachineError}
 * propagates.
 */
public interface RouterListener {
  /** A listener that does nothing. */
  RouterListener NONE = new RouterListener() {};

  /** A request arrived ({@code chat}, {@code chatAsync} or {@code stream}; not {@code route}), before any work. */
  default void onRequest(ChatRequest request, RouteOptions options) {}

  /** A decision was made ({@link Router#route} and every chat call). */
  default void onDecision(ChatRequest request, RoutingDecision decision) {}

  /** A model call ended, answered or failed (including a call refused by the model's open circuit breaker). */
  default void onModelCall(ChatRequest request, ModelCall call) {}

  /** A model call failed and the router moves on to {@code nextModel}. */
  default void onFallback(ChatRequest request, ModelCall failed, String nextModel) {}

  /** A request was answered. */
  default void onResponse(ChatRequest request, RoutedResponse response) {}

  /** A request could not be answered; the exception is about to be thrown to the caller. */
  default void onFailure(ChatRequest request, RouteLlmException failure) {}
}
