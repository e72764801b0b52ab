package dev.routellm.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.MockModel;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.routing.Router;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
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
        .routers("random", t -> Router.builder().strong(strong).weak(weak).predictor(predictor).threshold(t)
            .costModel(PRICES).costTracker(totals).build(), totals)
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
    JsonNode end = chunks.get(chunks.size() - 1);
    assertThat(end.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
    assertThat(end.at("/usage/prompt_tokens").asInt()).isEqualTo(5);
    assertThat(end.at("/routing/answered_by").asString()).isEqualTo("weak-model");
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
      assertThat(json(r).get("data")).extracting(m -> m.get("id").asString())
          .containsExactly("router-random", "router-random-1.0");
    }
    try (Response r = client.newCall(new Request.Builder().url(url("/")).build()).execute()) {
      assertThat(r.header("Content-Type")).startsWith("text/html");
      assertThat(r.body().string()).contains("<title>RouteLLM chat</title>", "/v1/chat/completions");
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
      assertThat(body.get("type").asString()).isEqualTo("invalid_request_error");
      assertThat(body.get("message").asString()).startsWith("no endpoint POST /v1/route; this server answers POST"
          + " /v1/chat/completions");
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
}
