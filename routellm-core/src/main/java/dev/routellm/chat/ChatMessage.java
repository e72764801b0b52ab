package dev.routellm.chat;

import java.util.Objects;

/**
 * One message of a conversation. Immutable and thread-safe.
 *
 * @param role the speaker: {@code system}, {@code user}, {@code assistant} or {@code tool}; never blank
 * @param content the text; never {@code null}, may be empty
 */
public record ChatMessage(String role, String content) {
  /** Role of the application's instructions. */
  public static final String SYSTEM = "system";
  /** Role of the end user. */
  public static final String USER = "user";
  /** Role of the model's earlier answers. */
  public static final String ASSISTANT = "assistant";

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
    if (role.isBlank()) {
      throw new IllegalArgumentException("role must not be blank");
    }
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
}
