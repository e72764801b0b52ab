package dev.routellm.backend;

import static dev.routellm.backend.Fixtures.body;
import static dev.routellm.backend.Fixtures.eventStream;
import static dev.routellm.backend.Fixtures.json;
import static dev.routellm.backend.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.RetriableBackendException;
import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ToolCall;
import dev.routellm.chat.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Tool calling over HTTP: OpenAI's request fields out, {@code tool_calls} in, whole and streamed in fragments. */
class OpenAiBackendToolCallTest {
  /** OpenAI's documented weather tool, as an application passes it in {@code tools}. */
  private static final List<Object> TOOLS =
      List.of(
          Map.of(
              "type", "function",
              "function",
              Map.of(
                  "name", "get_weather",
                  "description", "Current weather in a city",
                  "strict", true,
                  "parameters",
                  Map.of(
                      "type", "object",
                      "properties",
                      Map.of(
                          "location", Map.of("type", "string"),
                          "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit"))),
                      "required", List.of("location", "unit"),
                      "additionalProperties", false))));

  private final MockWebServer server = new MockWebServer();
  private final List<String> deltas = new ArrayList<>();
  private OpenAiBackend backend;

  @BeforeEach
  void start() throws Exception {
    server.start();
    backend =
        OpenAiBackend.builder()
            .baseUrl(server.url("/v1").toString())
            .model("gpt-4o")
            .noApiKey()
            .readTimeout(Duration.ofSeconds(10))
            .retryPolicy(RetryPolicy.none()) // bad answers are retriable; these tests look at one attempt
            .build();
  }

  @AfterEach
  void stop() {
    backend.close();
    server.close();
  }

  private static ChatRequest weatherRequest() {
    return ChatRequest.builder()
        .user("What's the weather in Paris and in Tokyo?")
        .extra("tools", TOOLS)
        .extra("tool_choice", "auto")
        .extra("parallel_tool_calls", true)
        .build();
  }

  @Test
  void chat_parallelToolCalls_areParsedWithNullContentAndFinishReason() throws Exception {
    server.enqueue(json(resource("openai-chat-tool-calls.json")));

    ChatResponse r = backend.chat(weatherRequest());

    assertThat(r.toolCalls())
        .containsExactly(
            ToolCall.function("call_k3F9aQ2", "get_weather", "{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"),
            ToolCall.function("call_Q7m2zX1", "get_weather", "{\"location\":\"Tokyo, Japan\",\"unit\":\"celsius\"}"));
    assertThat(r.hasToolCalls()).isTrue();
    assertThat(r.text()).isEmpty();
    assertThat(r.finishReason()).hasValue("tool_calls");
    assertThat(r.usage()).isEqualTo(Usage.of(82, 51));
    assertThat(r.asMessage()).isEqualTo(ChatMessage.assistant("", r.toolCalls()));
  }

  @Test
  void chat_toolFields_travelUntouchedAsExtraFields() throws Exception {
    server.enqueue(json(resource("openai-chat-tool-calls.json")));

    backend.chat(weatherRequest());

    JsonNode sent = body(server.takeRequest());
    JsonNode expectedTools = OpenAiHttp.MAPPER.valueToTree(TOOLS);
    assertThat(sent.get("tools")).isEqualTo(expectedTools);
    assertThat(sent.at("/tools/0/function/parameters/properties/unit/enum/1").asString()).isEqualTo("fahrenheit");
    assertThat(sent.get("tool_choice").asString()).isEqualTo("auto");
    assertThat(sent.get("parallel_tool_calls").isBoolean()).isTrue();
    assertThat(sent.get("parallel_tool_calls").asBoolean()).isTrue();
  }

  @Test
  void chat_followUpWithToolResults_serialisesOpenAisMessageShape() throws Exception {
    server.enqueue(json(resource("openai-chat-tool-calls.json")));
    ChatResponse calls = backend.chat(weatherRequest());
    server.takeRequest();
    server.enqueue(json(Fixtures.completion("Paris: 18°C and clear; Tokyo: 22°C and cloudy.")));

    ChatRequest followUp =
        weatherRequest().toBuilder()
            .message(calls.asMessage())
            .message(ChatMessage.tool("call_k3F9aQ2", "{\"temperature\":18,\"sky\":\"clear\"}"))
            .message(ChatMessage.tool("call_Q7m2zX1", "get_weather", "{\"temperature\":22,\"sky\":\"cloudy\"}"))
            .build();
    ChatResponse answer = backend.chat(followUp);

    assertThat(answer.text()).isEqualTo("Paris: 18°C and clear; Tokyo: 22°C and cloudy.");
    assertThat(answer.hasToolCalls()).isFalse();
    JsonNode messages = body(server.takeRequest()).get("messages");
    assertThat(messages).hasSize(4);
    assertThat(messages.get(0).toString())
        .isEqualTo("{\"role\":\"user\",\"content\":\"What's the weather in Paris and in Tokyo?\"}");
    assertThat(messages.get(1).toString())
        .isEqualTo("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
            + "{\"id\":\"call_k3F9aQ2\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"arguments\":\"{\\\"location\\\":\\\"Paris, France\\\",\\\"unit\\\":\\\"celsius\\\"}\"}},"
            + "{\"id\":\"call_Q7m2zX1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"arguments\":\"{\\\"location\\\":\\\"Tokyo, Japan\\\",\\\"unit\\\":\\\"celsius\\\"}\"}}]}");
    assertThat(messages.get(2).toString())
        .isEqualTo("{\"role\":\"tool\",\"content\":\"{\\\"temperature\\\":18,\\\"sky\\\":\\\"clear\\\"}\","
            + "\"tool_call_id\":\"call_k3F9aQ2\"}");
    assertThat(messages.get(3).get("name").asString()).isEqualTo("get_weather");
    assertThat(messages.get(3).get("tool_call_id").asString()).isEqualTo("call_Q7m2zX1");
  }

  @Test
  void chat_assistantWithTextAndToolCalls_keepsTheText() throws Exception {
    server.enqueue(json(Fixtures.completion("ok")));
    ChatMessage both =
        ChatMessage.assistant("Let me check.", List.of(ToolCall.function("call_1", "lookup", "{}")));

    backend.chat(ChatRequest.builder().user("q").message(both).message(ChatMessage.tool("call_1", "{}")).build());

    JsonNode m = body(server.takeRequest()).at("/messages/1");
    assertThat(m.get("content").asString()).isEqualTo("Let me check.");
    assertThat(m.at("/tool_calls/0/function/arguments").asString()).isEqualTo("{}");
  }

  @Test
  void chat_toolCallWithoutId_isABadAnswerNamingTheCall() {
    server.enqueue(json("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"type\":\"function\","
        + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}"));

    assertThatThrownBy(() -> backend.chat(weatherRequest()))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageContaining("tool_calls[0] needs an id and a function name");
  }

  @Test
  void chat_ollamaArgumentsAsObject_areKeptAsJsonText() {
    server.enqueue(json("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"llama3.1\",\"choices\":[{"
        + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"call_x\","
        + "\"function\":{\"name\":\"get_weather\",\"arguments\":{\"location\":\"Paris\"}}}]},"
        + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9}}"));

    ChatResponse r = backend.chat(weatherRequest());

    assertThat(r.toolCalls()).containsExactly(
        new ToolCall("call_x", ToolCall.FUNCTION, "get_weather", "{\"location\":\"Paris\"}"));
  }

  @Test
  void stream_fragmentedParallelToolCalls_areAccumulatedByIndex() {
    server.enqueue(eventStream(resource("openai-stream-tool-calls.sse")));

    ChatResponse r = backend.stream(weatherRequest(), deltas::add);

    assertThat(r.toolCalls())
        .containsExactly(
            ToolCall.function("call_k3F9aQ2", "get_weather", "{\"location\": \"Paris, France\"}"),
            ToolCall.function("call_Q7m2zX1", "get_time", "{\"timezone\": \"Asia/Tokyo\"}"));
    assertThat(r.text()).isEmpty();
    assertThat(deltas).as("tool calls are not text").isEmpty();
    assertThat(r.finishReason()).hasValue("tool_calls");
    assertThat(r.usage()).isEqualTo(Usage.of(96, 47));
    assertThat(r.id()).hasValue("chatcmpl-AZq5");
  }

  @Test
  void stream_interleavedFragmentsWithoutUsage_areOrderedByIndexAndUsageEstimated() {
    // two calls whose fragments alternate, as some servers send them; index 1 opens first
    String body =
        sse("{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"g\","
                + "\"arguments\":\"{\\\"y\\\":\"}}]}", null)
            + sse("{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"arguments\":\"{\\\"x\\\":\"}}]}", null)
            + sse("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"2}\"}},"
                + "{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]}", null)
            + sse("{}", "tool_calls");
    server.enqueue(eventStream(body));

    ChatResponse r = backend.stream(weatherRequest(), deltas::add);

    assertThat(r.toolCalls())
        .containsExactly(ToolCall.function("call_a", "f", "{\"x\":1}"), ToolCall.function("call_b", "g", "{\"y\":2}"));
    assertThat(r.usage().estimated()).isTrue();
    assertThat(r.usage().completionTokens()).as("estimate counts the calls").isPositive();
  }

  @Test
  void stream_wholeCallsWithoutIndexInSeparateChunks_staySeparate() {
    String body =
        sse("{\"tool_calls\":[{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"arguments\":\"{\\\"x\\\":1}\"}}]}", null)
            + sse("{\"tool_calls\":[{\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"g\","
                + "\"arguments\":\"{\\\"y\\\":\"}}]}", null)
            + sse("{\"tool_calls\":[{\"function\":{\"arguments\":\"2}\"}}]}", null)
            + sse("{}", "tool_calls") + "data: [DONE]\n\n";
    server.enqueue(eventStream(body));

    ChatResponse r = backend.stream(weatherRequest(), deltas::add);

    assertThat(r.toolCalls())
        .containsExactly(ToolCall.function("call_a", "f", "{\"x\":1}"), ToolCall.function("call_b", "g", "{\"y\":2}"));
  }

  @Test
  void stream_twoChoicesInterleaved_collectsChoiceZeroOnly() {
    String body =
        choiceChunk(0, "{\"content\":\"Hel\"}", null)
            + choiceChunk(1, "{\"content\":\"Other\"}", null)
            + choiceChunk(0, "{\"content\":\"lo\"}", null)
            + choiceChunk(1, "{}", "length")
            + choiceChunk(0, "{}", "stop") + "data: [DONE]\n\n";
    server.enqueue(eventStream(body));

    ChatResponse r = backend.stream(weatherRequest(), deltas::add);

    assertThat(r.text()).isEqualTo("Hello");
    assertThat(deltas).containsExactly("Hel", "lo");
    assertThat(r.finishReason()).hasValue("stop");
  }

  private static String choiceChunk(int index, String delta, String finishReason) {
    return "data: {\"id\":\"chatcmpl-n2\",\"object\":\"chat.completion.chunk\",\"created\":1737102002,"
        + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":" + index + ",\"delta\":" + delta + ",\"finish_reason\":"
        + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}\n\n";
  }

  @Test
  void stream_toolCallThatNeverGetsAName_failsNamingTheIndex() {
    server.enqueue(eventStream(
        sse("{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"function\":{\"arguments\":\"{}\"}}]}", null)
            + sse("{}", "tool_calls") + "data: [DONE]\n\n"));

    assertThatThrownBy(() -> backend.stream(weatherRequest(), deltas::add))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageContaining("tool call at index 0 never got a function name");
  }

  private String sse(String delta, String finishReason) {
    String chunk = "data: {\"id\":\"chatcmpl-v1\",\"object\":\"chat.completion.chunk\",\"created\":1737102002,"
        + "\"model\":\"Qwen/Qwen2.5-7B-Instruct\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,"
        + "\"finish_reason\":" + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}\n\n";
    return chunk;
  }
}
