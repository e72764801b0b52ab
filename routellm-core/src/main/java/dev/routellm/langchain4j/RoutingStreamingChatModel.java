package dev.routellm.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * A LangChain4j {@link StreamingChatModel} backed by a {@link Router}: the chosen model's answer streams to the
 * handler as it arrives ({@code onPartialResponse}), then {@code onCompleteResponse} brings the whole answer, its tool
 * calls and a {@link RoutedChatResponseMetadata} with the decision; a failure goes to {@code onError}. Requests
 * convert as for {@link RoutingChatModel}. The router falls back to another model only when the chosen one fails
 * before sending any text.
 *
 * <p>{@code chat} returns at once; the stream runs on the executor given (default: the common fork-join pool), and
 * the handler is called on that thread, in order. Thread-safe. Owns neither the router nor the executor.
 */
public final class RoutingStreamingChatModel implements StreamingChatModel {
  private final Router router;
  private final Executor executor;

  private RoutingStreamingChatModel(Router router, Executor executor) {
    this.router = router;
    this.executor = executor;
  }

  /** A streaming model over {@code router}, streaming on the common fork-join pool. */
  public static RoutingStreamingChatModel of(Router router) {
    return of(router, ForkJoinPool.commonPool());
  }

  /** A streaming model over {@code router}, streaming on {@code executor}. */
  public static RoutingStreamingChatModel of(Router router, Executor executor) {
    return new RoutingStreamingChatModel(Objects.requireNonNull(router, "router"),
        Objects.requireNonNull(executor, "executor"));
  }

  @Override
  public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
    Objects.requireNonNull(handler, "handler");
    dev.routellm.chat.ChatRequest routed;
    try {
      routed = Conversions.toRouteLlm(request);
    } catch (RuntimeException e) {
      handler.onError(e);
      return;
    }
    executor.execute(() -> {
      RoutedResponse answer;
      try {
        answer = router.stream(routed, handler::onPartialResponse);
      } catch (RuntimeException e) {
        handler.onError(e);
        return;
      }
      handler.onCompleteResponse(Conversions.toLangChain4j(answer));
    });
  }

  @Override
  public ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  @Override
  public String toString() {
    return "RoutingStreamingChatModel[" + router.name() + "]";
  }
}
