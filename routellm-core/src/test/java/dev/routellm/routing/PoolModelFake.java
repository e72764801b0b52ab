package dev.routellm.routing;

import dev.routellm.BackendException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.ToolCall;
import dev.routellm.chat.Usage;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A pool model for tests: answers with a text computed from the request, or fails with queued failures; records
 * every request. Thread-safe.
 */
final class PoolModelFake implements ModelBackend {
  private final String model;
  private final Capabilities capabilities;
  private final Deque<BackendException> failures = new ArrayDeque<>();
  private final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
  private volatile Function<ChatRequest, String> answer;
  private volatile List<ToolCall> toolCalls = List.of();
  private volatile List<TokenLogprob> logprobs = List.of();
  private volatile Runnable duringCall = () -> {};
  private volatile Usage usage = Usage.of(100, 200);

  PoolModelFake(String model) {
    this(model, Capabilities.ALL);
  }

  PoolModelFake(String model, Capabilities capabilities) {
    this.model = model;
    this.capabilities = capabilities;
    this.answer = r -> model + " says hi";
  }

  PoolModelFake answers(String text) {
    this.answer = r -> text;
    return this;
  }

  PoolModelFake answers(Function<ChatRequest, String> fn) {
    this.answer = fn;
    return this;
  }

  PoolModelFake callsTools(ToolCall... calls) {
    this.toolCalls = List.of(calls);
    this.answer = r -> "";
    return this;
  }

  PoolModelFake logprobs(TokenLogprob... tokens) {
    this.logprobs = List.of(tokens);
    return this;
  }

  PoolModelFake usage(Usage value) {
    this.usage = value;
    return this;
  }

  /** Runs {@code action} inside every call (to move a test clock, for example). */
  PoolModelFake during(Runnable action) {
    this.duringCall = action;
    return this;
  }

  synchronized PoolModelFake failWith(BackendException e) {
    failures.add(e);
    return this;
  }

  /** Fails the next {@code n} calls with {@code e}. */
  synchronized PoolModelFake failTimes(int n, BackendException e) {
    for (int i = 0; i < n; i++) {
      failures.add(e);
    }
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
    return capabilities;
  }

  private synchronized BackendException nextFailure() {
    return failures.poll();
  }

  @Override
  public ChatResponse chat(ChatRequest request) {
    requests.add(request);
    duringCall.run();
    BackendException failure = nextFailure();
    if (failure != null) {
      throw failure;
    }
    ChatResponse.Builder b = ChatResponse.builder().model(model).text(answer.apply(request)).usage(usage)
        .finishReason(toolCalls.isEmpty() ? "stop" : "tool_calls");
    b.toolCalls(toolCalls);
    if (!logprobs.isEmpty()) {
      b.logprobs(logprobs);
    }
    return b.build();
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
    ChatResponse r = chat(request);
    if (!r.text().isEmpty()) {
      listener.onText(r.text());
    }
    return r;
  }

  @Override
  public void close() {}
}
