package dev.routellm.chat;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation. Immutable and thread-safe.
 *
 * <p>Besides text, a message may take part in tool calling, as in OpenAI's wire format: an {@code assistant} message
 * may carry the {@linkplain #toolCalls() tool calls} the model asked for (its content is then often empty, sent as
 * {@code null}), and a {@code tool} message carries a call's result with the {@linkplain #toolCallId() id} of the
 * call it answers.
 *
 * @param role the speaker: {@code system}, {@code user}, {@code assistant} or {@code tool}; never blank
 * @param content the text; never {@code null}, may be empty (an assistant message holding only tool calls)
 * @param toolCalls the tool calls an {@code assistant} message asked for, in order; never {@code null}, empty for
 *     other roles and for plain answers; copied, unmodifiable
 * @param toolCallId for a {@code tool} message, the id of the call it answers; {@code null} for other roles. Not
 *     required here (a {@code tool} message without it is kept as before), but OpenAI's API rejects one without it
 * @param name an optional name of the speaker or, for a {@code tool} message, of the function; {@code null} when
 *     absent, never blank
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String name) {
  /** Role of the application's instructions. */
  public static final String SYSTEM = "system";
  /** Role of the end user. */
  public static final String USER = "user";
  /** Role of the model's earlier answers. */
  public static final String ASSISTANT = "assistant";
  /** Role of a tool's result, answering one of an assistant message's {@linkplain #toolCalls() tool calls}. */
  public static final String TOOL = "tool";

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(toolCalls, "toolCalls");
    if (role.isBlank()) {
      throw new IllegalArgumentException("role must not be blank");
    }
    toolCalls = List.copyOf(toolCalls);
    if (!toolCalls.isEmpty() && !ASSISTANT.equals(role)) {
      throw new IllegalArgumentException("only an assistant message may carry tool calls, but the role was '" + role
          + "'");
    }
    if (toolCallId != null && !TOOL.equals(role)) {
      throw new IllegalArgumentException("only a tool message may carry a tool_call_id, but the role was '" + role
          + "'");
    }
    if (toolCallId != null && toolCallId.isBlank()) {
      throw new IllegalArgumentException("tool_call_id must not be blank but was '" + toolCallId + "'");
    }
    if (name != null && name.isBlank()) {
      throw new IllegalArgumentException("name must be absent (null) or not blank but was '" + name + "'");
    }
  }

  /** A message with text only: no tool calls, no tool call id, no name. */
  public ChatMessage(String role, String content) {
    this(role, content, List.of(), null, null);
  }

  public static ChatMessage system(String content) {
    return new ChatMessage(SYSTEM, content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(USER, content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage(ASSISTANT, content);
  }

  /**
   * An assistant message that asked for tool calls, as it goes back to the model in the next request.
   *
   * @param content the text beside the calls; empty when there was none
   * @throws IllegalArgumentException when {@code toolCalls} is empty
   */
  public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
    if (toolCalls.isEmpty()) {
      throw new IllegalArgumentException("expected at least one tool call but was none; use assistant(String)");
    }
    return new ChatMessage(ASSISTANT, content, toolCalls, null, null);
  }

  /** The result of the tool call {@code toolCallId}. */
  public static ChatMessage tool(String toolCallId, String content) {
    return new ChatMessage(TOOL, content, List.of(), Objects.requireNonNull(toolCallId, "toolCallId"), null);
  }

  /** The result of the tool call {@code toolCallId} of the function {@code name}. */
  public static ChatMessage tool(String toolCallId, String name, String content) {
    return new ChatMessage(TOOL, content, List.of(), Objects.requireNonNull(toolCallId, "toolCallId"),
        Objects.requireNonNull(name, "name"));
  }

  /** Whether this message carries tool calls. */
  public boolean hasToolCalls() {
    return !toolCalls.isEmpty();
  }

  /** As a record prints itself; the tool fields only when present, so that a text message reads as before. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("ChatMessage[role=").append(role).append(", content=").append(content);
    if (!toolCalls.isEmpty()) {
      s.append(", toolCalls=").append(toolCalls);
    }
    if (toolCallId != null) {
      s.append(", toolCallId=").append(toolCallId);
    }
    if (name != null) {
      s.append(", name=").append(name);
    }
    return s.append(']').toString();
  }
}
