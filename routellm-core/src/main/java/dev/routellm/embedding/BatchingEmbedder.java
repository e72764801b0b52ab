package dev.routellm.embedding;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Micro-batches concurrent {@link #embed} calls: texts that arrive while the delegate is busy are embedded together
 * in one {@link Embedder#embedAll} call, which costs a batching embedder (a transformer on CPU or GPU) much less than
 * one call per text. No call waits for a timer: a lone request is embedded at once, and batches form only from
 * requests that would have queued anyway.
 *
 * <p>At most {@code runners} batches run at the same time (the calling threads run them; no thread is started), each
 * of at most {@code maxBatch} texts, oldest first.
 *
 * <p>Thread-safe. It does not own the delegate: {@link #close()} does nothing to it.
 */
public final class BatchingEmbedder implements Embedder {
  private final Embedder delegate;
  private final int maxBatch;
  private final Semaphore runners;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

  private record Pending(String text, CompletableFuture<float[]> result) {}

  private BatchingEmbedder(Embedder delegate, int maxBatch, int runners) {
    this.delegate = delegate;
    this.maxBatch = maxBatch;
    this.runners = new Semaphore(runners);
  }

  /**
   * A batching view of {@code delegate}.
   *
   * @param maxBatch most texts per delegate call, {@code >= 1}
   * @param runners most delegate calls at once, {@code >= 1} (for a CPU model: the cores it may use)
   */
  public static BatchingEmbedder of(Embedder delegate, int maxBatch, int runners) {
    Objects.requireNonNull(delegate, "delegate");
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1 but was " + maxBatch);
    }
    if (runners < 1) {
      throw new IllegalArgumentException("runners must be >= 1 but was " + runners);
    }
    return new BatchingEmbedder(delegate, maxBatch, runners);
  }

  @Override
  public String id() {
    return delegate.id();
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  @Override
  public float[] embed(String text) {
    Pending mine = new Pending(Objects.requireNonNull(text, "text"), new CompletableFuture<>());
    queue.add(mine);
    while (!mine.result.isDone()) {
      runners.acquireUninterruptibly();
      boolean ranSomething = false;
      try {
        if (!mine.result.isDone()) {
          List<Pending> batch = drain();
          ranSomething = !batch.isEmpty();
          run(batch);
        }
      } finally {
        runners.release();
      }
      if (!ranSomething) {
        // Another runner took this text and is embedding it: wait for that batch instead of spinning.
        return await(mine);
      }
    }
    return await(mine);
  }

  private List<Pending> drain() {
    List<Pending> batch = new ArrayList<>();
    Pending p;
    while (batch.size() < maxBatch && (p = queue.poll()) != null) {
      batch.add(p);
    }
    return batch;
  }

  private void run(List<Pending> batch) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      List<String> texts = new ArrayList<>(batch.size());
      for (Pending p : batch) {
        texts.add(p.text);
      }
      List<float[]> vectors = delegate.embedAll(texts);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result.complete(vectors.get(i));
      }
    } catch (RuntimeException | Error e) {
      for (Pending p : batch) {
        p.result.completeExceptionally(e);
      }
    }
  }

  private static float[] await(Pending p) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return p.result.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException r) {
            throw r;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException("embedding failed", cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Texts waiting for a runner (for tests and monitoring). */
  int queued() {
    return queue.size();
  }

  /** Lists go straight to the delegate, in chunks of {@code maxBatch}. */
  @Override
  public List<float[]> embedAll(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    List<float[]> out = new ArrayList<>(texts.size());
    for (int from = 0; from < texts.size(); from += maxBatch) {
      out.addAll(delegate.embedAll(texts.subList(from, Math.min(texts.size(), from + maxBatch))));
    }
    return out;
  }
}
