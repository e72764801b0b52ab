package dev.routellm.examples;

import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import java.util.concurrent.CompletableFuture;

/**
 * A model backend for tests that answers only in the ways a subclass overrides; every other way fails with {@link
 * UnsupportedOperationException}. Capabilities: all. Closing does nothing.
 */
public abstract class FakeBackend implements ModelBackend {
  private final String model;

  protected FakeBackend(String model) {
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
    throw new UnsupportedOperationException(model + " does not answer blocking calls");
  }

  @Override
  public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException(model + " does not answer asynchronously"));
  }

  @Override
  public ChatResponse stream(ChatRequest request, StreamListener listener) {
    throw new UnsupportedOperationException(model + " does not stream");
  }

  @Override
  public void close() {}
}
