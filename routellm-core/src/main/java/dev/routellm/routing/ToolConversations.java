package dev.routellm.routing;

import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ToolCall;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers which model asked for each recent tool call, so that the request carrying the tools' results goes back
 * to the model that started the conversation. Bounded (least recently used calls forgotten first). Thread-safe.
 */
final class ToolConversations {
  /** Tool calls remembered per router. */
  static final int CAPACITY = 10_000;

  private final Map<String, String> modelByCall =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > CAPACITY;
        }
      };

  /** Records the tool calls of an answer returned by {@code model}. */
  void answered(String model, List<ToolCall> calls) {
    if (calls.isEmpty()) {
      return;
    }
    synchronized (modelByCall) {
      for (ToolCall c : calls) {
        modelByCall.put(c.id(), model);
      }
    }
  }

  /**
   * The model that started the tool calls this request continues: the one that asked for the calls of the latest
   * assistant message with tool calls, when this router answered it; null otherwise.
   */
  String continuing(ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    for (int i = messages.size() - 1; i >= 0; i--) {
      ChatMessage m = messages.get(i);
      if (m.hasToolCalls()) {
        synchronized (modelByCall) {
          for (ToolCall c : m.toolCalls()) {
            String model = modelByCall.get(c.id());
            if (model != null) {
              return model;
            }
          }
        }
        return null;
      }
      if (ChatMessage.USER.equals(m.role())) {
        return null;
      }
    }
    return null;
  }
}
