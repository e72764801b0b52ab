package dev.routellm.routing;

/** When a router answers with the other model because the chosen one failed. */
public enum FallbackPolicy {
  /** Never: the chosen model's failure is thrown to the caller. */
  NEVER,
  /**
   * After retriable failures only (429, 5xx, timeouts, connection failures, once the backend's own retries are
   * spent). The default: a request the server rejected as invalid would be rejected by the other model too.
   */
  ON_RETRIABLE,
  /** After any backend failure, including rejected requests (useful when the models differ in limits). */
  ALWAYS
}
