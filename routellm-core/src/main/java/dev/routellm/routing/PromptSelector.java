package dev.routellm.routing;

import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import java.util.stream.Collectors;

/**
 * Chooses the text a predictor scores from a request. Implementations are stateless and thread-safe.
 *
 * <p>RouteLLM scores only the last message, which routes a short follow-up ("and in Python?") on its own words;
 * {@link #CONVERSATION} scores the whole exchange.
 */
@FunctionalInterface
public interface PromptSelector {
  /** The last user message (RouteLLM's behaviour, and the default). */
  PromptSelector LAST_USER_MESSAGE = ChatRequest::lastUserMessage;

  /** Every user and assistant message, oldest first, one per line as {@code role: content}. */
  PromptSelector CONVERSATION =
      request ->
          request.messages().stream()
              .filter(m -> !ChatMessage.SYSTEM.equals(m.role()))
              .map(m -> m.role() + ": " + m.content())
              .collect(Collectors.joining("\n"));

  /** The text to score. */
  String select(ChatRequest request);
}
