package dev.routellm.budget;

import dev.routellm.RouteLlmException;

/**
 * A {@link SpendStore} could not be reached or answered something unusable (Redis down, a script error). The request
 * is refused rather than run without a budget check; the message names the store and what failed.
 */
public final class SpendStoreException extends RouteLlmException {
  private static final long serialVersionUID = 1L;

  public SpendStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
