package dev.routellm.backend;

import static dev.routellm.backend.Fixtures.completion;
import static dev.routellm.backend.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.BackendException.Kind;
import dev.routellm.RetriableBackendException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream answering far more than the limit (the 300 MB answer, scaled down with the limit) through a
 * real router over loopback: the other model answers, or the request fails with a clear error and is counted as
 * failed, and nothing runs out of memory.
 */
class OversizedAnswerThroughRouterTest {
  private final MockWebServer strongServer = new MockWebServer();
  private final MockWebServer weakServer = new MockWebServer();
  private OpenAiBackend strong;
  private OpenAiBackend weak;
  private Router router;

  @BeforeEach
  void start() throws Exception {
    strongServer.start();
    weakServer.start();
    strong = backend("strong", strongServer);
    weak = backend("weak", weakServer);
    WinRatePredictor alwaysStrong =
        new WinRatePredictor() {
          @Override
          public String name() {
            return "always-strong";
          }

          @Override
          public double score(String prompt) {
            return 1.0;
          }
        };
    router =
        Router.builder()
            .strong(strong)
            .weak(weak)
            .predictor(alwaysStrong)
            .threshold(0.5)
            .costModel(CostModel.builder().price("strong", 2.5, 10).price("weak", 0.15, 0.6).build())
            .build();
  }

  private static OpenAiBackend backend(String name, MockWebServer server) {
    return OpenAiBackend.builder()
        .baseUrl(server.url("/v1").toString())
        .model(name)
        .noApiKey()
        .readTimeout(Duration.ofSeconds(10))
        .maxResponseBytes(1 << 20)
        .retryScheduler(new FakeRetryScheduler())
        .build();
  }

  @AfterEach
  void stop() {
    strong.close();
    weak.close();
    strongServer.close();
    weakServer.close();
  }

  private static MockResponse huge() {
    return new MockResponse.Builder()
        .setHeader("Content-Type", "application/json")
        .chunkedBody(completion("x".repeat(8 << 20)), 64 << 10)
        .build();
  }

  @Test
  void chat_oversizedAnswer_fallsBackToTheOtherModel() {
    strongServer.enqueue(huge());
    weakServer.enqueue(json(completion("small answer")));

    RoutedResponse routed = router.chat(ChatRequest.of("Hi"));

    assertThat(routed.response().text()).isEqualTo("small answer");
    assertThat(routed.answeredBy()).isEqualTo("weak");
    assertThat(routed.fellBack()).isTrue();
    assertThat(strongServer.getRequestCount()).as("an oversized answer is not fetched again").isEqualTo(1);
    assertThat(router.costs().requests()).isEqualTo(1);
  }

  @Test
  void chat_bothOversized_failsNamingModelAndLimitAndCountsAsFailed() {
    strongServer.enqueue(huge());
    weakServer.enqueue(huge());

    assertThatThrownBy(() -> router.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class, e -> assertThat(e.kind()).isEqualTo(Kind.ANSWER_TOO_LARGE))
        .hasMessageContaining("model 'weak'")
        .hasMessageContaining("the answer exceeded the limit of 1 MiB (maxResponseBytes)");
    assertThat(router.costs().failedRequests()).isEqualTo(1);
    assertThat(router.costs().requests()).isZero();
  }
}
