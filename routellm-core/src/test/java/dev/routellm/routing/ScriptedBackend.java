package dev.routellm.routing;

import dev.routellm.BackendException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.Usage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A backend that answers from a script, one step per call, and records the requests it received. Streams an answer
 * word by word; a step may fail before or in the middle of the stream.
 */
final class ScriptedBackend implements ModelBackend {
  private final String model;
  private final Deque<Step> script = new ArrayDeque<>();
  final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());

  private record Step(ChatResponse response, BackendException failure, int failAfterChunks) {}

  ScriptedBackend(String model) {
    this.model = model;
  }

  /** Next call answers {@code text} with these token log-probabilities (none returned when {@code logprobs} is null). */
  ScriptedBackend answers(String text, Usage usage, double... logprobs) {
    ChatResponse.Builder b = ChatResponse.builder().model(model).text(text).usage(usage);
    if (logprobs != null) {
      List<TokenLogprob> tokens = new ArrayList<>();
      for (int i = 0; i < logprobs.length; i++) {
        tokens.add(TokenLogprob.of("t" + i, logprobs[i]));
      }
      b.logprobs(tokens);
    }
    script.add(new Step(b.build(), null, -1));
    return this;
  }

  /** Next call answers with this response. */
  ScriptedBackend answers(ChatResponse response) {
    script.add(new Step(response, null, -1));
    return this;
  }

  /** Next call fails at once. */
  ScriptedBackend fails(BackendException failure) {
    script.add(new Step(null, failure, 0));
    return this;
  }

  /** Next call streams {@code chunks} words of {@code text}, then fails. */
  ScriptedBackend failsMidStream(String text, int chunks, BackendException failure) {
    ChatResponse r = ChatResponse.builder().model(model).text(text).usage(Usage.of(1, 1)).build();
    script.add(new Step(r, failure, chunks));
    return this;
  }

  int calls() {
    return requests.size();
  }

  private Step next(ChatRequest request) {
    requests.add(request);
    Step step = script.poll();
    if (step == null) {
      throw new AssertionError("backend '" + model + "' called more often than scripted");
    }
    return step;
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
    Step step = next(request);
    if (step.failure != null) {
      throw step.failure;
    }
    return step.response;
  }

  @Override
  public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
    Step step = next(request);
    return step.failure != null
        ? CompletableFuture.failedFuture(step.failure)
        : CompletableFuture.completedFuture(step.response);
  }

  @Override
  public ChatResponse stream(ChatRequest request, StreamListener listener) {
    Step step = next(request);
    if (step.failure != null && step.failAfterChunks == 0) {
      throw step.failure;
    }
    String[] words = step.response.text().split("(?<= )");
    for (int i = 0; i < words.length; i++) {
      if (step.failure != null && i == step.failAfterChunks) {
        throw step.failure;
      }
      listener.onText(words[i]);
    }
    return step.response;
  }

  @Override
  public void close() {}
}
