package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.cost.CostModel;
import dev.routellm.prediction.WinRatePredictor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cancelling the future of {@link Router#chatAsync} cancels the HTTP call in flight, so that an abandoned request
 * stops being billed. The server holds its answer until the test lets it go, so the call is surely in flight.
 */
class CancellationOverHttpTest {
  private static final CostModel PRICES = CostModel.builder().price("big", 1, 1).price("small", 1, 1).build();

  private final MockWebServer server = new MockWebServer();
  private final CountDownLatch arrived = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private RecordingBackend strong;
  private RecordingBackend weak;

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            arrived.countDown();
            release.await();
            return new MockResponse.Builder().code(500).body("too late").build();
          }
        });
    server.start();
    strong = new RecordingBackend(backend("big"));
    weak = new RecordingBackend(backend("small"));
  }

  @AfterEach
  void stop() {
    release.countDown();
    strong.close();
    weak.close();
    server.close();
  }

  private OpenAiBackend backend(String model) {
    return OpenAiBackend.builder()
        .baseUrl(server.url("/v1").toString())
        .noApiKey()
        .model(model)
        .callTimeout(Duration.ofMinutes(1))
        .build();
  }

  @Test
  void predictive_chatAsyncCancelled_cancelsTheHttpCall() throws Exception {
    Router router =
        Router.builder().strong(strong).weak(weak).predictor(fixed(0.9)).threshold(0.5).costModel(PRICES).build();

    assertCancelPropagates(router.chatAsync(ChatRequest.of("q")), strong);
    assertThat(weak.call).isNotDone();
  }

  @Test
  void cascade_chatAsyncCancelled_cancelsTheWeakHttpCall() throws Exception {
    Router router =
        Router.builder().strong(strong).weak(weak).cascade(ConfidenceModel.alamere()).threshold(0.8)
            .costModel(PRICES).build();

    assertCancelPropagates(router.chatAsync(ChatRequest.of("q")), weak);
    assertThat(strong.call).isNotDone();
  }

  private void assertCancelPropagates(CompletableFuture<RoutedResponse> routed, RecordingBackend called)
      throws Exception {
    assertThat(arrived.await(10, TimeUnit.SECONDS)).as("the request reached the server").isTrue();
    CompletableFuture<ChatResponse> call = called.call.get(10, TimeUnit.SECONDS);
    assertThat(call).isNotDone();

    assertThat(routed.cancel(true)).isTrue();

    assertThat(call.isCancelled()).as("the backend's future, and with it the HTTP call, is cancelled").isTrue();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  private static WinRatePredictor fixed(double value) {
    return new WinRatePredictor() {
      @Override
      public String name() {
        return "fixed";
      }

      @Override
      public double score(String prompt) {
        return value;
      }
    };
  }

  /** Delegates to an HTTP backend and shows the test the future of its asynchronous call. */
  private static final class RecordingBackend implements ModelBackend {
    private final OpenAiBackend delegate;
    final CompletableFuture<CompletableFuture<ChatResponse>> call = new CompletableFuture<>();

    RecordingBackend(OpenAiBackend delegate) {
      this.delegate = delegate;
    }

    @Override
    public String model() {
      return delegate.model();
    }

    @Override
    public Capabilities capabilities() {
      return delegate.capabilities();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      return delegate.chat(request);
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      CompletableFuture<ChatResponse> f = delegate.chatAsync(request);
      call.complete(f);
      return f;
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      return delegate.stream(request, listener);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
