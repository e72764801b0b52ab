package dev.routellm.chat;

import java.util.concurrent.CompletableFuture;

/**
 * One model endpoint. Implementations are thread-safe: one instance serves many concurrent callers.
 *
 * <p>Failures are reported as {@link dev.routellm.RetriableBackendException} (after the implementation's own retries)
 * or {@link dev.routellm.NonRetriableBackendException}. {@link #close()} releases the backend's own resources, is
 * idempotent, and leaves alone anything the caller passed in.
 */
public interface ModelBackend extends AutoCloseable {
  /** The model's name, as used for pricing and in routing decisions. */
  String model();

  /** What this endpoint supports. */
  Capabilities capabilities();

  /** Sends the request and waits for the whole answer. */
  ChatResponse chat(ChatRequest request);

  /**
   * Sends the request without blocking the caller. The future completes with the answer or exceptionally with a
   * {@link dev.routellm.BackendException}.
   */
  CompletableFuture<ChatResponse> chatAsync(ChatRequest request);

  /**
   * Streams the answer: {@code listener} receives text as it arrives, and the complete response (text, usage,
   * log-probabilities) is returned at the end. Blocks until the stream ends.
   */
  ChatResponse stream(ChatRequest request, StreamListener listener);

  /**
   * {@link #chat(ChatRequest)} within {@code timeout}, retries included: a router calls this with what is left of the
   * request's deadline. The default runs {@link #chatAsync} and cancels it when the time is up; implementations that
   * can bound a blocking call themselves override it.
   *
   * @throws dev.routellm.RetriableBackendException when no answer came within {@code timeout} (the call is cancelled)
   */
  default ChatResponse chat(ChatRequest request, java.time.Duration timeout) {
    java.util.Objects.requireNonNull(timeout, "timeout");
    CompletableFuture<ChatResponse> call = chatAsync(request);
    try {
      return call.get(Math.max(1L, timeout.toNanos()), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      call.cancel(true);
      throw new dev.routellm.RetriableBackendException(model(), 0, "model '" + model() + "' gave no answer within "
          + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new java.util.concurrent.CancellationException("interrupted while waiting for model '" + model() + "'");
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new dev.routellm.NonRetriableBackendException(model(), 0, "model '" + model() + "' failed: " + e.getCause(),
          e.getCause());
    }
  }

  /**
   * {@link #stream(ChatRequest, StreamListener)} within {@code timeout}: a router calls this with what is left of
   * the request's deadline. The default cannot bound the call itself and delegates to
   * {@link #stream(ChatRequest, StreamListener)}; the router also checks its deadline each time text arrives.
   * Implementations that can bound a stream override it.
   */
  default ChatResponse stream(ChatRequest request, StreamListener listener, java.time.Duration timeout) {
    java.util.Objects.requireNonNull(timeout, "timeout");
    return stream(request, listener);
  }

  @Override
  void close();
}
