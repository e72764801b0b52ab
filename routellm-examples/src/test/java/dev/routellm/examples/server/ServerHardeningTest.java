package dev.routellm.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.FakeBackend;
import dev.routellm.examples.MockModel;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.routing.Router;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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
import tools.jackson.databind.JsonNode;

/** The routing server under hostile or heavy use, and the wire details OpenAI clients rely on. */
class ServerHardeningTest {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final CostModel PRICES =
      CostModel.builder().price("strong-model", 10, 30).price("weak-model", 0.5, 1).build();
  private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private MockModel strongEndpoint;
  private MockModel weakEndpoint;
  private ModelBackend strong;
  private ModelBackend weak;
  private CostTracker totals;
  private RoutingServer server;

  @BeforeEach
  void start() throws IOException {
    strongEndpoint = new MockModel("strong-model");
    weakEndpoint = new MockModel("weak-model");
    strong = strongEndpoint.backend();
    weak = weakEndpoint.backend();
    server = serverWith(b -> b);
  }

  @AfterEach
  void stop() {
    server.close();
    strong.close();
    weak.close();
    strongEndpoint.close();
    weakEndpoint.close();
  }

  private RoutingServer serverWith(UnaryOperator<RoutingServer.Builder> options) {
    if (server != null) {
      server.close();
    }
    totals = new CostTracker();
    RandomPredictor predictor = RandomPredictor.withSeed(1);
    ModelBackend s = strong;
    ModelBackend w = weak;
    RoutingServer.Builder b = RoutingServer.builder()
        .routers("random", (t, listener) -> Router.builder().strong(s).weak(w).predictor(predictor).threshold(t)
            .costModel(PRICES).costTracker(totals).listener(listener).build(), totals)
        .defaultThreshold(1.0)
        .log(logLines::add)
        .port(0);
    server = options.apply(b).start();
    return server;
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  private Response post(String body) throws IOException {
    return post("/v1/chat/completions", body);
  }

  private Response post(String path, String body) throws IOException {
    return client.newCall(new Request.Builder().url(url(path)).post(RequestBody.create(body, JSON)).build())
        .execute();
  }

  private Response get(String path) throws IOException {
    return client.newCall(new Request.Builder().url(url(path)).build()).execute();
  }

  private static JsonNode json(Response r) throws IOException {
    return OpenAiWire.JSON.readTree(r.body().string());
  }

  private void weakAnswers(int code, String contentType, String body) {
    weakEndpoint.server().enqueue(new MockResponse.Builder().code(code).addHeader("Content-Type", contentType)
        .body(body).build());
  }

  private static List<JsonNode> events(String sse) {
    List<JsonNode> out = new ArrayList<>();
    for (String event : sse.split("\n\n")) {
      String data = event.substring("data: ".length());
      out.add(data.equals("[DONE]") ? null : OpenAiWire.JSON.readTree(data));
    }
    return out;
  }

  // ---- wire compatibility ----

  @Test
  void chat_upstream400_isPassedThroughWithItsTypeCodeParamAndMessage() throws Exception {
    weakAnswers(400, "application/json", "{\"error\":{\"message\":\"This model's maximum context length is 8192"
        + " tokens.\",\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}");
    try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
      assertThat(r.code()).isEqualTo(400);
      String body = r.body().string();
      JsonNode e = OpenAiWire.JSON.readTree(body).get("error");
      assertThat(e.get("message").asString()).isEqualTo("This model's maximum context length is 8192 tokens.");
      assertThat(e.get("type").asString()).isEqualTo("invalid_request_error");
      assertThat(e.get("code").asString()).isEqualTo("context_length_exceeded");
      assertThat(e.get("param").asString()).isEqualTo("messages");
      assertThat(body).doesNotContain("http://", "Exception", "127.0.0.1");
    }
    assertThat(strongEndpoint.server().getRequestCount()).as("a bad request is not retried elsewhere").isZero();
  }

  @Test
  void chat_fallbackRefusesAfterTheChosenModelFailed_502NamingBothNotTheFallbacks400() throws Exception {
    weakEndpoint.fails(503, "weak overloaded");
    strongEndpoint.server().enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
        .body("{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens.\",\"type\":"
            + "\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}").build());
    try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
      assertThat(r.code()).as("the client's request was fine for the chosen model").isEqualTo(502);
      JsonNode e = json(r).get("error");
      assertThat(e.get("code").asString()).isEqualTo("upstream_failed");
      assertThat(e.get("message").asString()).isEqualTo("no model could answer: model 'weak-model' answered HTTP"
          + " 503: weak overloaded; model 'strong-model' answered HTTP 400: This model's maximum context length is"
          + " 8192 tokens.");
    }
    assertThat(strongEndpoint.server().getRequestCount()).isEqualTo(1);
  }

  @Test
  void chat_fallbackRefusesAfterTheChosenModelWasRateLimited_502NotTheFallbacks400() throws Exception {
    weakEndpoint.fails(429, "slow down");
    strongEndpoint.server().enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
        .body("{\"error\":{\"message\":\"too long\",\"type\":\"invalid_request_error\"}}").build());
    try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
      assertThat(r.code()).isEqualTo(502);
      assertThat(json(r).at("/error/message").asString()).isEqualTo("no model could answer: model 'weak-model'"
          + " answered HTTP 429: slow down; model 'strong-model' answered HTTP 400: too long");
    }
  }

  @Test
  void chat_upstream401_isTheServersOwnProblem_502WithoutTheUpstreamsText() throws Exception {
    weakAnswers(401, "application/json", "{\"error\":{\"message\":\"Incorrect API key provided: sk-abc***xyz\","
        + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
    try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
      assertThat(r.code()).isEqualTo(502);
      String body = r.body().string();
      assertThat(OpenAiWire.JSON.readTree(body).at("/error/message").asString())
          .isEqualTo("model 'weak-model' refused the routing server's credentials (HTTP 401)");
      assertThat(body).doesNotContain("sk-abc", "http://");
    }
  }

  @Test
  void chat_upstreamUnreachable_saysSoWithoutUrlOrExceptionName() throws Exception {
    weakEndpoint.close(); // connection refused
    strongEndpoint.close();
    try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
      assertThat(r.code()).isEqualTo(502);
      String body = r.body().string();
      assertThat(OpenAiWire.JSON.readTree(body).at("/error/message").asString())
          .isEqualTo("no model could answer: model 'weak-model' could not be reached; model 'strong-model' could not"
              + " be reached");
      assertThat(body).doesNotContain("http://", "ConnectException", "127.0.0.1");
    }
  }

  @Test
  void chat_answerFieldsOpenAiAdds_areKept() throws Exception {
    weakAnswers(200, "application/json", "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":"
        + "\"weak-model-2024\",\"system_fingerprint\":\"fp_44709d6fcb\",\"service_tier\":\"default\",\"choices\":"
        + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":\"I can't help with"
        + " that.\"},\"logprobs\":{\"content\":[{\"token\":\"\\u00e9\",\"logprob\":-0.5,\"bytes\":[195,169],"
        + "\"top_logprobs\":[{\"token\":\"\\u00e9\",\"logprob\":-0.5,\"bytes\":[195,169]}]}]},\"finish_reason\":"
        + "\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}");
    try (Response r = post("{\"model\":\"router-random\"," + HI + ",\"logprobs\":true,\"top_logprobs\":1}")) {
      JsonNode body = json(r);
      assertThat(body.get("system_fingerprint").asString()).isEqualTo("fp_44709d6fcb");
      assertThat(body.get("service_tier").asString()).isEqualTo("default");
      assertThat(body.get("model").asString()).as("the pool's name, as streamed chunks and headers")
          .isEqualTo("weak-model");
      assertThat(r.header("x-routellm-model")).isEqualTo("weak-model");
      assertThat(body.at("/routing/upstream_model").asString()).isEqualTo("weak-model-2024");
      assertThat(body.at("/choices/0/message/refusal").asString()).isEqualTo("I can't help with that.");
      assertThat(body.at("/choices/0/logprobs/content/0/bytes").toString()).isEqualTo("[195,169]");
      assertThat(body.at("/choices/0/logprobs/content/0/top_logprobs/0/bytes").toString()).isEqualTo("[195,169]");
    }
  }

  @Test
  void chat_fieldsForwardedAsSent_unknownNullsAndDecimalDigitsKept_noUnaskedTopLogprobs() throws Exception {
    weakEndpoint.answers("ok", 1, 1);
    try (Response r = post("{\"model\":\"router-random\"," + HI + ",\"max_completion_tokens\":9,\"top_p\":0.10,"
        + "\"x_vendor\":null,\"logprobs\":true,\"metadata\":{\"k\":\"v\"}}")) {
      assertThat(r.code()).isEqualTo(200);
    }
    String upstream = weakEndpoint.server().takeRequest().getBody().utf8();
    assertThat(upstream).contains("\"max_completion_tokens\":9", "\"top_p\":0.10", "\"x_vendor\":null",
        "\"logprobs\":true", "\"metadata\":{\"k\":\"v\"}").doesNotContain("top_logprobs", "max_tokens");
  }

  @Test
  void chat_bothTokenLimits_isRefusedNamingThem() throws Exception {
    try (Response r = post("{\"model\":\"router-random\"," + HI + ",\"max_tokens\":5,\"max_completion_tokens\":9}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(json(r).at("/error/message").asString())
          .isEqualTo("give 'max_completion_tokens' or 'max_tokens', not both");
    }
  }

  @Test
  void chat_invalidJson_namesThePlaceNotTheParsersInternals() throws Exception {
    try (Response r = post("{\"model\": \"router-random\",\n \"messages\": [}")) {
      assertThat(r.code()).isEqualTo(400);
      String message = json(r).at("/error/message").asString();
      assertThat(message).isEqualTo("request body is not valid JSON (at line 2, column 15)");
    }
  }

  @Test
  void stream_keepsLogprobsHeadersAndOneModelNameAcrossChunks() throws Exception {
    String head = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"weak-model-2024\","
        + "\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":";
    weakAnswers(200, "text/event-stream",
        head + "{\"content\":\"Hel\"},\"logprobs\":{\"content\":[{\"token\":\"Hel\",\"logprob\":-0.1,\"bytes\":"
            + "[72,101,108],\"top_logprobs\":[]}]},\"finish_reason\":null}]}\n\n"
            + head + "{\"content\":\"lo\"},\"logprobs\":{\"content\":[{\"token\":\"lo\",\"logprob\":-0.2,"
            + "\"bytes\":[108,111],\"top_logprobs\":[]}]},\"finish_reason\":null}]}\n\n"
            + head + "{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    List<JsonNode> chunks;
    try (Response r = post("{\"model\":\"router-random\",\"stream\":true,\"logprobs\":true," + HI + "}")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("x-routellm-model")).isEqualTo("weak-model");
      assertThat(r.header("x-routellm-chosen-model")).isEqualTo("weak-model");
      assertThat(r.header("x-routellm-router")).isEqualTo("random");
      assertThat(r.header("x-routellm-threshold")).isEqualTo("1.0");
      assertThat(r.header("x-routellm-fell-back")).isEqualTo("false");
      chunks = events(r.body().string());
    }
    assertThat(chunks).last().isNull(); // [DONE]
    List<JsonNode> data = chunks.subList(0, chunks.size() - 1);
    assertThat(data).extracting(c -> c.get("model").asString()).containsOnly("weak-model");
    JsonNode finish = data.get(data.size() - 1);
    assertThat(finish.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
    assertThat(finish.at("/choices/0/logprobs/content")).extracting(t -> t.get("token").asString())
        .containsExactly("Hel", "lo");
    assertThat(finish.at("/choices/0/logprobs/content/1/bytes").toString()).isEqualTo("[108,111]");
    assertThat(finish.get("system_fingerprint").asString()).isEqualTo("fp_1");
    String upstream = weakEndpoint.server().takeRequest().getBody().utf8();
    assertThat(upstream).contains("\"logprobs\":true").doesNotContain("top_logprobs");
  }

  @Test
  void stream_fallbackBeforeText_namesTheModelThatAnswersOnEveryChunkAndInTheHeaders() throws Exception {
    weakEndpoint.fails(500, "weak down");
    strongEndpoint.streams(2, 2, "A", "B");
    try (Response r = post("{\"model\":\"router-random\",\"stream\":true," + HI + "}")) {
      assertThat(r.header("x-routellm-model")).isEqualTo("strong-model");
      assertThat(r.header("x-routellm-chosen-model")).isEqualTo("weak-model");
      assertThat(r.header("x-routellm-fell-back")).isEqualTo("true");
      List<JsonNode> chunks = events(r.body().string());
      assertThat(chunks.subList(0, chunks.size() - 1)).extracting(c -> c.get("model").asString())
          .containsOnly("strong-model");
    }
    try (Response r = get("/stats")) {
      JsonNode s = json(r);
      assertThat(s.get("fallbacks").asInt()).isEqualTo(1);
      assertThat(s.at("/models/weak-model/failed_calls").asInt()).isEqualTo(1);
      assertThat(s.at("/models/strong-model/failed_calls").asInt()).isZero();
    }
    assertThat(logLines).filteredOn(l -> l.startsWith("model call failed"))
        .singleElement().asString().startsWith("model call failed: weak-model (http_status): ")
        .contains("HTTP 500", "weak down");
    assertThat(logLines).contains("falling back from weak-model to strong-model");
  }

  @Test
  void endpoints_modelRetrieveUnversionedPathsBearerInAnyCaseAndHead() throws Exception {
    serverWith(b -> b.apiKey("s3cret"));
    Request.Builder keyed = new Request.Builder().header("Authorization", "bearer s3cret");
    try (Response r = client.newCall(keyed.url(url("/v1/models/router-random-0.3")).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(json(r).get("id").asString()).isEqualTo("router-random-0.3");
    }
    try (Response r = client.newCall(keyed.url(url("/v1/models/gpt-4o")).build()).execute()) {
      assertThat(r.code()).isEqualTo(404);
      assertThat(json(r).at("/error/code").asString()).isEqualTo("model_not_found");
    }
    weakEndpoint.answers("ok", 1, 1);
    try (Response r = client.newCall(keyed.url(url("/chat/completions"))
        .post(RequestBody.create("{\"model\":\"router-random\"," + HI + "}", JSON)).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("x-routellm-cost-usd")).isEqualTo("0.0000015");
    }
    try (Response r = client.newCall(new Request.Builder().url(url("/")).head().build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("text/html");
      assertThat(Long.parseLong(r.header("Content-Length"))).isGreaterThan(500);
      assertThat(r.body().bytes()).isEmpty();
    }
  }

  // ---- holding up ----

  @Test
  void saturated_refusesWith503AndRetryAfter_whileHealthAndStatsAnswer() throws Exception {
    CountDownLatch arrived = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    weakEndpoint.server().setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        arrived.countDown();
        release.await(30, TimeUnit.SECONDS);
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
            .body("{\"model\":\"weak-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"late\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,"
                + "\"completion_tokens\":1,\"total_tokens\":2}}").build();
      }
    });
    weak.close();
    weak = OpenAiBackend.builder().baseUrl(weakEndpoint.baseUrl()).model("weak-model").noApiKey()
        .httpClient(dev.routellm.examples.cli.ServeCommandAccess.httpClient(8)).build();
    serverWith(b -> b.maxConcurrent(2));
    List<CompletableFuture<Integer>> waiting = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        waiting.add(CompletableFuture.supplyAsync(() -> {
          try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
            return r.code();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }));
      }
      assertThat(arrived.await(30, TimeUnit.SECONDS)).as("both calls reached the upstream").isTrue();
      try (Response r = post("{\"model\":\"router-random\",\"stream\":true," + HI + "}")) {
        assertThat(r.code()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isEqualTo("1");
        assertThat(json(r).at("/error/code").asString()).isEqualTo("server_busy");
      }
      try (Response r = get("/health")) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(json(r).get("in_flight").asInt()).isEqualTo(2);
      }
      try (Response r = get("/stats")) {
        assertThat(json(r).at("/rejected/busy").asInt()).isEqualTo(1);
      }
    } finally {
      release.countDown();
    }
    for (CompletableFuture<Integer> f : waiting) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    }
    awaitNothingInFlight();
  }

  @Test
  void nonStreamedClientGoesAway_cancelsTheUpstreamCall() throws Exception {
    PendingModel pending = new PendingModel("weak-model");
    weak.close();
    weak = pending;
    serverWith(b -> b);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      String body = "{\"model\":\"router-random\"," + HI + "}";
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertThat(pending.called.await(30, TimeUnit.SECONDS)).as("the upstream call started").isTrue();
    }
    assertThat(pending.cancelled.get(30, TimeUnit.SECONDS)).isTrue();
    try (Response r = get("/stats")) {
      assertThat(json(r).get("client_disconnects").asInt()).isEqualTo(1);
    }
    awaitNothingInFlight();
  }

  @Test
  void chat_bodyNotDeclaredJson_is415AndNothingIsCalled() throws Exception {
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded")) {
      try (Response r = client.newCall(new Request.Builder().url(url("/v1/chat/completions"))
          .post(RequestBody.create("{\"model\":\"router-random\"," + HI + "}", MediaType.get(type))).build())
          .execute()) {
        assertThat(r.code()).isEqualTo(415);
        assertThat(json(r).at("/error/message").asString()).contains("'" + type);
      }
    }
    assertThat(weakEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void foreignHostOrOrigin_isRefused_ownOriginAndCorsOriginPass() throws Exception {
    serverWith(b -> b.corsOrigins(List.of("https://app.example.com")));
    try (Response r = client.newCall(new Request.Builder().url(url("/v1/models")).header("Host", "evil.example:80")
        .build()).execute()) {
      assertThat(r.code()).isEqualTo(403);
      assertThat(json(r).at("/error/code").asString()).isEqualTo("host_not_allowed");
    }
    try (Response r = client.newCall(new Request.Builder().url(url("/v1/chat/completions"))
        .header("Origin", "http://evil.example").post(RequestBody.create("{}", JSON)).build()).execute()) {
      assertThat(r.code()).isEqualTo(403);
      assertThat(json(r).at("/error/code").asString()).isEqualTo("origin_not_allowed");
    }
    try (Response r = client.newCall(new Request.Builder().url(url("/v1/models"))
        .header("Origin", "http://127.0.0.1:" + server.port()).build()).execute()) {
      assertThat(r.code()).as("the chat page's own origin").isEqualTo(200);
      assertThat(r.header("Access-Control-Allow-Origin")).isNull();
    }
    try (Response r = client.newCall(new Request.Builder().url(url("/v1/chat/completions"))
        .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization, content-type, x-stainless-os")
        .method("OPTIONS", null).build()).execute()) {
      assertThat(r.code()).isEqualTo(204);
      assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
      assertThat(r.header("Access-Control-Allow-Headers")).contains("x-stainless-os");
    }
    try (Response r = client.newCall(new Request.Builder().url(url("/v1/models"))
        .header("Origin", "https://app.example.com").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
      assertThat(r.header("Access-Control-Expose-Headers")).contains("x-routellm-model");
    }
    try (Response r = get("/stats")) {
      JsonNode rejected = json(r).get("rejected");
      assertThat(rejected.get("host").asInt()).isEqualTo(1);
      assertThat(rejected.get("origin").asInt()).isEqualTo(1);
    }
  }

  @Test
  void shutdown_letsRequestsInFlightFinishAndRefusesNewOnes() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    weakEndpoint.server().setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        arrived.countDown();
        release.await(30, TimeUnit.SECONDS);
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
            .body("{\"model\":\"weak-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"finished\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,"
                + "\"completion_tokens\":1,\"total_tokens\":2}}").build();
      }
    });
    CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
      try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
        String body = r.body().string();
        return r.code() + " " + (r.code() == 200 ? OpenAiWire.JSON.readTree(body).at("/choices/0/message/content")
            .asString() : body);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertThat(arrived.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Integer> cut = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(30)));
    try {
      awaitHealth(503);
      try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
        assertThat(r.code()).isEqualTo(503);
        assertThat(json(r).at("/error/code").asString()).isEqualTo("server_shutting_down");
      }
    } finally {
      release.countDown();
    }
    assertThat(inFlight.get(30, TimeUnit.SECONDS)).isEqualTo("200 finished");
    assertThat(cut.get(30, TimeUnit.SECONDS)).as("nothing had to be cut off").isZero();
  }

  @Test
  void shutdown_graceOver_endsOpenStreamWithAnErrorEventThenDone() throws Exception {
    StallingStreamModel stalling = new StallingStreamModel("weak-model");
    weak.close();
    weak = stalling;
    serverWith(b -> b);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      String body = "{\"model\":\"router-random\",\"stream\":true," + HI + "}";
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type:"
          + " application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = in.readLine();
      } while (line != null && !line.contains("\"content\":\"tick\""));
      assertThat(line).as("the stream started").isNotNull();
      CompletableFuture<Integer> cut = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofMillis(200)));
      List<String> rest = new ArrayList<>();
      while ((line = in.readLine()) != null) {
        if (line.startsWith("data: ")) {
          rest.add(line.substring(6));
        }
        if (line.equals("data: [DONE]")) {
          break;
        }
      }
      assertThat(rest).hasSize(2).endsWith("[DONE]");
      assertThat(OpenAiWire.JSON.readTree(rest.get(0)).at("/error/code").asString())
          .isEqualTo("server_shutting_down");
      assertThat(cut.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    } finally {
      stalling.release.countDown();
    }
  }

  /** A request leaves the in-flight count once Jetty has sent its whole answer, just after the client has it. */
  private void awaitNothingInFlight() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(server.inFlight()).isZero();
  }

  private void awaitHealth(int status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try (Response r = get("/health")) {
        if (r.code() == status) {
          return;
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("/health never answered " + status);
  }

  @Test
  void jettysOwnErrors_areJsonToo() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.getOutputStream().write("GET /%00 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.UTF_8));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 400").contains("Content-Type: application/json")
          .doesNotContain("<html");
      JsonNode body = OpenAiWire.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(body.at("/error/type").asString()).isEqualTo("invalid_request_error");
      assertThat(body.at("/error/message").asString()).startsWith("the routing server could not read the request:"
          + " HTTP 400");
    }
  }

  @Test
  void unexpectedFailure_isLoggedButTheClientSeesNoInternals() throws Exception {
    server.close();
    server = RoutingServer.builder()
        .routers("random", (t, listener) -> {
          throw new UnsupportedOperationException("internal detail at dev.routellm.Secret");
        }, new CostTracker())
        .defaultThreshold(0.5).log(logLines::add).port(0).start();
    try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
      assertThat(r.code()).isEqualTo(500);
      String body = r.body().string();
      assertThat(OpenAiWire.JSON.readTree(body).at("/error/message").asString())
          .isEqualTo("the routing server failed unexpectedly; its log has the details");
      assertThat(body).doesNotContain("internal detail", "UnsupportedOperationException", "dev.routellm");
    }
  }

  @Test
  void log_oneLinePerRequest_promptOnlyWhenAsked_neverTheKey() throws Exception {
    serverWith(b -> b.apiKey("s3cret-key"));
    weakEndpoint.answers("ok", 20, 2).answers("ok", 20, 2);
    Request.Builder chat = new Request.Builder().url(url("/v1/chat/completions")).header("Authorization",
        "Bearer s3cret-key").post(RequestBody.create("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"my private question\"}]}", JSON));
    try (Response r = client.newCall(chat.build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(logLines).singleElement().asString()
        .startsWith("POST /v1/chat/completions 200 ")
        .contains("model=router-random", "answered_by=weak-model", "tier=weak", "cost_usd=0.000012",
            "fell_back=false")
        .doesNotContain("private question", "s3cret");
    logLines.clear();
    serverWith(b -> b.apiKey("s3cret-key").logPrompts(true));
    chat.url(url("/v1/chat/completions"));
    try (Response r = client.newCall(chat.build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(logLines).singleElement().asString().contains("prompt=\"my private question\"")
        .doesNotContain("s3cret");
  }

  @Test
  void stats_duringAnOutage_countFailedRequestsAndCalls() throws Exception {
    weakEndpoint.fails(503, "weak overloaded");
    strongEndpoint.fails(503, "strong overloaded");
    try (Response r = post("{\"model\":\"router-random\"," + HI + "}")) {
      assertThat(r.code()).isEqualTo(502);
    }
    try (Response r = get("/stats")) {
      JsonNode s = json(r);
      assertThat(s.get("requests").asInt()).isZero();
      assertThat(s.get("failed_requests").asInt()).isEqualTo(1);
      assertThat(s.at("/models/weak-model/failed_calls").asInt()).isEqualTo(1);
      assertThat(s.at("/models/strong-model/failed_calls").asInt()).isEqualTo(1);
    }
    assertThat(logLines).filteredOn(l -> l.startsWith("model call failed")).hasSize(2);
    try (Response r = get("/stats")) {
      JsonNode kinds = json(r).get("failed_calls_by_kind");
      assertThat(kinds.path("http_status").asInt()).isEqualTo(2);
      assertThat(kinds.toString()).doesNotContain("Exception");
    }
  }

  @Test
  void routers_areBuiltOncePerThresholdAndReused() throws Exception {
    java.util.concurrent.atomic.AtomicInteger built = new java.util.concurrent.atomic.AtomicInteger();
    RandomPredictor predictor = RandomPredictor.withSeed(1);
    server.close();
    CostTracker shared = new CostTracker();
    server = RoutingServer.builder()
        .routers("random", (t, listener) -> {
          built.incrementAndGet();
          return Router.builder().strong(strong).weak(weak).predictor(predictor).threshold(t).costModel(PRICES)
              .costTracker(shared).listener(listener).build();
        }, shared)
        .defaultThreshold(1.0).log(logLines::add).port(0).start();
    weakEndpoint.answers("a", 1, 1).answers("b", 1, 1).answers("c", 1, 1);
    strongEndpoint.answers("d", 1, 1);
    for (String model : List.of("router-random", "router-random-1.0", "router-random", "router-random-0.0")) {
      try (Response r = post("{\"model\":\"" + model + "\"," + HI + "}")) {
        assertThat(r.code()).isEqualTo(200);
      }
    }
    assertThat(built.get()).as("thresholds 1.0 and 0.0").isEqualTo(2);
    assertThat(server.costs().requests()).isEqualTo(4);
  }

  /** A model whose non-streamed call never ends until cancelled; says when it was called and cancelled. */
  private static final class PendingModel extends FakeBackend {
    final CountDownLatch called = new CountDownLatch(1);
    final CompletableFuture<Boolean> cancelled = new CompletableFuture<>();

    PendingModel(String model) {
      super(model);
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      CompletableFuture<ChatResponse> f = new CompletableFuture<>();
      f.whenComplete((r, t) -> cancelled.complete(f.isCancelled()));
      called.countDown();
      return f;
    }
  }

  /** A model that streams "tick", then waits (interruptibly) until released. */
  private static final class StallingStreamModel extends FakeBackend {
    final CountDownLatch release = new CountDownLatch(1);

    StallingStreamModel(String model) {
      super(model);
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      listener.onText("tick");
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      listener.onText("tock");
      return ChatResponse.builder().model(model()).text("ticktock").usage(Usage.of(1, 2)).build();
    }
  }
}
