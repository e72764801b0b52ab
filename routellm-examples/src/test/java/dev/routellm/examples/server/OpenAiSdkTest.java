package dev.routellm.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.models.Model;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.MockModel;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.routing.Router;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OpenAI's official Java SDK as a client of the routing server, which routes to loopback fake models. */
class OpenAiSdkTest {
  private static final CostModel PRICES =
      CostModel.builder().price("strong-model", 10, 30).price("weak-model", 0.5, 1).build();
  private static final String KEY = "server-key-1";

  private MockModel strongEndpoint;
  private MockModel weakEndpoint;
  private OpenAiBackend strong;
  private OpenAiBackend weak;
  private RoutingServer server;
  private OpenAIClient client;

  @BeforeEach
  void start() throws IOException {
    strongEndpoint = new MockModel("strong-model");
    weakEndpoint = new MockModel("weak-model");
    strong = strongEndpoint.backend();
    weak = weakEndpoint.backend();
    CostTracker totals = new CostTracker();
    RandomPredictor predictor = RandomPredictor.withSeed(1);
    server = RoutingServer.builder()
        .routers("random", (t, listener) -> Router.builder().strong(strong).weak(weak).predictor(predictor)
            .threshold(t).costModel(PRICES).costTracker(totals).listener(listener).build(), totals)
        .defaultThreshold(1.0).apiKey(KEY).log(line -> {}).port(0).start();
    client = sdk(KEY);
  }

  private OpenAIClient sdk(String key) {
    return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey(key)
        .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
    strong.close();
    weak.close();
    strongEndpoint.close();
    weakEndpoint.close();
  }

  private static ChatCompletionCreateParams.Builder ask(String model, String prompt) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(prompt);
  }

  @Test
  void models_listAndRetrieve() {
    List<Model> models = client.models().list().data();
    assertThat(models).extracting(Model::id).containsExactly("router-random", "router-random-1.0");
    assertThat(models).allSatisfy(m -> assertThat(m.ownedBy()).isEqualTo("routellm"));

    Model one = client.models().retrieve("router-random-0.25");
    assertThat(one.id()).isEqualTo("router-random-0.25");
  }

  @Test
  void chat_answersWithTheRoutedModelAndTheRoutingObject() throws Exception {
    weakEndpoint.answers("Paris.", 20, 2);

    ChatCompletion answer = client.chat().completions().create(ask("router-random", "Capital of France?")
        .maxCompletionTokens(50).build());

    assertThat(answer.model()).isEqualTo("weak-model");
    assertThat(answer.choices().get(0).message().content()).hasValue("Paris.");
    assertThat(answer.usage().orElseThrow().totalTokens()).isEqualTo(22);
    Map<String, JsonValue> extra = answer._additionalProperties();
    assertThat(extra.get("routing").toString()).contains("tier=weak", "answered_by=weak-model", "fell_back=false");
    String upstream = weakEndpoint.server().takeRequest().getBody().utf8();
    assertThat(upstream).contains("\"max_completion_tokens\":50");
  }

  @Test
  void stream_deliversTheTextInPiecesAndTheAccumulatorAssemblesIt() {
    weakEndpoint.streams(5, 3, "Hel", "lo", "!");
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    StringBuilder pieces = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        ask("router-random", "hi").streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions
            .builder().includeUsage(true).build()).build())) {
      stream.stream().forEach(chunk -> {
        accumulator.accumulate(chunk);
        chunk.choices().forEach(c -> c.delta().content().ifPresent(pieces::append));
      });
    }
    ChatCompletion whole = accumulator.chatCompletion();
    assertThat(pieces).hasToString("Hello!");
    assertThat(whole.choices().get(0).message().content()).hasValue("Hello!");
    assertThat(whole.model()).isEqualTo("weak-model");
    assertThat(whole.usage().orElseThrow().completionTokens()).isEqualTo(3);
  }

  @Test
  void tools_callsComeBackTyped() throws Exception {
    weakEndpoint.server().enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"weak-model\",\"choices\":[{"
            + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
            + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
            + "\"{\\\"location\\\":\\\"Lyon\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],\"usage\":{"
            + "\"prompt_tokens\":30,\"completion_tokens\":9,\"total_tokens\":39}}").build());
    ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
        .name("get_weather").parameters(FunctionParameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("location", Map.of("type", "string"))))
            .build()).build()).build();

    ChatCompletion answer = client.chat().completions().create(ask("router-random", "Weather in Lyon?")
        .addTool(weather).build());

    ChatCompletionMessageFunctionToolCall call = answer.choices().get(0).message().toolCalls().orElseThrow().get(0)
        .asFunction();
    assertThat(call.id()).isEqualTo("call_1");
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(call.function().arguments()).isEqualTo("{\"location\":\"Lyon\"}");
    assertThat(answer.choices().get(0).finishReason()).hasToString("tool_calls");
    assertThat(weakEndpoint.server().takeRequest().getBody().utf8()).contains("\"name\":\"get_weather\"");
  }

  @Test
  void upstream400_reachesTheSdkAsABadRequestWithItsCode() {
    weakEndpoint.server().enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
        .body("{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens.\",\"type\":"
            + "\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}").build());

    assertThatThrownBy(() -> client.chat().completions().create(ask("router-random", "x".repeat(100)).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.code()).hasValue("context_length_exceeded");
          assertThat(e.param()).hasValue("messages");
          assertThat(e.getMessage()).contains("maximum context length is 8192 tokens");
        });
    assertThat(strongEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void badKey_isUnauthorized() {
    OpenAIClient wrong = sdk("not-the-key");
    try {
      assertThatThrownBy(() -> wrong.models().list())
          .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(401);
            assertThat(e.code()).hasValue("invalid_api_key");
          });
    } finally {
      wrong.close();
    }
    assertThat(weakEndpoint.server().getRequestCount()).isZero();
  }
}
