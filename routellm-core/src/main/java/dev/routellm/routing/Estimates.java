package dev.routellm.routing;

import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.Usage;
import dev.routellm.chat.ToolCall;

/**
 * Token estimates made before a call, for expected costs and context checks: characters / {@value
 * Usage#CHARS_PER_TOKEN} (OpenAI's rule of thumb for English), plus a few tokens of framing per message, as OpenAI's
 * chat format adds.
 */
final class Estimates {
  /** Tokens OpenAI's chat format adds around each message (role and separators). */
  static final int TOKENS_PER_MESSAGE = 4;

  private Estimates() {}

  /** Estimated prompt tokens of {@code request}: every message's text and tool calls, and the tool definitions. */
  static long promptTokens(ChatRequest request) {
    long chars = 0;
    for (ChatMessage m : request.messages()) {
      chars += m.content().length();
      for (ToolCall c : m.toolCalls()) {
        chars += c.name().length() + c.arguments().length();
      }
    }
    Object tools = request.extra().get("tools");
    if (tools != null) {
      chars += tools.toString().length();
    }
    return (long) Math.ceil(chars / Usage.CHARS_PER_TOKEN) + (long) TOKENS_PER_MESSAGE * request.messages().size();
  }

  /** Expected answer tokens on {@code model}: its usual length, capped by the request's {@code max_tokens}. */
  static long outputTokens(ChatRequest request, PoolModel model) {
    long expected = model.expectedOutputTokens();
    return request.maxTokens().isPresent() ? Math.min(expected, request.maxTokens().getAsInt()) : expected;
  }
}
