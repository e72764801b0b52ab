package dev.routellm;

import java.time.Duration;
import java.util.Objects;

/**
 * A routed request ran out of time: its deadline (retries, fallbacks and cascade steps included) passed before a
 * model answered. The message says what was running when time ran out (which model, which step) and the deadline.
 * Retriable in the sense that the same request may pass later, or with a longer deadline.
 */
public final class DeadlineExceededException extends RouteLlmException {
  private static final long serialVersionUID = 1L;

  private final Duration deadline;

  public DeadlineExceededException(Duration deadline, String what, Throwable cause) {
    super("deadline of " + Objects.requireNonNull(deadline, "deadline").toMillis() + " ms exceeded: " + what, cause);
    this.deadline = deadline;
  }

  /** The request's deadline. */
  public Duration deadline() {
    return deadline;
  }
}
