package dev.routellm.backend;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The clock and the waiting that retries use: blocking calls {@link #sleep(Duration) sleep} between attempts,
 * asynchronous calls {@link #schedule(Duration, Runnable) schedule} the next attempt without holding a thread.
 * Replace it in tests with a fake that records the waits and advances a virtual clock, so that no test sleeps.
 *
 * <p>Implementations must be thread-safe. {@link #system()} uses {@link System#nanoTime()}, {@link Thread#sleep} and
 * the JDK's shared delayed executor ({@link CompletableFuture#delayedExecutor}); it owns no thread that needs closing.
 */
public interface RetryScheduler {
  /** The current time in nanoseconds, for measuring elapsed time only (as {@link System#nanoTime()}). */
  long nanoTime();

  /**
   * Blocks the calling thread for {@code delay}.
   *
   * @throws InterruptedException when the thread is interrupted while waiting
   */
  void sleep(Duration delay) throws InterruptedException;

  /** Runs {@code task} once after {@code delay}, without blocking the caller. {@code task} does not block. */
  void schedule(Duration delay, Runnable task);

  /** The real clock and real waits. */
  static RetryScheduler system() {
    return SystemRetryScheduler.INSTANCE;
  }
}
