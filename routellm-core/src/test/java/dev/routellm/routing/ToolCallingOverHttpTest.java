package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.NonRetriableBackendException;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ToolCall;
import dev.routellm.cost.CostModel;
import dev.routellm.prediction.WinRatePredictor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tool calling through the router, over HTTP: a tool-call answer, then the follow-up with the tool's result, routed on
 * the user's words; and a cascade whose weak answer is a tool call, under both missing-log-probabilities policies.
 */
class ToolCallingOverHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final CostModel PRICES =
      CostModel.builder().price("gpt-4o-mini", 0.15, 0.60).price("gpt-4o", 2.50, 10.00).build();
  private static final List<Object> TOOLS =
      List.of(Map.of("type", "function", "function", Map.of("name", "get_weather", "parameters",
          Map.of("type", "object", "properties", Map.of("location", Map.of("type", "string")),
              "required", List.of("location")))));
  private static final String QUESTION = "What's the weather in Paris? score=0.3";

  private final MockWebServer weakServer = new MockWebServer();
  private final MockWebServer strongServer = new MockWebServer();
  private OpenAiBackend weak;
  private OpenAiBackend strong;

  @BeforeEach
  void start() throws Exception {
    weakServer.start();
    strongServer.start();
    weak = backend(weakServer, "gpt-4o-mini");
    strong = backend(strongServer, "gpt-4o");
  }

  @AfterEach
  void stop() {
    weak.close();
    strong.close();
    weakServer.close();
    strongServer.close();
  }

  private static OpenAiBackend backend(MockWebServer server, String model) {
    return OpenAiBackend.builder()
        .baseUrl(server.url("/v1").toString())
        .noApiKey()
        .model(model)
        .readTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** Scores a prompt by the number after "score=" in it. */
  private static final WinRatePredictor BY_TEXT =
      new WinRatePredictor() {
        @Override
        public String name() {
          return "by-text";
        }

        @Override
        public double score(String prompt) {
          int i = prompt.indexOf("score=");
          return i < 0 ? 1.0 : Double.parseDouble(prompt.substring(i + 6).split("\\s")[0]);
        }
      };

  private static ChatRequest question() {
    return ChatRequest.builder().user(QUESTION).extra("tools", TOOLS).extra("tool_choice", "auto").build();
  }

  @Test
  void predictive_toolCallThenFollowUpWithResult_bothGoToTheWeakModelOnTheUserMessage() throws Exception {
    weakServer.enqueue(json(toolCallAnswer("gpt-4o-mini-2024-07-18")));
    weakServer.enqueue(json(textAnswer("It is 18°C and clear in Paris.")));
    Router router = Router.builder().strong(strong).weak(weak).predictor(BY_TEXT).threshold(0.5)
        .costModel(PRICES).build();

    RoutedResponse first = router.chat(question());

    assertThat(first.answeredBy()).isEqualTo("gpt-4o-mini");
    assertThat(first.response().toolCalls())
        .containsExactly(ToolCall.function("call_w1", "get_weather", "{\"location\":\"Paris\"}"));
    assertThat(first.response().finishReason()).hasValue("tool_calls");
    assertThat(first.cost()).as("tool-call tokens are paid for").isPositive();

    ChatRequest followUp =
        question().toBuilder()
            .message(first.response().asMessage())
            .message(ChatMessage.tool("call_w1", "{\"temperature\":18,\"sky\":\"clear\"} score=0.99"))
            .build();
    RoutedResponse second = router.chat(followUp);

    assertThat(second.decision().score()).as("scored on the last user message, not the tool result").isEqualTo(0.3);
    assertThat(second.answeredBy()).isEqualTo("gpt-4o-mini");
    assertThat(second.response().text()).isEqualTo("It is 18°C and clear in Paris.");
    assertThat(second.response().hasToolCalls()).isFalse();
    weakServer.takeRequest();
    JsonNode sent = body(weakServer.takeRequest());
    assertThat(sent.get("tools")).isEqualTo(JSON.valueToTree(TOOLS));
    assertThat(sent.at("/messages/1/content").isNull()).isTrue();
    assertThat(sent.at("/messages/1/tool_calls/0/id").asString()).isEqualTo("call_w1");
    assertThat(sent.at("/messages/2/role").asString()).isEqualTo("tool");
    assertThat(sent.at("/messages/2/tool_call_id").asString()).isEqualTo("call_w1");
    assertThat(strongServer.getRequestCount()).isZero();
  }

  @Test
  void predictive_streamedToolCall_reachesTheRoutedResponse() {
    weakServer.enqueue(eventStream(
        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_s1\","
            + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}",
        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"location\\\"\"}}]}",
        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":\\\"Paris\\\"}\"}}]}"));
    Router router = Router.builder().strong(strong).weak(weak).predictor(BY_TEXT).threshold(0.5)
        .costModel(PRICES).build();

    RoutedResponse r = router.stream(question(), delta -> {
      throw new AssertionError("no text expected but got " + delta);
    });

    assertThat(r.response().toolCalls())
        .containsExactly(ToolCall.function("call_s1", "get_weather", "{\"location\":\"Paris\"}"));
    assertThat(r.response().finishReason()).hasValue("tool_calls");
  }

  @Test
  void cascade_weakToolCallUnderFail_failsNamingThePolicy() {
    weakServer.enqueue(json(toolCallAnswer("gpt-4o-mini")));
    Router router = Router.builder().strong(strong).weak(weak).cascade(ConfidenceModel.alamere()).threshold(0.8)
        .costModel(PRICES).build();

    assertThatThrownBy(() -> router.chat(question()))
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessageContaining("1 tool call(s) without text")
        .hasMessageContaining("MissingLogprobsPolicy.ESCALATE");
    assertThat(strongServer.getRequestCount()).isZero();
  }

  @Test
  void cascade_weakToolCallUnderEscalate_asksTheStrongModelAndReturnsItsToolCall() throws Exception {
    weakServer.enqueue(json(toolCallAnswer("gpt-4o-mini")));
    strongServer.enqueue(json(toolCallAnswer("gpt-4o-2024-08-06")));
    Router router = Router.builder().strong(strong).weak(weak).cascade(ConfidenceModel.alamere()).threshold(0.8)
        .missingLogprobs(MissingLogprobsPolicy.ESCALATE).costModel(PRICES).build();

    RoutedResponse r = router.chat(question());

    assertThat(r.answeredBy()).isEqualTo("gpt-4o");
    assertThat(r.decision().reason()).contains("tool call(s) without text").contains("ESCALATE");
    assertThat(r.response().model()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(r.response().toolCalls()).extracting(ToolCall::id).containsExactly("call_w1");
    assertThat(body(strongServer.takeRequest()).get("tool_choice").asString()).isEqualTo("auto");
  }

  @Test
  void promptSelector_toolMessages_lastUserMessageSkipsThemAndConversationLeavesThemOut() {
    ChatRequest request =
        ChatRequest.builder()
            .system("You are a weather bot.")
            .user("Weather in Paris?")
            .message(ChatMessage.assistant("", List.of(ToolCall.function("call_1", "get_weather", "{}"))))
            .message(ChatMessage.tool("call_1", "{\"temperature\":18}"))
            .assistant("18°C.")
            .user("And tomorrow?")
            .message(ChatMessage.assistant("Checking.", List.of(ToolCall.function("call_2", "forecast", "{}"))))
            .message(ChatMessage.tool("call_2", "forecast", "{\"temperature\":20}"))
            .build();

    assertThat(PromptSelector.LAST_USER_MESSAGE.select(request)).isEqualTo("And tomorrow?");
    assertThat(PromptSelector.CONVERSATION.select(request))
        .isEqualTo("user: Weather in Paris?\nassistant: 18°C.\nuser: And tomorrow?\nassistant: Checking.");
  }

  private static String toolCallAnswer(String model) {
    return "{\"id\":\"chatcmpl-t1\",\"object\":\"chat.completion\",\"created\":1737103000,\"model\":\"" + model + "\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
        + "\"id\":\"call_w1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
        + "\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}}],\"refusal\":null},\"logprobs\":null,"
        + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":64,\"completion_tokens\":16,"
        + "\"total_tokens\":80}}";
  }

  private static String textAnswer(String text) {
    return "{\"id\":\"chatcmpl-t2\",\"object\":\"chat.completion\",\"created\":1737103001,\"model\":\"gpt-4o-mini\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + JSON.writeValueAsString(text)
        + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":102,"
        + "\"completion_tokens\":12,\"total_tokens\":114}}";
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
  }

  private static MockResponse eventStream(String... deltas) {
    StringBuilder sse = new StringBuilder();
    for (String d : deltas) {
      sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":["
          + "{\"index\":0,\"delta\":").append(d).append(",\"finish_reason\":null}]}\n\n");
    }
    sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":["
        + "{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n");
    sse.append("data: [DONE]\n\n");
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(sse.toString()).build();
  }

  private static JsonNode body(RecordedRequest request) {
    return JSON.readTree(request.getBody().utf8());
  }
}
