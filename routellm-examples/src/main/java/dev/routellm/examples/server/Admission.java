package dev.routellm.examples.server;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Bounds the chat requests in flight and drains them at shutdown. A request past the bound is turned away at once
 * (the server answers 503 with {@code Retry-After}) rather than queued, so that a flood of requests to a hanging
 * upstream cannot starve the threads that answer {@code /health}. Thread-safe.
 */
final class Admission {
  /** A request in flight that can be told to stop. */
  interface Exchange {
    /** Ends the request now because the server is shutting down: the client gets an error, the upstream call stops. */
    void abort();
  }

  /** Why a request was turned away. */
  enum Refusal {
    BUSY,
    SHUTTING_DOWN
  }

  /** How long aborted requests get to write their error before the server closes. */
  private static final Duration AFTER_ABORT = Duration.ofSeconds(1);

  private final int limit;
  private final Semaphore permits;
  private final Set<Exchange> active = ConcurrentHashMap.newKeySet();
  private final Object idle = new Object();
  private volatile boolean draining;

  Admission(int limit) {
    this.limit = limit;
    this.permits = new Semaphore(limit);
  }

  int limit() {
    return limit;
  }

  int inFlight() {
    return active.size();
  }

  boolean draining() {
    return draining;
  }

  /** Admits {@code exchange}, or says why not; an admitted exchange must be {@linkplain #leave left} once. */
  Refusal enter(Exchange exchange) {
    if (draining) {
      return Refusal.SHUTTING_DOWN;
    }
    if (!permits.tryAcquire()) {
      return Refusal.BUSY;
    }
    active.add(exchange);
    if (draining) { // shutdown began meanwhile: it may not have seen this one
      leave(exchange);
      return Refusal.SHUTTING_DOWN;
    }
    return null;
  }

  /** Ends an admitted exchange; a second call for the same exchange does nothing. */
  void leave(Exchange exchange) {
    if (active.remove(exchange)) {
      permits.release();
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  /**
   * Stops admitting, waits up to {@code grace} for the requests in flight to finish, then aborts those left.
   *
   * @return how many were aborted
   */
  int drain(Duration grace) throws InterruptedException {
    draining = true;
    awaitIdle(System.nanoTime() + grace.toNanos());
    List<Exchange> remaining = List.copyOf(active);
    remaining.forEach(Exchange::abort);
    // let the aborted ones write their error; a stream stuck reading its upstream may not, and is cut at close
    awaitIdle(System.nanoTime() + AFTER_ABORT.toNanos());
    return remaining.size();
  }

  private void awaitIdle(long deadline) throws InterruptedException {
    synchronized (idle) {
      long left;
      while (!active.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
        idle.wait(Math.max(1, left / 1_000_000));
      }
    }
  }
}
