/**
 * Capturing traffic: {@link dev.routellm.traffic.TrafficLog}, a router listener writing one JSON line per request
 * (prompt or its hash, decision, model, tokens, cost, latency) without ever slowing or failing a request. Label the
 * log with {@code routellm label} and train a router that knows your traffic.
 */
package dev.routellm.traffic;
