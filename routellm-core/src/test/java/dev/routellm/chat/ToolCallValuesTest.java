package dev.routellm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallValuesTest {
  private static final ToolCall CALL = ToolCall.function("call_1", "get_weather", "{\"location\":\"Paris\"}");

  @Test
  void toolCall_blankName_isRejectedNamingTheCall() {
    assertThatThrownBy(() -> ToolCall.function("call_9", " ", "{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tool call 'call_9' must name a function but the name was ' '");
  }

  @Test
  void chatMessage_textFactories_keepTheirEqualityAndPrintAsBefore() {
    assertThat(ChatMessage.user("hi")).isEqualTo(new ChatMessage("user", "hi"));
    assertThat(ChatMessage.user("hi").toolCalls()).isEmpty();
    assertThat(ChatMessage.user("hi").toolCallId()).isNull();
    assertThat(ChatMessage.user("hi")).hasToString("ChatMessage[role=user, content=hi]");
  }

  @Test
  void chatMessage_toolCalls_areCopiedAndUnmodifiable() {
    List<ToolCall> calls = new ArrayList<>(List.of(CALL));
    ChatMessage m = ChatMessage.assistant("", calls);
    calls.clear();

    assertThat(m.toolCalls()).containsExactly(CALL);
    assertThatThrownBy(() -> m.toolCalls().add(CALL)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(m).isEqualTo(new ChatMessage("assistant", "", List.of(CALL), null, null));
    assertThat(m.toString()).contains("toolCalls=[ToolCall[id=call_1");
  }

  @Test
  void chatMessage_toolCallsOnAUserMessage_areRejected() {
    assertThatThrownBy(() -> new ChatMessage("user", "x", List.of(CALL), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("only an assistant message may carry tool calls, but the role was 'user'");
  }

  @Test
  void chatMessage_toolCallIdOutsideToolRole_isRejected() {
    assertThatThrownBy(() -> new ChatMessage("assistant", "x", List.of(), "call_1", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("only a tool message may carry a tool_call_id, but the role was 'assistant'");
  }

  @Test
  void chatMessage_assistantWithNoCalls_isRejected() {
    assertThatThrownBy(() -> ChatMessage.assistant("x", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("expected at least one tool call but was none");
  }

  @Test
  void chatMessage_toolResult_carriesIdAndName() {
    ChatMessage m = ChatMessage.tool("call_1", "get_weather", "{\"temperature\":18}");
    assertThat(m.role()).isEqualTo(ChatMessage.TOOL);
    assertThat(m.toolCallId()).isEqualTo("call_1");
    assertThat(m.name()).isEqualTo("get_weather");
    assertThat(m).hasToString("ChatMessage[role=tool, content={\"temperature\":18}, toolCallId=call_1, name=get_weather]");
  }

  @Test
  void chatResponse_toolCalls_surviveToBuilderAndBecomeTheAssistantMessage() {
    ChatResponse r =
        ChatResponse.builder().model("gpt-4o").usage(Usage.of(10, 5)).finishReason("tool_calls")
            .toolCalls(List.of(CALL)).build();

    assertThat(r.text()).isEmpty();
    assertThat(r.toBuilder().build().toolCalls()).containsExactly(CALL);
    assertThat(r.asMessage()).isEqualTo(ChatMessage.assistant("", List.of(CALL)));
    assertThat(ChatResponse.builder().model("m").usage(Usage.of(1, 1)).build().asMessage())
        .isEqualTo(ChatMessage.assistant(""));
    assertThat(r.toString()).contains("toolCalls=[");
  }
}
