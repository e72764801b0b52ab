package dev.routellm.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.budget.SpendLimiter;
import dev.routellm.budget.SpendStore;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.MockModel;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.routing.Router;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The server's limits and meters: /metrics, spend limits per tenant key, per-request limits from headers. */
class ServerLimitsTest {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final CostModel PRICES =
      CostModel.builder().price("strong-model", 10, 30).price("weak-model", 0.5, 1).build();
  private static final String HI = "{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(java.time.Duration.ofSeconds(30))
      .build();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private MockModel strongEndpoint;
  private MockModel weakEndpoint;
  private OpenAiBackend strong;
  private OpenAiBackend weak;
  private RoutingServer server;

  @BeforeEach
  void start() throws IOException {
    strongEndpoint = new MockModel("strong-model");
    weakEndpoint = new MockModel("weak-model");
    strong = strongEndpoint.backend();
    weak = weakEndpoint.backend();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    strong.close();
    weak.close();
    strongEndpoint.close();
    weakEndpoint.close();
  }

  /** A server whose threshold routers send everything weak at the default threshold 1.0, strong at 0.0. */
  private RoutingServer.Builder serverBuilder(UnaryOperator<Router.Builder> routerSettings) {
    CostTracker totals = new CostTracker();
    RandomPredictor predictor = RandomPredictor.withSeed(1);
    return RoutingServer.builder()
        .routers("random", (t, listener) -> routerSettings.apply(Router.builder().strong(strong).weak(weak)
            .predictor(predictor).threshold(t).costModel(PRICES).costTracker(totals).listener(listener)).build(),
            totals)
        .defaultThreshold(1.0).log(log::add).port(0);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  private Response post(String body, String... headers) throws IOException {
    Request.Builder r = new Request.Builder().url(url("/v1/chat/completions")).post(RequestBody.create(body, JSON));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return client.newCall(r.build()).execute();
  }

  private static JsonNode json(Response r) throws IOException {
    return OpenAiWire.JSON.readTree(r.body().string());
  }

  private String scrape(String... headers) throws IOException {
    Request.Builder r = new Request.Builder().url(url("/metrics"));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    try (Response metrics = client.newCall(r.build()).execute()) {
      assertThat(metrics.code()).isEqualTo(200);
      assertThat(metrics.header("Content-Type")).startsWith("text/plain; version=0.0.4");
      return metrics.body().string();
    }
  }

  /**
   * The value of the sample {@code name} whose labels include every one of {@code labels} ({@code key="value"}), or
   * NaN when there is none.
   */
  private static double sample(String text, String name, String... labels) {
    for (String line : text.lines().toList()) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  // ---- /metrics ----

  @Test
  void metrics_afterTraffic_reportRouterAndServerMeters() throws Exception {
    server = serverBuilder(b -> b).start();
    weakEndpoint.answers("one", 100, 200).answers("two", 100, 200);
    try (Response a = post(HI); Response b = post(HI)) {
      assertThat(a.code()).isEqualTo(200);
      assertThat(b.code()).isEqualTo(200);
    }
    try (Response bad = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":\" \"}]}")) {
      assertThat(bad.code()).isEqualTo(400);
    }

    String text = scrape();

    assertThat(sample(text, "routellm_requests_total", "router=\"random\"", "model=\"weak-model\"",
        "outcome=\"success\"")).isEqualTo(2.0);
    assertThat(sample(text, "routellm_decisions_total", "model=\"weak-model\"", "rule=\"threshold\""))
        .isEqualTo(2.0);
    assertThat(sample(text, "routellm_cost_dollars_total", "model=\"weak-model\""))
        .isCloseTo(2 * (100 * 0.5 + 200 * 1.0) / 1e6, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(sample(text, "routellm_tokens_total", "model=\"weak-model\"", "type=\"output\"")).isEqualTo(400.0);
    assertThat(sample(text, "routellm_breaker_state", "model=\"weak-model\"", "state=\"closed\"")).isEqualTo(1.0);
    assertThat(sample(text, "routellm_breaker_state", "model=\"strong-model\"", "state=\"open\"")).isEqualTo(0.0);
    assertThat(sample(text, "routellm_server_failures_total", "status=\"400\"", "kind=\"invalid_request_error\""))
        .isEqualTo(1.0);
    assertThat(sample(text, "routellm_server_requests_in_flight")).isEqualTo(0.0);
    assertThat(sample(text, "routellm_server_disconnects_total")).isEqualTo(0.0);
  }

  @Test
  void metrics_everySlotTakenByAHangingUpstream_stillAnswerAndCountTheRefusal() throws Exception {
    server = serverBuilder(b -> b).maxConcurrent(1).start();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch arrived = new CountDownLatch(1);
    weakEndpoint.server().setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        arrived.countDown();
        release.await(30, TimeUnit.SECONDS);
        return new MockResponse.Builder().code(503).build();
      }
    });
    Call hanging = client.newCall(new Request.Builder().url(url("/v1/chat/completions"))
        .post(RequestBody.create(HI, JSON)).build());
    hanging.enqueue(new okhttp3.Callback() {
      @Override
      public void onFailure(Call call, IOException e) {}

      @Override
      public void onResponse(Call call, Response response) {
        response.close();
      }
    });
    try {
      assertThat(arrived.await(30, TimeUnit.SECONDS)).isTrue();
      try (Response busy = post(HI)) {
        assertThat(busy.code()).isEqualTo(503);
      }

      String text = scrape();

      assertThat(sample(text, "routellm_server_requests_in_flight")).isEqualTo(1.0);
      assertThat(sample(text, "routellm_server_rejected_total", "reason=\"busy\"")).isEqualTo(1.0);
    } finally {
      release.countDown();
      hanging.cancel();
    }
  }

  @Test
  void metrics_keyedServer_needTheKey() throws Exception {
    server = serverBuilder(b -> b).apiKey("sk-server-1").start();
    try (Response r = client.newCall(new Request.Builder().url(url("/metrics")).build()).execute()) {
      assertThat(r.code()).isEqualTo(401);
    }
    assertThat(scrape("Authorization", "Bearer sk-server-1")).contains("routellm_server_requests_in_flight");
  }

  // ---- spend limits per tenant ----

  @Test
  void spendLimit_tenantOverItsDailyLimit_gets429NamingTheLimitWhileAnotherTenantIsServed() throws Exception {
    // The weak model's estimate for "hi" is about $0.000265 (264 expected answer tokens at $1 per million); a call
    // costs $0.00025 (100 in, 200 out): one call fits a $0.0003 day, a second does not.
    SpendLimiter limits = SpendLimiter.builder().tenantDailyLimit(0.0003).build();
    server = serverBuilder(b -> b.spendLimiter(limits)).apiKey("sk-acme-secret", "acme")
        .apiKey("sk-beta-secret", "beta").start();
    weakEndpoint.answers("one", 100, 200).answers("two", 100, 200);

    try (Response first = post(HI, "Authorization", "Bearer sk-acme-secret")) {
      assertThat(first.code()).isEqualTo(200);
    }
    try (Response second = post(HI, "Authorization", "Bearer sk-acme-secret")) {
      assertThat(second.code()).isEqualTo(429);
      JsonNode error = json(second).get("error");
      assertThat(error.get("type").asString()).isEqualTo("insufficient_quota");
      assertThat(error.get("code").asString()).isEqualTo("budget_exceeded");
      assertThat(error.get("message").asString()).startsWith("daily limit of tenant 'acme' ($0.0003) for ")
          .contains("$0.00025 spent").doesNotContain("sk-acme");
    }
    try (Response other = post(HI, "Authorization", "Bearer sk-beta-secret")) {
      assertThat(other.code()).as("another tenant's budget").isEqualTo(200);
    }

    assertThat(weakEndpoint.server().getRequestCount()).as("the refused request called no model").isEqualTo(2);
    assertThat(limits.spend("acme").spent()).isEqualTo(0.00025);
    assertThat(log).anySatisfy(line -> assertThat(line).contains("tenant=acme", " 429 "));
    assertThat(String.join("\n", log)).doesNotContain("sk-acme-secret", "sk-beta-secret");
    assertThat(sample(scrape("Authorization", "Bearer sk-beta-secret"), "routellm_server_failures_total",
        "status=\"429\"", "kind=\"budget_exceeded\"")).isEqualTo(1.0);
  }

  @Test
  void spendLimit_storeFails_gets503WithoutTheStoresAddress() throws Exception {
    SpendStore broken = new SpendStore() {
      @Override
      public Grant reserve(List<Account> accounts, String id, long amount, Instant now, Instant expiresAt,
          Instant keepUntil) {
        throw new IllegalStateException("connection refused: redis 10.0.0.5:6379");
      }

      @Override
      public void settle(List<String> keys, String id, long actual) {}

      @Override
      public void release(List<String> keys, String id) {}

      @Override
      public Balance balance(String key, Instant now) {
        return new Balance(0, 0);
      }

      @Override
      public void close() {}
    };
    SpendLimiter limits = SpendLimiter.builder().store(broken).dailyLimit(10).build();
    server = serverBuilder(b -> b.spendLimiter(limits)).start();

    try (Response r = post(HI)) {
      assertThat(r.code()).isEqualTo(503);
      JsonNode error = json(r).get("error");
      assertThat(error.get("code").asString()).isEqualTo("spend_store_unavailable");
      assertThat(error.get("message").asString()).contains("spend limits").doesNotContain("10.0.0.5");
    }
    assertThat(weakEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void apiKeys_sameKeyForTwoTenants_isRefused() {
    RoutingServer.Builder b = RoutingServer.builder().apiKey("k-1", "acme");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.apiKey("k-1", "beta"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the same key is given for tenants 'acme' and 'beta'; each tenant needs its own key");
  }

  // ---- per-request limits from headers ----

  @Test
  void headers_allowedModels_keepTheRequestOffTheChosenModelAndAreNotForwarded() throws Exception {
    server = serverBuilder(b -> b).start();
    weakEndpoint.answers("cheap", 10, 2);

    try (Response r = post("{\"model\":\"router-random-0.0\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "x-routellm-allowed-models", "weak-model", "x-routellm-max-cost", "0.01")) {
      assertThat(r.code()).isEqualTo(200);
      JsonNode body = json(r);
      assertThat(body.at("/routing/answered_by").asString()).isEqualTo("weak-model");
      assertThat(body.at("/routing/candidates")).anySatisfy(c -> {
        assertThat(c.get("model").asString()).isEqualTo("strong-model");
        assertThat(c.get("excluded").asString()).contains("not among the request's allowed models");
      });
    }
    RecordedRequest upstream = weakEndpoint.server().takeRequest();
    assertThat(upstream.getHeaders().names()).noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT)
        .startsWith("x-routellm"));
    assertThat(upstream.getBody().utf8()).doesNotContain("routellm");
    assertThat(strongEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void headers_maxCostNoModelAffords_get400NamingEachModelAndTheLimit() throws Exception {
    server = serverBuilder(b -> b).start();

    try (Response r = post(HI, "x-routellm-max-cost", "0.000000001")) {
      assertThat(r.code()).isEqualTo(400);
      JsonNode error = json(r).get("error");
      assertThat(error.get("code").asString()).isEqualTo("no_eligible_model");
      assertThat(error.get("message").asString()).startsWith("no model can serve this request: ")
          .contains("strong-model: ", "weak-model: ", "$0.000000001");
    }
    assertThat(weakEndpoint.server().getRequestCount() + strongEndpoint.server().getRequestCount()).isZero();
  }

  @Test
  void headers_malformed_get400NamingTheHeader() throws Exception {
    server = serverBuilder(b -> b).start();
    Map<String, String> cases = Map.of(
        "x-routellm-max-cost", "lots",
        "x-routellm-allowed-models", "gpt-5",
        "x-routellm-require", "telepathy");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      try (Response r = post(HI, c.getKey(), c.getValue())) {
        assertThat(r.code()).as(c.getKey()).isEqualTo(400);
        JsonNode error = json(r).get("error");
        assertThat(error.get("param").asString()).isEqualTo(c.getKey());
        assertThat(error.get("message").asString()).contains(c.getKey());
      }
    }
    try (Response r = post(HI, "x-routellm-allowed-models", "gpt-5")) {
      assertThat(json(r).at("/error/message").asString()).isEqualTo("header x-routellm-allowed-models names [gpt-5],"
          + " not models of router 'random', whose models are [strong-model, weak-model]");
    }
  }

  @Test
  void emptyPrompt_gets400NamingTheMessageContent() throws Exception {
    server = serverBuilder(b -> b).start();

    try (Response r = post("{\"model\":\"router-random\",\"messages\":[{\"role\":\"system\",\"content\":\"Be"
        + " brief.\"},{\"role\":\"user\",\"content\":\"  \\n\"}]}")) {
      assertThat(r.code()).isEqualTo(400);
      JsonNode error = json(r).get("error");
      assertThat(error.get("param").asString()).isEqualTo("messages[1].content");
      assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
      assertThat(error.get("message").asString()).contains("'messages[1].content' is empty or whitespace only");
    }
  }

  @Test
  void spendLimit_twoReplicasOnOneRedis_shareTheDailyLimit() throws Exception {
    try (dev.routellm.examples.RedisProcess redis = dev.routellm.examples.RedisProcess.start();
        dev.routellm.budget.RedisSpendStore storeA = dev.routellm.budget.RedisSpendStore.connect(redis.uri());
        dev.routellm.budget.RedisSpendStore storeB = dev.routellm.budget.RedisSpendStore.connect(redis.uri())) {
      SpendLimiter limitsA = SpendLimiter.builder().store(storeA).dailyLimit(0.0003).build();
      SpendLimiter limitsB = SpendLimiter.builder().store(storeB).dailyLimit(0.0003).build();
      server = serverBuilder(b -> b.spendLimiter(limitsA)).start();
      weakEndpoint.answers("one", 100, 200);
      try (RoutingServer replica = serverBuilder(b -> b.spendLimiter(limitsB)).start()) {
        try (Response first = post(HI)) {
          assertThat(first.code()).isEqualTo(200);
        }

        try (Response second = client.newCall(new Request.Builder()
            .url("http://127.0.0.1:" + replica.port() + "/v1/chat/completions")
            .post(RequestBody.create(HI, JSON)).build()).execute()) {
          assertThat(second.code()).as("the other replica sees the first one's spending").isEqualTo(429);
          assertThat(json(second).at("/error/message").asString())
              .startsWith("daily limit of all tenants together ($0.0003) for ").contains("$0.00025 spent");
        }
      }
      assertThat(limitsB.spendOfAll().spent()).isEqualTo(0.00025);
      assertThat(weakEndpoint.server().getRequestCount()).isEqualTo(1);
    }
  }
}
