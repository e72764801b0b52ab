package dev.routellm.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.FakeBackend;
import dev.routellm.examples.MockModel;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.routing.Router;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class RoutingServerTest {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final CostModel PRICES =
      CostModel.builder().price("strong-model", 10, 30).price("weak-model", 0.5, 1).build();

  private final OkHttpClient client = new OkHttpClient();
  private MockModel strongEndpoint;
  private MockModel weakEndpoint;
  private OpenAiBackend strong;
  private OpenAiBackend weak;
  private CostTracker totals;
  private RoutingServer server;

  @BeforeEach
  void start() throws IOException {
    strongEndpoint = new MockModel("strong-model");
    weakEndpoint = new MockModel("weak-model");
    strong = strongEndpoint.backend();
    weak = weakEndpoint.backend();
    server = serverBuilder().start();
  }

  private RoutingServer.Builder serverBuilder() {
    totals = new CostTracker();
    RandomPredictor predictor = RandomPredictor.withSeed(1);
    return RoutingServer.builder()
        .routers("random", (t, listener) -> Router.builder().strong(strong).weak(weak).predictor(predictor)
            .threshold(t).costModel(PRICES).costTracker(totals).listener(listener).build(), totals)
        .defaultThreshold(1.0)
        .port(0);
  }

  @AfterEach
  void stop() {
    server.close();
    strong.close();
    weak.close();
    strongEndpoint.close();
    weakEndpoint.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  private Response post(String body) throws IOException {
    return client.newCall(new Request.Builder().url(url("/v1/chat/completions"))
        .post(RequestBody.create(body, JSON)).build()).execute();
  }

  private static JsonNode json(Response r) throws IOException {
    return OpenAiWire.JSON.readTree(r.body().string());
  }

  @Test
  void chat_defaultThresholdOne_routesToWeakAndReportsDecisionAndCost() throws Exception {
    weakEndpoint.answers("Paris.", 20, 2);
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\"Capital of"
        + " France?\"}],\"seed\":7}")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("x-routellm-model")).isEqualTo("weak-model");
      JsonNode body = json(r);
      assertThat(body.get("object").asString()).isEqualTo("chat.completion");
      assertThat(body.get("model").asString()).isEqualTo("weak-model");
      assertThat(body.at("/choices/0/message/content").asString()).isEqualTo("Paris.");
      assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(22);
      assertThat(body.at("/routing/tier").asString()).isEqualTo("weak");
      assertThat(body.at("/routing/threshold").asDouble()).isEqualTo(1.0);
      assertThat(body.at("/routing/cost_usd").asDouble()).isEqualTo((20 * 0.5 + 2 * 1.0) / 1e6);
    }
    JsonNode upstream = OpenAiWire.JSON.readTree(weakEndpoint.server().takeRequest().getBody().utf8());
    assertThat(upstream.get("model").asString()).isEqualTo("weak-model");
    assertThat(upstream.get("seed").asInt()).as("unknown fields pass through").isEqualTo(7);
    assertThat(strongEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void chat_thresholdInModelName_zeroSendsEverythingStrong() throws Exception {
    strongEndpoint.answers("A proof.", 10, 100);
    try (Response r = post("{\"model\":\"router-random-0.0\",\"messages\":[{\"role\":\"user\",\"content\":\"Prove"
        + " it\"}]}")) {
      assertThat(r.code()).isEqualTo(200);
      JsonNode body = json(r);
      assertThat(body.get("model").asString()).isEqualTo("strong-model");
      assertThat(body.at("/routing/threshold").asDouble()).isZero();
    }
    try (Response stats = client.newCall(new Request.Builder().url(url("/stats")).build()).execute()) {
      JsonNode s = json(stats);
      assertThat(s.get("requests").asInt()).isEqualTo(1);
      assertThat(s.get("strong_share").asDouble()).isEqualTo(1.0);
      assertThat(s.at("/models/strong-model/completion_tokens").asInt()).isEqualTo(100);
    }
  }

  @Test
  void stream_sendsRoleChunkFirstThenTextThenRoutingThenDone() throws Exception {
    weakEndpoint.streams(5, 3, "Hel", "lo");
    List<JsonNode> chunks = new ArrayList<>();
    String last = null;
    try (Response r = post("{\"model\":\"router-random\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      assertThat(r.header("Content-Type")).startsWith("text/event-stream");
      for (String event : r.body().string().split("\n\n")) {
        assertThat(event).startsWith("data: ");
        last = event.substring(6);
        if (!last.equals("[DONE]")) {
          chunks.add(OpenAiWire.JSON.readTree(last));
        }
      }
    }
    assertThat(last).isEqualTo("[DONE]");
    assertThat(chunks.get(0).at("/choices/0/delta/role").asString()).isEqualTo("assistant");
    assertThat(chunks.get(0).get("model").asString()).isEqualTo("weak-model");
    assertThat(chunks.subList(1, 3)).extracting(c -> c.at("/choices/0/delta/content").asString())
        .containsExactly("Hel", "lo");
    assertThat(chunks).hasSize(5).allSatisfy(c -> {
      assertThat(c.get("object").asString()).isEqualTo("chat.completion.chunk");
      assertThat(c.get("id").asString()).isEqualTo(chunks.get(0).get("id").asString());
    });
    JsonNode finish = chunks.get(3);
    assertThat(finish.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
    assertThat(finish.has("usage")).isFalse();
    JsonNode usage = chunks.get(4);
    assertThat(usage.get("choices").isArray() && usage.get("choices").isEmpty())
        .as("OpenAI's usage chunk has empty choices").isTrue();
    assertThat(usage.at("/usage/prompt_tokens").asInt()).isEqualTo(5);
    assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(3);
    assertThat(usage.at("/routing/answered_by").asString()).isEqualTo("weak-model");
  }

  @Test
  void chat_unknownRouterName_answers400InRouteLlmShape() throws Exception {
    try (Response r = post("{\"model\":\"router-mf-0.1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")) {
      assertThat(r.code()).isEqualTo(400);
      JsonNode body = json(r);
      assertThat(body.get("object").asString()).isEqualTo("error");
      assertThat(body.get("message").asString())
          .isEqualTo("model 'router-mf-0.1' is not served here; ask for 'router-random' or"
              + " 'router-random-<threshold>'");
    }
  }

  @Test
  void chat_thresholdOutOfRange_answers400NamingIt() throws Exception {
    try (Response r = post("{\"model\":\"router-random-1.5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(json(r).get("message").asString())
          .isEqualTo("model 'router-random-1.5': threshold must be a number in [0, 1] but was '1.5'");
    }
  }

  @Test
  void chat_malformedBodies_answer400NamingTheField() throws Exception {
    try (Response r = post("{\"model\":")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(json(r).get("message").asString()).startsWith("request body is not valid JSON");
    }
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[]}")) {
      assertThat(json(r).get("message").asString()).isEqualTo("'messages' must be a non-empty array");
    }
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
        + "\"image_url\"}]}]}")) {
      assertThat(json(r).get("message").asString())
          .isEqualTo("'messages[0].content' has a part of type 'image_url'; only text parts are supported");
    }
    try (Response r = post("{\"model\":\"router-random\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"x\"}]}")) {
      assertThat(json(r).get("message").asString()).isEqualTo("'temperature' must be a number but was \"hot\"");
    }
  }

  @Test
  void chat_bothModelsDown_answers502WithUpstreamMessage() throws Exception {
    weakEndpoint.fails(503, "weak overloaded");
    strongEndpoint.fails(503, "strong overloaded");
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")) {
      assertThat(r.code()).isEqualTo(502);
      JsonNode body = json(r);
      assertThat(body.get("type").asString()).isEqualTo("upstream_error");
      assertThat(body.get("message").asString()).contains("strong overloaded");
    }
  }

  @Test
  void chat_weakDown_fallsBackToStrong() throws Exception {
    weakEndpoint.fails(500, "boom");
    strongEndpoint.answers("ok", 1, 1);
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")) {
      JsonNode body = json(r);
      assertThat(body.get("model").asString()).isEqualTo("strong-model");
      assertThat(body.at("/routing/fell_back").asBoolean()).isTrue();
      assertThat(body.at("/routing/chosen_model").asString()).isEqualTo("weak-model");
    }
  }

  @Test
  void apiKey_configured_rejectsRequestsWithoutIt() throws Exception {
    server.close();
    server = serverBuilder().apiKey("s3cret").start();
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")) {
      assertThat(r.code()).isEqualTo(401);
      assertThat(json(r).get("message").asString()).doesNotContain("s3cret");
    }
    weakEndpoint.answers("ok", 1, 1);
    try (Response r = client.newCall(new Request.Builder().url(url("/v1/chat/completions"))
        .header("Authorization", "Bearer s3cret")
        .post(RequestBody.create("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            JSON)).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
  }

  @Test
  void pages_healthModelsAndChatPage_areServed() throws Exception {
    try (Response r = client.newCall(new Request.Builder().url(url("/health")).build()).execute()) {
      assertThat(json(r).get("status").asString()).isEqualTo("online");
    }
    try (Response r = client.newCall(new Request.Builder().url(url("/v1/models")).build()).execute()) {
      JsonNode list = json(r);
      assertThat(list.get("object").asString()).isEqualTo("list");
      assertThat(list.get("data")).extracting(m -> m.get("id").asString())
          .containsExactly("router-random", "router-random-1.0");
      assertThat(list.get("data")).allSatisfy(m -> {
        assertThat(m.get("object").asString()).isEqualTo("model");
        assertThat(m.get("created").isIntegralNumber()).as("OpenAI's Model.created").isTrue();
        assertThat(m.get("owned_by").asString()).isEqualTo("routellm");
      });
    }
    try (Response r = client.newCall(new Request.Builder().url(url("/")).build()).execute()) {
      assertThat(r.header("Content-Type")).startsWith("text/html");
      assertThat(r.header("Content-Security-Policy")).contains("script-src 'self'", "default-src 'none'");
      assertThat(r.body().string()).contains("<title>RouteLLM chat</title>", "/assets/chat.js",
          "/assets/markdown-it.min.js").doesNotContain("<script>");
    }
    try (Response r = client.newCall(new Request.Builder().url(url("/assets/chat.js")).build()).execute()) {
      assertThat(r.header("Content-Type")).startsWith("text/javascript");
      assertThat(r.body().string()).contains("/v1/chat/completions", "html: false", "if (chunk.error)");
    }
  }

  @Test
  void unknownRoute_answers404InTheJsonErrorShape() throws Exception {
    try (Response r = client.newCall(new Request.Builder().url(url("/v1/route"))
        .post(RequestBody.create("{}", JSON)).build()).execute()) {
      assertThat(r.code()).isEqualTo(404);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      JsonNode body = json(r);
      assertThat(body.get("object").asString()).isEqualTo("error");
      assertThat(body.at("/error/type").asString()).isEqualTo("invalid_request_error");
      assertThat(body.at("/error/message").asString()).startsWith("no endpoint POST /v1/route; this server answers"
          + " POST /v1/chat/completions");
    }
  }

  @Test
  void stats_costs_arePlainDecimalNumbers() throws Exception {
    weakEndpoint.answers("Paris.", 20, 2); // (20 * 0.5 + 2 * 1) / 1e6 dollars: Double.toString gives 1.2E-5
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("x-routellm-cost-usd")).isEqualTo("0.000012");
      assertThat(r.body().string()).contains("\"cost_usd\":0.000012,");
    }
    try (Response stats = client.newCall(new Request.Builder().url(url("/stats")).build()).execute()) {
      String body = stats.body().string();
      assertThat(body).contains("\"cost_usd\":0.000012,", "\"saving_usd\":").doesNotContain("E-");
      assertThat(OpenAiWire.JSON.readTree(body).get("cost_usd").isNumber()).isTrue();
    }
  }

  @ParameterizedTest
  @CsvSource({"2.2559999999999998E-4, 0.0002256", "0, 0", "7.0E-8, 0.00000007", "1.0E-13, 0", "12.5, 12.5"})
  void dollars_roundsToPlainDecimals(double value, String expected) {
    assertThat(OpenAiWire.dollars(value).toPlainString()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"999.1.1.1", "1.2.3", "bad host!", "", "256.0.0.1"})
  void builder_hostNotAnAddress_isRejectedWithoutLookingItUp(String host) {
    assertThatThrownBy(() -> serverBuilder().host(host))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host must be an IP address or a host name of this machine but was '" + host + "'");
  }

  @Test
  void start_portTaken_failsNamingThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      RoutingServer.Builder builder = serverBuilder().host("127.0.0.1").port(taken.getLocalPort());

      assertThatThrownBy(builder::start)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("port must be a port free on 127.0.0.1 but " + taken.getLocalPort() + " is not");
    }
  }

  @Test
  void close_twice_isHarmless() {
    String health = url("/health");
    server.close();
    server.close();
    assertThatThrownBy(() -> client.newCall(new Request.Builder().url(health).build()).execute())
        .isInstanceOf(IOException.class);
  }

  private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

  @Test
  void chat_openAiFields_passThroughUntouchedAndModelIsRewritten() throws Exception {
    weakEndpoint.answers("ok", 1, 1);
    try (Response r = post("{\"model\":\"router-random\"," + HI + ",\"temperature\":0.2,\"max_completion_tokens\":50,"
        + "\"stop\":[\"END\"],\"seed\":7,\"response_format\":{\"type\":\"json_object\"},\"user\":\"u-1\",\"n\":1,"
        + "\"logprobs\":true,\"top_logprobs\":2,\"frequency_penalty\":0.5,\"x_vendor\":{\"a\":[1,2]},"
        + "\"presence_penalty\":null,\"tool_choice\":null,\"stream\":false}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    JsonNode up = OpenAiWire.JSON.readTree(weakEndpoint.server().takeRequest().getBody().utf8());
    assertThat(up.get("model").asString()).isEqualTo("weak-model");
    assertThat(up.get("temperature").asDouble()).isEqualTo(0.2);
    assertThat(up.get("max_completion_tokens").asInt()).as("the name the client sent").isEqualTo(50);
    assertThat(up.has("max_tokens")).isFalse();
    assertThat(up.get("stop").toString()).isEqualTo("[\"END\"]");
    assertThat(up.get("seed").asInt()).isEqualTo(7);
    assertThat(up.get("response_format").toString()).isEqualTo("{\"type\":\"json_object\"}");
    assertThat(up.get("user").asString()).isEqualTo("u-1");
    assertThat(up.get("logprobs").asBoolean()).isTrue();
    assertThat(up.get("top_logprobs").asInt()).isEqualTo(2);
    assertThat(up.get("frequency_penalty").asDouble()).isEqualTo(0.5);
    assertThat(up.get("x_vendor").toString()).as("unknown fields pass through").isEqualTo("{\"a\":[1,2]}");
    assertThat(up.has("n")).isFalse();
    assertThat(up.has("stream")).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"model\": | 400 | | request body is not valid JSON",
      "{\"model\":\"router-random\"} | 400 | messages | 'messages' must be a non-empty array",
      "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | model | 'model' must be a non-empty string",
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | model |"
          + " model 'gpt-4o' is not served here",
      "{\"model\":\"router-random\",\"max_tokens\":7.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400"
          + " | max_tokens | 'max_tokens' must be a whole number (32-bit) but was 7.5",
      "{\"model\":\"router-random\",\"max_tokens\":10000000000,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
          + " | 400 | max_tokens | 'max_tokens' must be a whole number",
      "{\"model\":\"router-random\",\"temperature\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 |"
          + " temperature | 'temperature': temperature must be in [0, 2] but was 3.0",
      "{\"model\":\"router-random\",\"stop\":[1],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | stop"
          + " | 'stop' must be a string or an array of strings but was [1]",
      "{\"model\":\"router-random\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | n |"
          + " 'n' must be 1"})
  void chat_badRequests_answerInOpenAisErrorShapeNamingTheParam(String body, int status, String param,
      String message) throws Exception {
    try (Response r = post(body)) {
      assertThat(r.code()).isEqualTo(status);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      JsonNode e = json(r);
      assertThat(e.at("/error/message").asString()).startsWith(message);
      assertThat(e.at("/error/type").asString()).isEqualTo("invalid_request_error");
      assertThat(e.at("/error/param").isNull() ? null : e.at("/error/param").asString()).isEqualTo(param);
      assertThat(e.at("/error").has("code")).isTrue();
      assertThat(e.get("message").asString()).as("RouteLLM's flat shape too").startsWith(message);
    }
    assertThat(weakEndpoint.server().getRequestCount() + strongEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void chat_unknownModelAndBadKey_carryOpenAisCodes() throws Exception {
    try (Response r = post("{\"model\":\"gpt-4o\"," + HI + "}")) {
      assertThat(json(r).at("/error/code").asString()).isEqualTo("model_not_found");
    }
    server.close();
    server = serverBuilder().apiKey("s3cret").start();
    try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
      assertThat(r.code()).isEqualTo(401);
      JsonNode e = json(r);
      assertThat(e.at("/error/type").asString()).isEqualTo("authentication_error");
      assertThat(e.at("/error/code").asString()).isEqualTo("invalid_api_key");
    }
  }

  private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
      + "\"get_weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":"
      + "\"string\"}},\"required\":[\"location\"]}}}],\"tool_choice\":\"auto\",\"parallel_tool_calls\":true";

  private void weakAnswers(String contentType, String body) {
    weakEndpoint.server().enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", contentType)
        .body(body).build());
  }

  @Test
  void chat_toolsAndToolMessages_passThroughAndToolCallsComeBackWithNullContent() throws Exception {
    weakAnswers("application/json", "{\"id\":\"chatcmpl-w\",\"object\":\"chat.completion\",\"created\":1,"
        + "\"model\":\"weak-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
        + "\"content\":null,\"tool_calls\":[{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":"
        + "\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Lyon\\\"}\"}}],\"refusal\":null},"
        + "\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":70,"
        + "\"completion_tokens\":15,\"total_tokens\":85}}");
    String request = "{\"model\":\"router-random\"," + TOOLS + ",\"messages\":[{\"role\":\"user\",\"content\":"
        + "\"Weather in Paris, then Lyon?\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
        + "\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
        + "\"{\\\"location\\\":\\\"Paris\\\"}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"call_1\","
        + "\"content\":\"18C, clear\"}]}";

    try (Response r = post(request)) {
      assertThat(r.code()).isEqualTo(200);
      JsonNode body = json(r);
      JsonNode message = body.at("/choices/0/message");
      assertThat(message.get("content").isNull()).isTrue();
      assertThat(message.at("/tool_calls/0/id").asString()).isEqualTo("call_2");
      assertThat(message.at("/tool_calls/0/type").asString()).isEqualTo("function");
      assertThat(message.at("/tool_calls/0/function/name").asString()).isEqualTo("get_weather");
      assertThat(message.at("/tool_calls/0/function/arguments").asString()).isEqualTo("{\"location\":\"Lyon\"}");
      assertThat(message.at("/tool_calls/0").has("index")).as("index is for stream deltas only").isFalse();
      assertThat(body.at("/choices/0/finish_reason").asString()).isEqualTo("tool_calls");
      assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(85);
    }
    JsonNode upstream = OpenAiWire.JSON.readTree(weakEndpoint.server().takeRequest().getBody().utf8());
    assertThat(upstream.at("/tools/0/function/parameters/required/0").asString()).isEqualTo("location");
    assertThat(upstream.get("tool_choice").asString()).isEqualTo("auto");
    assertThat(upstream.get("parallel_tool_calls").asBoolean()).isTrue();
    assertThat(upstream.at("/messages/1/content").isNull()).isTrue();
    assertThat(upstream.at("/messages/1/tool_calls/0/function/arguments").asString())
        .isEqualTo("{\"location\":\"Paris\"}");
    assertThat(upstream.at("/messages/2/role").asString()).isEqualTo("tool");
    assertThat(upstream.at("/messages/2/tool_call_id").asString()).isEqualTo("call_1");
    assertThat(upstream.at("/messages/2/content").asString()).isEqualTo("18C, clear");
  }

  @Test
  void stream_parallelToolCallsInFragments_areSentAsOneIndexedDeltaThenFinishReasonToolCalls() throws Exception {
    String head = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"weak-model\","
        + "\"choices\":[{\"index\":0,\"delta\":";
    String tail = ",\"finish_reason\":null}]}\n\n";
    weakAnswers("text/event-stream",
        head + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_a\","
            + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}" + tail
            + head + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"location\\\":\"}}]}" + tail
            + head + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}" + tail
            + head + "{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":"
            + "{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Lyon\\\"}\"}}]}" + tail
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"weak-model\",\"choices\":"
            + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
            + "data: [DONE]\n\n");
    List<String> events = new ArrayList<>();
    try (Response r = post("{\"model\":\"router-random\",\"stream\":true," + TOOLS + "," + HI + "}")) {
      assertThat(r.code()).isEqualTo(200);
      events.addAll(List.of(r.body().string().split("\n\n")));
    }

    assertThat(events).hasSize(4).last().isEqualTo("data: [DONE]");
    JsonNode role = OpenAiWire.JSON.readTree(events.get(0).substring(6));
    JsonNode calls = OpenAiWire.JSON.readTree(events.get(1).substring(6));
    JsonNode finish = OpenAiWire.JSON.readTree(events.get(2).substring(6));
    assertThat(role.at("/choices/0/delta/role").asString()).isEqualTo("assistant");
    JsonNode delta = calls.at("/choices/0/delta/tool_calls");
    assertThat(delta).hasSize(2);
    assertThat(delta.get(0).toString()).isEqualTo("{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}}");
    assertThat(delta.get(1).get("index").asInt()).isEqualTo(1);
    assertThat(delta.get(1).get("id").asString()).isEqualTo("call_b");
    assertThat(delta.get(1).at("/function/arguments").asString()).isEqualTo("{\"location\":\"Lyon\"}");
    assertThat(calls.get("object").asString()).isEqualTo("chat.completion.chunk");
    assertThat(finish.at("/choices/0/finish_reason").asString()).isEqualTo("tool_calls");
    assertThat(finish.at("/routing/tier").asString()).isEqualTo("weak");
    JsonNode upstream = OpenAiWire.JSON.readTree(weakEndpoint.server().takeRequest().getBody().utf8());
    assertThat(upstream.at("/tools/0/function/name").asString()).isEqualTo("get_weather");
  }

  @Test
  void chat_legacyFunctionsOrToolMessageWithoutId_areRefusedNamingTheField() throws Exception {
    try (Response r = post("{\"model\":\"router-random\"," + HI + ",\"functions\":[{\"name\":\"f\","
        + "\"parameters\":{}}]}")) {
      assertThat(r.code()).isEqualTo(400);
      JsonNode e = json(r);
      assertThat(e.at("/error/param").asString()).isEqualTo("functions");
      assertThat(e.at("/error/message").asString()).contains("use 'tools'");
    }
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},"
        + "{\"role\":\"tool\",\"content\":\"42\"}]}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(json(r).at("/error/param").asString()).isEqualTo("messages[1].tool_call_id");
    }
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\"x\","
        + "\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":"
        + "\"{}\"}}]}]}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(json(r).at("/error/param").asString()).isEqualTo("messages[0].tool_calls");
    }
    assertThat(weakEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void chat_legacyFunctionCallField_isRefused() throws Exception {
    try (Response r = post("{\"model\":\"router-random\"," + HI + ",\"function_call\":\"auto\"}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(json(r).at("/error/param").asString()).isEqualTo("function_call");
    }
    assertThat(weakEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void chat_emptyToolsList_isNotForwarded() throws Exception {
    weakEndpoint.answers("ok", 1, 1);
    try (Response r = post("{\"model\":\"router-random\"," + HI + ",\"tools\":[]}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    JsonNode upstream = OpenAiWire.JSON.readTree(weakEndpoint.server().takeRequest().getBody().utf8());
    assertThat(upstream.has("tools")).as("OpenAI rejects an empty tools list").isFalse();
  }

  @ParameterizedTest
  @CsvSource({"GET, /v1/chat/completions, POST", "POST, /v1/models, GET", "DELETE, /health, 'GET, HEAD'"})
  void wrongMethod_answers405WithAllowInTheJsonShape(String method, String path, String allowed) throws Exception {
    RequestBody body = method.equals("GET") ? null : RequestBody.create("{}", JSON);
    try (Response r = client.newCall(new Request.Builder().url(url(path)).method(method, body).build()).execute()) {
      assertThat(r.code()).isEqualTo(405);
      assertThat(r.header("Allow")).isEqualTo(allowed);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      assertThat(json(r).at("/error/message").asString())
          .isEqualTo(path + " answers " + allowed + " but the request was " + method);
    }
  }

  @Test
  void chat_bodyOverTheLimit_answers413InTheJsonShape() throws Exception {
    server.close();
    server = serverBuilder().maxBodyBytes(1000).start();
    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + "x".repeat(2000) + "\"}]}")) {
      assertThat(r.code()).isEqualTo(413);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      assertThat(json(r).at("/error/message").asString())
          .isEqualTo("request body is larger than 1000 bytes, the most this server takes");
    }
    weakEndpoint.answers("ok", 1, 1);
    try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
      assertThat(r.code()).as("a body under the limit").isEqualTo(200);
    }
    assertThatThrownBy(() -> serverBuilder().maxBodyBytes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBodyBytes must be > 0 but was 0");
  }

  @Test
  void stream_bothModelsDownBeforeAnyText_answers502NotAnEventStream() throws Exception {
    weakEndpoint.fails(503, "weak overloaded");
    strongEndpoint.fails(503, "strong overloaded");
    try (Response r = post("{\"model\":\"router-random\",\"stream\":true," + HI + "}")) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      JsonNode e = json(r);
      assertThat(e.at("/error/type").asString()).isEqualTo("upstream_error");
      assertThat(e.at("/error/message").asString()).contains("strong overloaded");
    }
  }

  @Test
  void stream_upstreamBreaksAfterText_endsWithAnErrorEventTheSdksRaiseThenDone() throws Exception {
    weakEndpoint.server().enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
        .body("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"weak-model\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"content\":\"Hal\"},\"finish_reason\":null}]}\n\n")
        .build());
    List<String> events = new ArrayList<>();
    try (Response r = post("{\"model\":\"router-random\",\"stream\":true," + HI + "}")) {
      assertThat(r.code()).isEqualTo(200);
      for (String event : r.body().string().split("\n\n")) {
        events.add(event.substring("data: ".length()));
      }
    }
    assertThat(events).hasSize(4).endsWith("[DONE]");
    assertThat(OpenAiWire.JSON.readTree(events.get(1)).at("/choices/0/delta/content").asString()).isEqualTo("Hal");
    JsonNode error = OpenAiWire.JSON.readTree(events.get(2));
    assertThat(error.at("/error/type").asString()).isEqualTo("upstream_error");
    assertThat(error.at("/error/message").asString()).isEqualTo("model 'weak-model' broke off its answer");
    assertThat(strongEndpoint.server().getRequestCount()).as("no fallback once text was sent").isZero();
  }

  @Test
  void stream_clientGoesAway_stopsTheUpstreamStreamWithoutFallingBack() throws Exception {
    server.close();
    EndlessModel endless = new EndlessModel("weak-model");
    EndlessModel unused = new EndlessModel("strong-model");
    server = RoutingServer.builder()
        .routers("random", (t, listener) -> Router.builder().strong(unused).weak(endless)
            .predictor(RandomPredictor.withSeed(1)).threshold(t).costModel(PRICES).costTracker(totals)
            .listener(listener).build(), totals)
        .defaultThreshold(1.0).port(0).start();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      String body = "{\"model\":\"router-random\",\"stream\":true," + HI + "}";
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type:"
          + " application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = in.readLine();
      } while (line != null && !line.contains("\"content\":\"tick\""));
      assertThat(line).as("the stream started").isNotNull();
    }
    Throwable stopped = endless.stopped.get(30, TimeUnit.SECONDS);
    assertThat(stopped).isInstanceOf(UncheckedIOException.class).hasMessageContaining("client went away");
    assertThat(endless.sent.get()).isLessThan(EndlessModel.LIMIT);
    assertThat(unused.sent.get()).as("no fallback to the other model").isZero();
    try (Response r = client.newCall(new Request.Builder().url(url("/health")).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
  }

  @Test
  void chat_predictorFails_500PredictionFailedWithoutInternalsAndCountedAsFailed() throws Exception {
    server.close();
    server = RoutingServer.builder()
        .routers("remote", (t, listener) -> Router.builder().strong(strongEndpoint.backend())
            .weak(weakEndpoint.backend()).predictor(dev.routellm.prediction.WinRatePredictor.of("remote", p -> {
              throw new IllegalStateException("embedding service at http://10.0.0.7:9000 is down");
            })).threshold(t).costModel(PRICES).costTracker(totals).listener(listener).build(), totals)
        .defaultThreshold(0.5).port(0).start();

    try (Response r = post("{\"model\":\"router-remote\"," + HI + "}")) {
      assertThat(r.code()).isEqualTo(500);
      String body = r.body().string();
      JsonNode e = OpenAiWire.JSON.readTree(body).get("error");
      assertThat(e.get("code").asString()).isEqualTo("prediction_failed");
      assertThat(e.get("message").asString()).startsWith("the router could not decide this request");
      assertThat(body).doesNotContain("10.0.0.7", "IllegalStateException");
    }
    assertThat(totals.snapshot().failedRequests()).isEqualTo(1);
    assertThat(strongEndpoint.server().getRequestCount() + weakEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void chat_twentyInParallel_eachGetsItsOwnAnswer() throws Exception {
    weakEndpoint.server().setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String prompt = OpenAiWire.JSON.readTree(request.getBody().utf8()).at("/messages/0/content").asString();
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
            .body("{\"model\":\"weak-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"echo " + prompt + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,"
                + "\"completion_tokens\":1,\"total_tokens\":2}}")
            .build();
      }
    });
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String prompt = "q" + i;
        answers.add(pool.submit(() -> {
          try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\""
              + prompt + "\"}]}")) {
            return r.code() + " " + json(r).at("/choices/0/message/content").asString();
          }
        }));
      }
      for (int i = 0; i < 20; i++) {
        assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("200 echo q" + i);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(server.costs().requests()).isEqualTo(20);
  }

  /** A model that streams "tick" until the listener throws (the client went away) or a limit is reached. */
  private static final class EndlessModel extends FakeBackend {
    static final int LIMIT = 10_000_000;
    final AtomicInteger sent = new AtomicInteger();
    final CompletableFuture<Throwable> stopped = new CompletableFuture<>();

    EndlessModel(String model) {
      super(model);
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      try {
        while (sent.get() < LIMIT) {
          listener.onText("tick");
          sent.incrementAndGet();
        }
      } catch (RuntimeException e) {
        stopped.complete(e);
        throw e;
      }
      stopped.complete(null);
      return ChatResponse.builder().model(model()).text("tick").usage(Usage.of(1, sent.get())).build();
    }
  }
}
