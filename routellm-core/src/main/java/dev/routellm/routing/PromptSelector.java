package dev.routellm.routing;

import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import java.util.stream.Collectors;

/**
 * Chooses the text a predictor scores from a request. Implementations are stateless and thread-safe.
 *
 * <p>RouteLLM scores only the last message, which routes a short follow-up ("and in Python?") on its own words;
 * {@link #CONVERSATION} scores the whole exchange.
 *
 * <p>Tool calling: {@link #LAST_USER_MESSAGE} skips assistant tool calls and tool results alike, so the follow-up
 * request that carries a tool's result is scored on the same user message as the request that led to the call.
 * {@link #CONVERSATION} leaves out {@code tool} messages and the tool calls themselves (machine-written JSON that the
 * predictors, trained on human prompts, would misread), and keeps the text of assistant messages that have some.
 */
@FunctionalInterface
public interface PromptSelector {
  /** The last user message (RouteLLM's behaviour, and the default). */
  PromptSelector LAST_USER_MESSAGE = ChatRequest::lastUserMessage;

  /**
   * Every user and assistant message with text, oldest first, one per line as {@code role: content}; system and tool
   * messages, and assistant messages holding only tool calls, are left out.
   */
  PromptSelector CONVERSATION =
      request ->
          request.messages().stream()
              .filter(m -> !ChatMessage.SYSTEM.equals(m.role()) && !ChatMessage.TOOL.equals(m.role()))
              .filter(m -> !(m.hasToolCalls() && m.content().isBlank()))
              .map(m -> m.role() + ": " + m.content())
              .collect(Collectors.joining("\n"));

  /** The text to score. */
  String select(ChatRequest request);
}
