package dev.routellm.routing;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The routers' default {@link Router.Builder#executor}: one pool of daemon threads named {@code routellm-router-N},
 * shared by every router of the JVM, created as tasks need them and reused (a thread idle for a minute ends).
 *
 * <p>Why not the common fork-join pool: {@code CompletableFuture} replaces the common pool, when it is handed it
 * explicitly, by a new thread per task whenever the pool's parallelism is 1, which it is on a machine with two cores
 * or fewer; creating a thread cost more than the decision itself there. And a predictor that blocks (an LLM used as a
 * classifier over HTTP) would hold the common pool's few workers, queueing every other request's decision behind it.
 * A cached pool keeps threads for the next requests and never queues a task behind a blocked one. Thread-safe.
 */
final class RouterThreads {
  private RouterThreads() {}

  /** Created on first use, so that a program that gives every router its own executor starts no pool. */
  private static final class Holder {
    static final Executor POOL = create();
  }

  static Executor pool() {
    return Holder.POOL;
  }

  private static Executor create() {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            task -> {
              Thread t = new Thread(task, "routellm-router-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    return new Executor() {
      @Override
      public void execute(Runnable task) {
        pool.execute(task);
      }

      @Override
      public String toString() {
        return "routellm-router threads";
      }
    };
  }
}
