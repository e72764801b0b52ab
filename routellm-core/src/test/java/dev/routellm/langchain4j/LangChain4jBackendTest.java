package dev.routellm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.RetriableBackendException;
import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.cost.CostModel;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import dev.routellm.testing.LoopbackModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A pool made of LangChain4j-configured models: LangChain4j's OpenAI client talking to loopback servers. */
class LangChain4jBackendTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final LoopbackModel strongServer = new LoopbackModel("big");
  private final LoopbackModel weakServer = new LoopbackModel("small");

  @AfterEach
  void close() {
    strongServer.close();
    weakServer.close();
  }

  private static LangChain4jBackend backend(LoopbackModel server) {
    return LangChain4jBackend.builder().name(server.model())
        .chatModel(OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key")
            .modelName(server.model()).maxRetries(0).timeout(Duration.ofSeconds(10)).build())
        .streamingModel(OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key")
            .modelName(server.model()).timeout(Duration.ofSeconds(10)).build())
        .build();
  }

  private Router router() {
    return Router.builder()
        .strong(backend(strongServer)).weak(backend(weakServer))
        .predictor(WinRatePredictor.of("length", p -> p.length() > 20 ? 0.9 : 0.1)).threshold(0.5)
        .costModel(CostModel.builder().price("big", 10, 30).price("small", 1, 2).build())
        .build();
  }

  @Test
  void router_poolOfLangChain4jModels_routesCallsAndPrices() {
    strongServer.answers("A long proof", 40, 60);

    RoutedResponse answer = router().chat(ChatRequest.builder().system("Be brief.")
        .user("Prove that sqrt(2) is irrational").temperature(0.3).maxTokens(100).build());

    assertThat(answer.response().text()).isEqualTo("A long proof");
    assertThat(answer.response().usage().promptTokens()).isEqualTo(40);
    assertThat(answer.response().finishReason()).hasValue("stop");
    assertThat(answer.cost()).isEqualTo((40 * 10 + 60 * 30) / 1e6);
    JsonNode sent = JSON.readTree(strongServer.takeRequestBody());
    assertThat(sent.get("model").asString()).isEqualTo("big");
    assertThat(sent.get("temperature").asDouble()).isEqualTo(0.3);
    assertThat(sent.get("messages").get(0).get("role").asString()).isEqualTo("system");
    assertThat(weakServer.requestCount()).isZero();
  }

  @Test
  void router_langChain4jModelFailsWith503_fallsBackToTheOther() {
    strongServer.fails(503);
    weakServer.answers("fallback", 10, 2);

    RoutedResponse answer = router().chat(ChatRequest.of("Prove that sqrt(2) is irrational"));

    assertThat(answer.response().text()).isEqualTo("fallback");
    assertThat(answer.fellBack()).isTrue();
    assertThat(answer.calls().get(0).failure()).hasValueSatisfying(f -> assertThat(f.message()).contains("big"));
  }

  @Test
  void chat_400_nonRetriableNamingTheModel() {
    weakServer.fails(400);
    assertThatThrownBy(() -> backend(weakServer).chat(ChatRequest.of("Hi")))
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessageContaining("small (LangChain4j) failed")
        .satisfies(e -> assertThat(((NonRetriableBackendException) e).statusCode()).hasValue(400));
  }

  @Test
  void chat_429_retriable() {
    weakServer.fails(429);
    assertThatThrownBy(() -> backend(weakServer).chat(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class);
  }

  @Test
  void stream_throughLangChain4jStreamingModel_deliversPiecesAndUsage() {
    weakServer.streams(7, 3, "Hel", "lo", "!");
    List<String> pieces = new CopyOnWriteArrayList<>();

    ChatResponse answer = backend(weakServer).stream(ChatRequest.of("Hi"), pieces::add);

    assertThat(pieces).containsExactly("Hel", "lo", "!");
    assertThat(answer.text()).isEqualTo("Hello!");
    assertThat(answer.usage().completionTokens()).isEqualTo(3);
  }

  @Test
  void chat_toolsFromExtraFields_reachTheProviderAndCallsComeBack() {
    weakServer.callsTool("call_9", "weather", "{\"city\":\"Paris\"}", 30, 8);
    Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "weather",
        "description", "Current weather", "parameters", Map.of("type", "object",
            "properties", Map.of("city", Map.of("type", "string")), "required", List.of("city"))));

    ChatResponse answer = backend(weakServer).chat(ChatRequest.builder().user("Weather in Paris?")
        .extra("tools", List.of(tool)).build());

    assertThat(answer.toolCalls()).singleElement().satisfies(c -> {
      assertThat(c.id()).isEqualTo("call_9");
      assertThat(c.name()).isEqualTo("weather");
      assertThat(c.arguments()).isEqualTo("{\"city\":\"Paris\"}");
    });
    assertThat(answer.finishReason()).hasValue("tool_calls");
    JsonNode sent = JSON.readTree(weakServer.takeRequestBody());
    assertThat(sent.get("tools").get(0).get("function").get("parameters").get("required").get(0).asString())
        .isEqualTo("city");
    assertThat(answer.asMessage()).isEqualTo(ChatMessage.assistant("", answer.toolCalls()));
  }

  @Test
  void build_withoutModels_rejected() {
    assertThatThrownBy(() -> LangChain4jBackend.builder().name("x").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'x'");
  }
}
