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

  @Override
  void close();
}
