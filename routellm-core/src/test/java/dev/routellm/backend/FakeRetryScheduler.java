package dev.routellm.backend;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link RetryScheduler} on a virtual clock: waits are recorded and advance the clock at once, scheduled tasks run
 * immediately on the calling thread. Tests never sleep. Thread-safe.
 */
final class FakeRetryScheduler implements RetryScheduler {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<Duration> waits = new CopyOnWriteArrayList<>();

  @Override
  public long nanoTime() {
    return now.get();
  }

  @Override
  public void sleep(Duration delay) {
    waits.add(delay);
    now.addAndGet(delay.toNanos());
  }

  @Override
  public void schedule(Duration delay, Runnable task) {
    sleep(delay);
    task.run();
  }

  /** The waits asked for so far, in order. */
  List<Duration> waits() {
    return List.copyOf(waits);
  }
}
