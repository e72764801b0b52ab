package dev.routellm.routing;

import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import java.util.concurrent.CompletableFuture;

/** A backend whose asynchronous call never completes on its own; the test sees the future it handed out. */
final class HangingBackend implements ModelBackend {
  private final String model;
  /** Completes with the future of the first {@link #chatAsync} call, once it is made. */
  final CompletableFuture<CompletableFuture<ChatResponse>> call = new CompletableFuture<>();

  HangingBackend(String model) {
    this.model = model;
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.ALL;
  }

  @Override
  public ChatResponse chat(ChatRequest request) {
    throw new UnsupportedOperationException("only chatAsync is used");
  }

  @Override
  public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
    CompletableFuture<ChatResponse> f = new CompletableFuture<>();
    if (!call.complete(f)) {
      throw new AssertionError("backend '" + model + "' called more than once");
    }
    return f;
  }

  @Override
  public ChatResponse stream(ChatRequest request, StreamListener listener) {
    throw new UnsupportedOperationException("only chatAsync is used");
  }

  @Override
  public void close() {}
}
