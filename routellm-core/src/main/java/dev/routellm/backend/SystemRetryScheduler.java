package dev.routellm.backend;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The JDK-backed scheduler of {@link RetryScheduler#system()}. Thread-safe, stateless. */
enum SystemRetryScheduler implements RetryScheduler {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void sleep(Duration delay) throws InterruptedException {
    Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
  }

  @Override
  public void schedule(Duration delay, Runnable task) {
    CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS).execute(task);
  }
}
