package dev.routellm.routing;

import dev.routellm.BackendException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.Usage;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A scripted backend: answers "<model> says hi" unless a failure is queued. Thread-safe. */
final class FakeBackend implements ModelBackend {
  private final String model;
  private final Deque<BackendException> failures = new ArrayDeque<>();
  private final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger closed = new AtomicInteger();
  private volatile Usage usage = Usage.of(100, 200);
  private volatile boolean failAfterText;

  FakeBackend(String model) {
    this.model = model;
  }

  synchronized FakeBackend failWith(BackendException e) {
    failures.add(e);
    return this;
  }

  FakeBackend usage(Usage value) {
    this.usage = value;
    return this;
  }

  /** Makes the next streamed failure happen after text was delivered. */
  FakeBackend failAfterText() {
    this.failAfterText = true;
    return this;
  }

  List<ChatRequest> requests() {
    return requests;
  }

  int calls() {
    return requests.size();
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.ALL;
  }

  private synchronized BackendException nextFailure() {
    return failures.poll();
  }

  @Override
  public ChatResponse chat(ChatRequest request) {
    requests.add(request);
    BackendException failure = nextFailure();
    if (failure != null) {
      throw failure;
    }
    return answer();
  }

  private ChatResponse answer() {
    return ChatResponse.builder().model(model).text(model + " says hi").finishReason("stop").usage(usage).build();
  }

  @Override
  public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
    try {
      return CompletableFuture.completedFuture(chat(request));
    } catch (BackendException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public ChatResponse stream(ChatRequest request, StreamListener listener) {
    requests.add(request);
    BackendException failure = nextFailure();
    if (failure != null && !failAfterText) {
      throw failure;
    }
    listener.onText(model + " says");
    if (failure != null) {
      throw failure;
    }
    listener.onText(" hi");
    return answer();
  }

  @Override
  public void close() {
    closed.incrementAndGet();
  }

  int closedCount() {
    return closed.get();
  }
}
