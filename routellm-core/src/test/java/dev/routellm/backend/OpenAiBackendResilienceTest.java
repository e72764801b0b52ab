package dev.routellm.backend;

import static dev.routellm.backend.Fixtures.completion;
import static dev.routellm.backend.Fixtures.eventStream;
import static dev.routellm.backend.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.BackendException;
import dev.routellm.BackendException.Kind;
import dev.routellm.RetriableBackendException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad answers, oversized answers, deadlines and cancellation, over real HTTP on loopback. */
class OpenAiBackendResilienceTest {
  private final MockWebServer server = new MockWebServer();
  private final FakeRetryScheduler scheduler = new FakeRetryScheduler();
  private final List<String> deltas = new ArrayList<>();
  private OpenAiBackend backend;

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    if (backend != null) {
      backend.close();
    }
    server.close();
  }

  private OpenAiBackend.Builder builder() {
    return OpenAiBackend.builder()
        .baseUrl(server.url("/v1").toString())
        .model("gpt-4o-mini")
        .noApiKey()
        .readTimeout(Duration.ofSeconds(10))
        .retryScheduler(scheduler);
  }

  private static String chunk(String content) {
    return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}\n\n";
  }

  private static final String DONE = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
      + "data: [DONE]\n\n";

  // ---- bounded answers ----

  @Test
  void chat_answerOverTheLimitByContentLength_failsAtOnceNamingModelAndLimit() {
    server.enqueue(json(completion("x".repeat(5_000))));
    backend = builder().maxResponseBytes(1_000).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class, e -> assertThat(e.kind()).isEqualTo(Kind.ANSWER_TOO_LARGE))
        .hasMessageStartingWith("model 'gpt-4o-mini' at " + server.url("/v1/chat/completions") + ": the answer is ")
        .hasMessageEndingWith("bytes (Content-Length), over the limit of 1000 bytes (maxResponseBytes)");
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(scheduler.waits()).isEmpty();
  }

  @Test
  void chat_chunkedAnswerOverTheLimit_failsWhileReadingAndIsNotFetchedAgain() {
    server.enqueue(
        new MockResponse.Builder()
            .setHeader("Content-Type", "application/json")
            .chunkedBody(completion("y".repeat(200_000)), 4_096)
            .build());
    backend = builder().maxResponseBytes(64 << 10).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class, e -> assertThat(e.kind()).isEqualTo(Kind.ANSWER_TOO_LARGE))
        .hasMessageEndingWith(": the answer exceeded the limit of 64 KiB (maxResponseBytes)");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void chat_answerJustUnderTheLimit_isRead() {
    String body = completion("fits");
    server.enqueue(json(body));
    backend = builder().maxResponseBytes(body.length()).build();

    assertThat(backend.chat(ChatRequest.of("Hi")).text()).isEqualTo("fits");
  }

  @Test
  void stream_hugeFirstLineBeforeAnyText_failsTooLargeWithoutRetry() {
    server.enqueue(
        new MockResponse.Builder()
            .setHeader("Content-Type", "text/event-stream")
            .chunkedBody("data: " + "z".repeat(300_000) + "\n\n", 8_192)
            .build());
    backend = builder().maxResponseBytes(100_000).build();

    assertThatThrownBy(() -> backend.stream(ChatRequest.of("Hi"), deltas::add))
        .isInstanceOfSatisfying(
            RetriableBackendException.class, e -> assertThat(e.kind()).isEqualTo(Kind.ANSWER_TOO_LARGE))
        .hasMessageContaining("the answer exceeded the limit of 100000 bytes (maxResponseBytes)");
    assertThat(deltas).isEmpty();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void stream_overTheLimitAfterText_isAStreamCutNamingTheLimit() {
    StringBuilder sse = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      sse.append(chunk("word "));
    }
    server.enqueue(
        new MockResponse.Builder()
            .setHeader("Content-Type", "text/event-stream")
            .chunkedBody(sse + DONE, 4_096)
            .build());
    backend = builder().maxResponseBytes(32 << 10).build();

    assertThatThrownBy(() -> backend.stream(ChatRequest.of("Hi"), deltas::add))
        .isInstanceOfSatisfying(
            RetriableBackendException.class, e -> assertThat(e.kind()).isEqualTo(Kind.STREAM_CUT))
        .hasMessageContaining("the stream broke after ")
        .hasMessageContaining("the answer exceeded the limit of 32 KiB (maxResponseBytes)");
    assertThat(deltas).isNotEmpty().hasSizeLessThan(2_000);
  }

  // ---- garbage in streams ----

  @Test
  void stream_brokenBeforeAnyText_isRetriedAndAnswers() {
    server.enqueue(eventStream("data: {\"choices\": [ oops\n\n"));
    server.enqueue(eventStream(": keep-alive\n\n")); // closed without [DONE] or a finish_reason: incomplete
    server.enqueue(eventStream(chunk("Hello") + DONE));
    backend = builder().build();

    ChatResponse r = backend.stream(ChatRequest.of("Hi"), deltas::add);

    assertThat(r.text()).isEqualTo("Hello");
    assertThat(deltas).containsExactly("Hello");
    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(scheduler.waits()).hasSize(2);
  }

  @Test
  void stream_incompleteEveryTime_isARetriableMalformedAnswer() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(eventStream(": nothing\n\n"));
    }
    backend = builder().build();

    assertThatThrownBy(() -> backend.stream(ChatRequest.of("Hi"), deltas::add))
        .isInstanceOfSatisfying(
            RetriableBackendException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED_ANSWER))
        .hasMessageContaining("the server closed it without [DONE] or a finish_reason")
        .hasMessageContaining("(gave up after 3 attempts in ");
  }

  @Test
  void stream_cutAfterText_isAStreamCutAndNotRetried() {
    server.enqueue(
        new MockResponse.Builder()
            .setHeader("Content-Type", "text/event-stream")
            .body(chunk("Once upon") + chunk(" a time"))
            .setHeader("Content-Length", 100_000)
            .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    backend = builder().build();

    assertThatThrownBy(() -> backend.stream(ChatRequest.of("Hi"), deltas::add))
        .isInstanceOfSatisfying(
            RetriableBackendException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.STREAM_CUT);
              assertThat(e.getMessage()).contains("the stream broke after 2 chunks (16 characters of text)");
            });
    assertThat(deltas).containsExactly("Once upon", " a time");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void stream_listenerThrowingABackendException_isPassedOnAsItIs() {
    server.enqueue(eventStream(chunk("a") + DONE));
    backend = builder().build();
    RetriableBackendException own = new RetriableBackendException("other", 0, "the caller's own", null);

    assertThatThrownBy(() -> backend.stream(ChatRequest.of("Hi"), d -> {
          throw own;
        }))
        .isSameAs(own);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  // ---- deadlines ----

  @Test
  void streamWithTimeout_serverThatNeverAnswers_failsWithinTheDeadlineNamingIt() {
    server.enqueue(new MockResponse.Builder().onRequestStart(SocketEffect.Stall.INSTANCE).build());
    backend = builder().readTimeout(Duration.ofSeconds(30)).retryPolicy(RetryPolicy.builder().jitter(0).build()).build();

    assertThatThrownBy(() -> backend.stream(ChatRequest.of("Hi"), deltas::add, Duration.ofMillis(300)))
        .isInstanceOfSatisfying(
            RetriableBackendException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT))
        .hasMessageEndingWith(
            ": the call did not finish within 300 ms (the whole-call timeout, cut to what was left of the caller's"
                + " deadline of 300 ms) (gave up after 1 attempt: waiting 500 ms would pass the caller's deadline of"
                + " 300 ms)");
  }

  @Test
  void chatWithTimeout_serverThatNeverAnswers_failsWithinTheDeadlineNamingIt() {
    server.enqueue(new MockResponse.Builder().onRequestStart(SocketEffect.Stall.INSTANCE).build());
    backend = builder().readTimeout(Duration.ofSeconds(30)).retryPolicy(RetryPolicy.builder().jitter(0).build()).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi"), Duration.ofMillis(300)))
        .isInstanceOfSatisfying(
            RetriableBackendException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT))
        .hasMessageEndingWith(
            ": the call did not finish within 300 ms (the whole-call timeout, cut to what was left of the caller's"
                + " deadline of 300 ms) (gave up after 1 attempt: waiting 500 ms would pass the caller's deadline of"
                + " 300 ms)");
  }

  @Test
  void chatWithTimeout_answerInTime_isReturned() {
    server.enqueue(json(completion("in time")));
    backend = builder().build();

    assertThat(backend.chat(ChatRequest.of("Hi"), Duration.ofSeconds(5)).text()).isEqualTo("in time");
  }

  @Test
  void defaultChatWithTimeout_noAnswer_cancelsTheCallAndFailsAsATimeout() {
    CompletableFuture<ChatResponse> never = new CompletableFuture<>();
    ModelBackend silent = new SilentBackend(never);

    assertThatThrownBy(() -> silent.chat(ChatRequest.of("Hi"), Duration.ofMillis(20)))
        .isInstanceOfSatisfying(
            RetriableBackendException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT))
        .hasMessage("model 'silent' gave no answer within 20 ms");
    assertThat(never).isCancelled();
  }

  /** A backend whose asynchronous calls return a future the test holds. */
  private record SilentBackend(CompletableFuture<ChatResponse> future) implements ModelBackend {
    @Override
    public String model() {
      return "silent";
    }

    @Override
    public dev.routellm.chat.Capabilities capabilities() {
      return dev.routellm.chat.Capabilities.ALL;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      return future;
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  @Test
  void streamWithTimeout_retriesOnlyWhileTheDeadlineAllows() {
    server.enqueue(json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
    server.enqueue(json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
    server.enqueue(eventStream(chunk("late") + DONE));
    backend = builder().retryPolicy(RetryPolicy.builder().jitter(0).build()).build();

    // 500 ms before the first retry fits in 1.2 s; 1 s more before the second would not.
    assertThatThrownBy(() -> backend.stream(ChatRequest.of("Hi"), deltas::add, Duration.ofMillis(1_200)))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageEndingWith(
            "HTTP 503: overloaded (gave up after 2 attempts: waiting 1 s would pass the caller's deadline of 1.2 s)");
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(scheduler.waits()).containsExactly(Duration.ofMillis(500));
  }

  @Test
  void streamWithTimeout_longerThanTheRetryBudget_keepsTheRetryBudget() {
    server.enqueue(eventStream(chunk("ok") + DONE));
    backend = builder().build();

    ChatResponse r = backend.stream(ChatRequest.of("Hi"), deltas::add, Duration.ofDays(1));

    assertThat(r.text()).isEqualTo("ok");
  }

  @Test
  void streamWithTimeout_zeroOrNegative_isRejected() {
    backend = builder().build();

    assertThatThrownBy(() -> backend.stream(ChatRequest.of("Hi"), deltas::add, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be > 0 but was PT0S");
  }

  @Test
  void defaultStreamWithTimeout_delegatesToStream() {
    List<Object> calls = new ArrayList<>();
    ModelBackend plain =
        new ModelBackend() {
          @Override
          public String model() {
            return "plain";
          }

          @Override
          public dev.routellm.chat.Capabilities capabilities() {
            return dev.routellm.chat.Capabilities.ALL;
          }

          @Override
          public ChatResponse chat(ChatRequest request) {
            throw new UnsupportedOperationException();
          }

          @Override
          public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
            throw new UnsupportedOperationException();
          }

          @Override
          public ChatResponse stream(ChatRequest request, StreamListener listener) {
            calls.add(request);
            listener.onText("x");
            return ChatResponse.builder().text("x").model("plain").usage(dev.routellm.chat.Usage.of(1, 1)).build();
          }

          @Override
          public void close() {}
        };
    ChatRequest request = ChatRequest.of("Hi");

    ChatResponse r = plain.stream(request, deltas::add, Duration.ofSeconds(1));

    assertThat(r.text()).isEqualTo("x");
    assertThat(calls).containsExactly(request);
  }

  // ---- asynchronous calls leave nothing running ----

  @Test
  void chatAsync_orTimeout_cancelsTheCallInFlight() throws Exception {
    server.enqueue(new MockResponse.Builder().onRequestStart(SocketEffect.Stall.INSTANCE).build());
    CountDownLatch canceled = new CountDownLatch(1);
    OkHttpClient client = clientSignalling(canceled);
    backend = builder().httpClient(client).readTimeout(Duration.ofSeconds(30)).build();

    CompletableFuture<ChatResponse> future =
        backend.chatAsync(ChatRequest.of("Hi")).orTimeout(200, TimeUnit.MILLISECONDS);

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class);
    assertThat(canceled.await(10, TimeUnit.SECONDS)).as("the HTTP call was cancelled").isTrue();
    assertThat(server.getRequestCount()).isEqualTo(1);
    client.dispatcher().executorService().shutdown();
  }

  @Test
  void chatAsync_cancelledWhileWaitingToRetry_startsNoOtherAttempt() throws Exception {
    server.enqueue(json(503, "{}"));
    server.enqueue(json(completion("too late")));
    DeferredScheduler deferred = new DeferredScheduler();
    backend = builder().retryScheduler(deferred).build();

    CompletableFuture<ChatResponse> future = backend.chatAsync(ChatRequest.of("Hi"));
    Runnable retry = deferred.next.get(10, TimeUnit.SECONDS);
    future.cancel(true);
    retry.run();

    assertThat(future).isCancelled();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void chatAsync_answered_doesNotCancelItsOwnCall() throws Exception {
    server.enqueue(json(completion("fine")));
    CountDownLatch canceled = new CountDownLatch(1);
    OkHttpClient client = clientSignalling(canceled);
    backend = builder().httpClient(client).build();

    assertThat(backend.chatAsync(ChatRequest.of("Hi")).get(10, TimeUnit.SECONDS).text()).isEqualTo("fine");
    assertThat(canceled.getCount()).isEqualTo(1);
    client.dispatcher().executorService().shutdown();
  }

  private static OkHttpClient clientSignalling(CountDownLatch canceled) {
    return new OkHttpClient.Builder()
        .eventListener(
            new EventListener() {
              @Override
              public void canceled(Call call) {
                canceled.countDown();
              }
            })
        .build();
  }

  /** Hands scheduled retries to the test instead of running them. */
  private static final class DeferredScheduler implements RetryScheduler {
    final CompletableFuture<Runnable> next = new CompletableFuture<>();

    @Override
    public long nanoTime() {
      return 0;
    }

    @Override
    public void sleep(Duration delay) {}

    @Override
    public void schedule(Duration delay, Runnable task) {
      next.complete(task);
    }
  }

  @Test
  void backendException_kindDefaultsFromTheStatus() {
    assertThat(new RetriableBackendException("m", 503, "x", null).kind()).isEqualTo(Kind.HTTP_STATUS);
    assertThat(new RetriableBackendException("m", 0, "x", null).kind()).isEqualTo(Kind.OTHER);
    BackendException e = new dev.routellm.NonRetriableBackendException("m", 0, "x", null, Kind.MALFORMED_ANSWER);
    assertThat(e.kind()).isEqualTo(Kind.MALFORMED_ANSWER);
  }
}
