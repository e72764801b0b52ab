package dev.routellm.chat;

import dev.routellm.BackendException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.RetriableBackendException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
   * {@link dev.routellm.BackendException}. Implementations should stop the call in flight, and start no retry, when
   * the caller cancels the future or completes it otherwise (for example with {@link CompletableFuture#orTimeout});
   * this is how a deadline applies to an asynchronous call.
   */
  CompletableFuture<ChatResponse> chatAsync(ChatRequest request);

  /**
   * Streams the answer: {@code listener} receives text as it arrives, and the complete response (text, usage,
   * log-probabilities) is returned at the end. Blocks until the stream ends.
   */
  ChatResponse stream(ChatRequest request, StreamListener listener);

  /**
   * {@link #chat(ChatRequest)} within {@code timeout}, retries included: a router calls this with what is left of the
   * request's deadline. The default runs {@link #chatAsync} and cancels it when the time is up (an implementation
   * whose {@code chatAsync} stops its call on cancellation then leaves nothing running); implementations that can
   * bound a blocking call themselves override it.
   *
   * @param timeout the longest the whole call may take, {@code > 0}
   * @throws dev.routellm.RetriableBackendException of kind {@link dev.routellm.BackendException.Kind#TIMEOUT} when no
   *     answer came within {@code timeout} (the call is cancelled)
   */
  default ChatResponse chat(ChatRequest request, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    CompletableFuture<ChatResponse> call = chatAsync(request);
    try {
      return call.get(Math.max(1L, timeout.toNanos()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new RetriableBackendException(model(), 0, "model '" + model() + "' gave no answer within "
          + timeout.toMillis() + " ms", e, BackendException.Kind.TIMEOUT);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for model '" + model() + "'");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new NonRetriableBackendException(model(), 0, "model '" + model() + "' failed: " + e.getCause(),
          e.getCause());
    }
  }

  /**
   * {@link #stream(ChatRequest, StreamListener)} within {@code timeout}: a router calls this with what is left of the
   * request's deadline. An implementation that supports deadlines makes the whole call, its own retries and waits
   * included, end within it, and reports running out as a {@link dev.routellm.RetriableBackendException} of kind
   * {@link dev.routellm.BackendException.Kind#TIMEOUT} (or {@link dev.routellm.BackendException.Kind#STREAM_CUT} when
   * text had already reached the listener). The default cannot bound the call and delegates to {@link
   * #stream(ChatRequest, StreamListener)}; a router holding a deadline also checks it each time text arrives, so even
   * such a backend is stopped at the next chunk, but not while it waits for one.
   *
   * @param timeout the longest the whole call may take, {@code > 0}
   */
  default ChatResponse stream(ChatRequest request, StreamListener listener, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return stream(request, listener);
  }

  @Override
  void close();
}
