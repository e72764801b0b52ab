package dev.routellm.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.routellm.routing.Router;
import java.util.Objects;
import java.util.Optional;

/**
 * A LangChain4j {@link ChatModel} backed by a {@link Router}: each request is routed to one of the router's models,
 * so any AI Service, chain or agent built on LangChain4j gets routing.
 *
 * <pre>{@code
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(RoutingChatModel.of(router))
 *     .tools(new Calculator())
 *     .build();
 * Result<String> answer = assistant.chat("What is 12 * 34?");
 * RoutingDecision decision = RoutingChatModel.routing(answer.finalResponse()).orElseThrow().decision();
 * }</pre>
 *
 * <p>Requests convert as they would for OpenAI: messages (system, user text, AI with tool calls, tool results),
 * temperature, max output tokens, stop sequences, top-p, penalties, function tools and tool choice, JSON response
 * format. The model name in request parameters is ignored: the router chooses. The answer's metadata is a {@link
 * RoutedChatResponseMetadata}. Failures are the router's exceptions ({@link dev.routellm.RouteLlmException}).
 *
 * <p>Thread-safe, as its router. Does not own the router.
 */
public final class RoutingChatModel implements ChatModel {
  private final Router router;

  private RoutingChatModel(Router router) {
    this.router = router;
  }

  /** A chat model that sends every request through {@code router}. */
  public static RoutingChatModel of(Router router) {
    return new RoutingChatModel(Objects.requireNonNull(router, "router"));
  }

  /**
   * The routing metadata of an answer from a routed model: the decision, the calls and the cost; empty for an
   * answer from another model.
   */
  public static Optional<RoutedChatResponseMetadata> routing(ChatResponse response) {
    Objects.requireNonNull(response, "response");
    return response.metadata() instanceof RoutedChatResponseMetadata m ? Optional.of(m) : Optional.empty();
  }

  /** The router behind this model. */
  public Router router() {
    return router;
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    return Conversions.toLangChain4j(router.chat(Conversions.toRouteLlm(request)));
  }

  @Override
  public ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  @Override
  public String toString() {
    return "RoutingChatModel[" + router.name() + "]";
  }
}
