package dev.routellm.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.RouteLlmException;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.backend.RetryPolicy;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.labelling.PromptFiles;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The traffic log on a real router calling loopback HTTP models. */
class TrafficLogTest {
  static final String KEY = "sk-test-secret-key-12345";
  static final CostModel PRICES = CostModel.builder().price("big", 10, 30).price("small", 1, 1).build();
  /** Prompts saying "hard" go to the big model. */
  static final WinRatePredictor BY_TEXT = new WinRatePredictor() {
    @Override
    public String name() {
      return "by-text";
    }

    @Override
    public double score(String prompt) {
      return prompt.contains("hard") ? 0.9 : 0.1;
    }
  };

  @TempDir Path dir;
  final MockWebServer server = new MockWebServer();
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        JsonNode body = JsonMapper.builder().build().readTree(request.getBody().utf8());
        String model = body.path("model").asString();
        if (body.toString().contains("FAIL")) {
          return new MockResponse.Builder().code(400).setHeader("Content-Type", "application/json")
              .body("{\"error\":{\"message\":\"bad request\",\"type\":\"invalid_request_error\"}}").build();
        }
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
            .body("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\",\"choices\":"
                + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":20,\"total_tokens\":30}}")
            .build();
      }
    });
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    server.close();
  }

  Router router(TrafficLog log) {
    OpenAiBackend big = OpenAiBackend.builder().baseUrl(server.url("/v1").toString()).model("big").apiKey(KEY)
        .retryPolicy(RetryPolicy.none()).build();
    OpenAiBackend small = OpenAiBackend.builder().baseUrl(server.url("/v1").toString()).model("small").apiKey(KEY)
        .retryPolicy(RetryPolicy.none()).build();
    open.add(big);
    open.add(small);
    return Router.builder().strong(big).weak(small).predictor(BY_TEXT).threshold(0.5).costModel(PRICES)
        .listener(log).build();
  }

  TrafficLog.Builder log() {
    return TrafficLog.builder().file(dir.resolve("traffic.jsonl"))
        .clock(Clock.fixed(Instant.parse("2026-01-05T10:00:00Z"), ZoneOffset.UTC));
  }

  List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      out.add(JsonMapper.builder().build().readTree(l));
    }
    return out;
  }

  @Test
  void onResponse_writesOneLinePerRequestWithDecisionTokensCostAndLatency() throws Exception {
    long[] now = {0};
    TrafficLog log = log().nanoTime(() -> now[0] += 5_000_000).build();
    Router router = router(log);

    router.chat(ChatRequest.builder().system("be brief").user("a hard question").extra("user", "alice").build());
    router.chat(ChatRequest.of("hello"));
    assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
    log.close();

    List<JsonNode> lines = lines(dir.resolve("traffic.jsonl"));
    assertThat(lines).hasSize(2);
    JsonNode first = lines.get(0);
    assertThat(first.get("time").asString()).isEqualTo("2026-01-05T10:00:00Z");
    assertThat(first.get("prompt").asString()).isEqualTo("a hard question");
    assertThat(first.get("messages").asInt()).isEqualTo(2);
    assertThat(first.get("model").asString()).isEqualTo("big");
    assertThat(first.get("outcome").asString()).isEqualTo("answered");
    assertThat(first.get("decision").get("score").asDouble()).isEqualTo(0.9);
    assertThat(first.get("decision").get("threshold").asDouble()).isEqualTo(0.5);
    assertThat(first.get("decision").get("router").asString()).isEqualTo("by-text");
    assertThat(first.get("input_tokens").asLong()).isEqualTo(10);
    assertThat(first.get("output_tokens").asLong()).isEqualTo(20);
    assertThat(first.get("cost").asDouble()).isCloseTo((10 * 10 + 20 * 30) / 1e6, within(1e-15));
    assertThat(first.get("calls").get(0).get("model").asString()).isEqualTo("big");
    assertThat(first.get("latency_ms").asDouble()).isGreaterThanOrEqualTo(5.0);
    assertThat(lines.get(1).get("model").asString()).isEqualTo("small");
    String text = Files.readString(dir.resolve("traffic.jsonl"));
    assertThat(text).doesNotContain(KEY).doesNotContain("alice").doesNotContain("be brief");
    assertThat(log.written()).isEqualTo(2);
    assertThat(log.dropped()).isZero();
    assertThat(PromptFiles.read(dir.resolve("traffic.jsonl")).prompts()).hasSize(2);
  }

  @Test
  void onFailure_writesTheDecisionAndTheError() throws Exception {
    TrafficLog log = log().build();
    Router router = router(log);

    assertThatThrownBy(() -> router.chat(ChatRequest.of("FAIL a hard one"))).isInstanceOf(RouteLlmException.class);
    log.close();

    JsonNode line = lines(dir.resolve("traffic.jsonl")).get(0);
    assertThat(line.get("outcome").asString()).isEqualTo("failed");
    assertThat(line.get("error").asString()).contains("bad request");
    assertThat(line.get("decision").get("model").asString()).isEqualTo("big");
    assertThat(line.has("cost")).isFalse();
  }

  @Test
  void hashPrompts_writesOnlyTheHash_andLabellingSkipsIt() throws Exception {
    TrafficLog log = log().hashPrompts().build();
    router(log).chat(ChatRequest.of("my secret plan"));
    log.close();

    String text = Files.readString(dir.resolve("traffic.jsonl"));
    assertThat(text).doesNotContain("secret").contains("\"prompt_sha256\":\"" + TrafficLog.sha256("my secret plan"));
    assertThatThrownBy(() -> PromptFiles.read(dir.resolve("traffic.jsonl")))
        .hasMessageContaining("holds only prompt hashes (1 lines)");
  }

  @Test
  void redact_writesWhatTheFunctionReturns() throws Exception {
    TrafficLog log = log().redact(t -> t.replaceAll("\\d{4}-\\d{4}", "[card]")).build();
    router(log).chat(ChatRequest.of("charge 1234-5678 now"));
    log.close();

    assertThat(lines(dir.resolve("traffic.jsonl")).get(0).get("prompt").asString()).isEqualTo("charge [card] now");
  }

  @Test
  void fullQueue_dropsAndCountsEvents_neverBlockingARequest() throws Exception {
    CountDownLatch writerStuck = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TrafficLog log = log().queueCapacity(2).redact(t -> {
      writerStuck.countDown();
      try {
        release.await(30, TimeUnit.SECONDS); // a slow redaction holds the writer
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return t;
    }).build();
    Router router = router(log);

    router.chat(ChatRequest.of("first"));
    assertThat(writerStuck.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 10; i++) {
      router.chat(ChatRequest.of("more " + i)); // returns although the log cannot keep up
    }
    assertThat(log.dropped()).isEqualTo(8);
    release.countDown();
    log.close();

    assertThat(log.written()).isEqualTo(3);
    assertThat(lines(dir.resolve("traffic.jsonl"))).extracting(n -> n.get("prompt").asString())
        .containsExactly("first", "more 0", "more 1");
  }

  @Test
  void redactionThatThrows_losesThatLineOnly() throws Exception {
    TrafficLog log = log().redact(t -> {
      if (t.contains("boom")) {
        throw new IllegalStateException("boom");
      }
      return t;
    }).build();
    Router router = router(log);
    router.chat(ChatRequest.of("boom"));
    router.chat(ChatRequest.of("fine"));
    log.close();

    assertThat(log.writeErrors()).isEqualTo(1);
    assertThat(lines(dir.resolve("traffic.jsonl"))).extracting(n -> n.get("prompt").asString())
        .containsExactly("fine");
  }

  @Test
  void maxBytes_rotatesAndKeepsMaxFiles() throws Exception {
    TrafficLog log = log().maxBytes(1024).maxFiles(3).build();
    Router router = router(log);
    for (int i = 0; i < 40; i++) {
      router.chat(ChatRequest.of("request number " + i));
    }
    log.close();

    Path current = dir.resolve("traffic.jsonl");
    List<Path> files = List.of(current, dir.resolve("traffic.jsonl.1"), dir.resolve("traffic.jsonl.2"));
    assertThat(files).allSatisfy(f -> assertThat(Files.size(f)).isLessThanOrEqualTo(1024));
    assertThat(dir.resolve("traffic.jsonl.3")).doesNotExist();
    assertThat(lines(current).get(lines(current).size() - 1).get("prompt").asString())
        .isEqualTo("request number 39");
    int kept = 0;
    for (Path f : files) {
      kept += lines(f).size();
    }
    assertThat(log.written()).isEqualTo(40);
    assertThat(kept).isLessThan(40);
    assertThat(lines(dir.resolve("traffic.jsonl.2")).get(0).get("prompt").asString())
        .isEqualTo("request number " + (40 - kept));
  }

  @Test
  void manyThreads_everyRequestLoggedOnce() throws Exception {
    TrafficLog log = log().build();
    Router router = router(log);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicLong n = new AtomicLong();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 25; i++) {
            router.chat(ChatRequest.of("same prompt")); // equal requests in flight are still distinct
            n.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    log.close();

    List<JsonNode> lines = lines(dir.resolve("traffic.jsonl"));
    assertThat(lines).hasSize(200);
    assertThat(lines).allSatisfy(l -> assertThat(l.get("decision").get("model").asString()).isEqualTo("small"));
  }

  @Test
  void closeTwice_andEventsAfterClose_areHarmlessAndCounted() throws Exception {
    TrafficLog log = log().build();
    Router router = router(log);
    log.close();
    log.close();
    router.chat(ChatRequest.of("after close"));
    assertThat(log.dropped()).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("traffic.jsonl"))).isEmpty();
  }

  @Test
  void builder_badValues_areRejected() {
    assertThatThrownBy(() -> TrafficLog.builder().maxBytes(10)).hasMessage("maxBytes must be >= 1024 but was 10");
    assertThatThrownBy(() -> TrafficLog.builder().maxFiles(0)).hasMessage("maxFiles must be >= 1 but was 0");
    assertThatThrownBy(() -> TrafficLog.builder().queueCapacity(0))
        .hasMessage("queueCapacity must be >= 1 but was 0");
    assertThatThrownBy(() -> TrafficLog.builder().build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> TrafficLog.builder().file(dir.resolve("missing/traffic.jsonl")).build())
        .hasMessageContaining("cannot open the traffic log");
  }
}
