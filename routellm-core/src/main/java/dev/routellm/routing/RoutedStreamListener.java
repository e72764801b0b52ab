package dev.routellm.routing;

import dev.routellm.chat.StreamListener;

/**
 * Receives a routed, streamed answer: first the decision, then the text as it arrives. Called on the streaming
 * thread, in order.
 */
@FunctionalInterface
public interface RoutedStreamListener extends StreamListener {
  /** The routing decision, delivered before any text. */
  default void onDecision(RoutingDecision decision) {}
}
