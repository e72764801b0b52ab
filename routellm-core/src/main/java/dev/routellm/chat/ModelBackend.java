package dev.routellm.chat;

import java.time.Duration;
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
   * As {@link #stream(ChatRequest, StreamListener)}, within {@code timeout}: an implementation that supports deadlines
   * makes the whole call, its own retries and waits included, end within it, and reports running out as a {@link
   * dev.routellm.RetriableBackendException} of kind {@link dev.routellm.BackendException.Kind#TIMEOUT}. The default
   * ignores {@code timeout} and calls {@link #stream(ChatRequest, StreamListener)}; a router that holds a deadline
   * also checks it between chunks (in the listener), so even a backend without deadline support is stopped at the
   * next chunk, but not while it waits for one.
   *
   * @param timeout the longest the whole call may take, {@code > 0}; {@code null} means the backend's own limits
   */
  default ChatResponse stream(ChatRequest request, StreamListener listener, Duration timeout) {
    return stream(request, listener);
  }

  @Override
  void close();
}
