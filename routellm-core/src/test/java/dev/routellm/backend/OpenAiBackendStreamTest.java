package dev.routellm.backend;

import static dev.routellm.backend.Fixtures.body;
import static dev.routellm.backend.Fixtures.completion;
import static dev.routellm.backend.Fixtures.eventStream;
import static dev.routellm.backend.Fixtures.json;
import static dev.routellm.backend.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.NonRetriableBackendException;
import dev.routellm.RetriableBackendException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenAiBackendStreamTest {
  private final MockWebServer server = new MockWebServer();
  private final FakeRetryScheduler scheduler = new FakeRetryScheduler();
  private final List<String> deltas = new ArrayList<>();
  private OpenAiBackend backend;

  @BeforeEach
  void start() throws Exception {
    server.start();
    backend = builder().build();
  }

  @AfterEach
  void stop() {
    backend.close();
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

  private String endpoint() {
    return server.url("/v1/chat/completions").toString();
  }

  private ChatResponse stream(ChatRequest request) {
    return backend.stream(request, deltas::add);
  }

  private static String chunk(String content) {
    return "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1737101000,"
        + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},"
        + "\"logprobs\":null,\"finish_reason\":null}]}\n\n";
  }

  @Test
  void stream_openAiWithUsageAndLogprobs_deliversDeltasAndAccumulatesEverything() throws Exception {
    server.enqueue(eventStream(resource("openai-stream-usage.sse")));

    ChatResponse r = stream(ChatRequest.builder().user("Capital of France?").topLogprobs(2).build());

    assertThat(deltas).containsExactly("The", " capital", " is Paris.");
    assertThat(r.text()).isEqualTo("The capital is Paris.");
    assertThat(r.id()).hasValue("chatcmpl-B1s");
    assertThat(r.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(r.finishReason()).hasValue("stop");
    assertThat(r.usage()).isEqualTo(Usage.of(12, 5));
    assertThat(r.hasLogprobs()).isTrue();
    assertThat(r.logprobs())
        .extracting(TokenLogprob::token)
        .containsExactly("The", " capital", " is", " Paris", ".");
    assertThat(r.logprobs()).extracting(TokenLogprob::logprob).containsExactly(-0.25, -0.5, -0.125, -9999.0, -0.0625);
    assertThat(r.logprobs().get(0).alternatives())
        .extracting(TokenLogprob.Alternative::token, TokenLogprob.Alternative::logprob)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("The", -0.25), org.assertj.core.groups.Tuple.tuple("A",
            -1.5));
    assertThat(r.logprobs().get(0).alternatives().get(0).bytes()).as("OpenAI's bytes, kept").containsExactly(84, 104,
        101);

    JsonNode sent = body(server.takeRequest(5, TimeUnit.SECONDS));
    assertThat(sent.path("stream").booleanValue()).isTrue();
    assertThat(sent.path("stream_options").toString()).isEqualTo("{\"include_usage\":true}");
    assertThat(sent.path("logprobs").booleanValue()).isTrue();
    assertThat(sent.path("top_logprobs").intValue()).isEqualTo(2);
  }

  @Test
  void stream_vllmWithoutUsage_estimatesUsageAndHasNoLogprobs() {
    server.enqueue(eventStream(resource("vllm-stream-no-usage.sse")));
    ChatRequest request = ChatRequest.of("How many apples?");

    ChatResponse r = stream(request);

    assertThat(deltas).containsExactly("Four", " apples", ".");
    assertThat(r.text()).isEqualTo("Four apples.");
    assertThat(r.model()).isEqualTo("meta-llama/Meta-Llama-3-8B-Instruct");
    assertThat(r.usage()).isEqualTo(Usage.estimate("How many apples?", "Four apples."));
    assertThat(r.usage().estimated()).isTrue();
    assertThat(r.hasLogprobs()).isFalse();
  }

  @Test
  void stream_serverWithoutStreamingUsage_isNotAskedForIt() throws Exception {
    backend.close();
    backend = builder().capabilities(new Capabilities(true, false)).build();
    server.enqueue(eventStream(resource("vllm-stream-no-usage.sse")));

    stream(ChatRequest.of("Hi"));

    JsonNode sent = body(server.takeRequest(5, TimeUnit.SECONDS));
    assertThat(sent.path("stream").booleanValue()).isTrue();
    assertThat(sent.has("stream_options")).isFalse();
  }

  @Test
  void stream_cutInTheMiddle_isRetriableNamingModelAndHowMuchArrived() {
    String partial = chunk("Once upon") + chunk(" a time");
    server.enqueue(
        new MockResponse.Builder()
            .setHeader("Content-Type", "text/event-stream")
            .body(partial)
            .setHeader("Content-Length", 100_000) // promise more than is sent, then hang up
            .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
            .build());

    assertThatThrownBy(() -> stream(ChatRequest.of("Tell a story")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith(
                      "model 'gpt-4o-mini' at " + endpoint() + ": the stream broke after 2 chunks (16 characters of"
                          + " text) had arrived: ")
                  .endsWith("connection failed (ProtocolException: unexpected end of stream)");
              assertThat(e.model()).isEqualTo("gpt-4o-mini");
              assertThat(e.statusCode()).hasValue(200);
              assertThat(e.getCause()).isNotNull();
            });
    assertThat(deltas).containsExactly("Once upon", " a time");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void stream_closedWithoutDoneOrFinishReason_isReportedAsBroken() {
    server.enqueue(eventStream(chunk("Half an ans")));

    assertThatThrownBy(() -> stream(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": the stream broke after 1 chunk (11 characters of text) had"
                + " arrived: the server closed it without [DONE] or a finish_reason");
  }

  @Test
  void stream_finishReasonWithoutDone_isComplete() {
    server.enqueue(
        eventStream(
            chunk("Done")
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"));

    ChatResponse r = stream(ChatRequest.of("Hi"));

    assertThat(r.text()).isEqualTo("Done");
    assertThat(r.finishReason()).hasValue("stop");
  }

  @Test
  void stream_openAiErrorEvent_isReportedWithTheServersMessage() {
    server.enqueue(
        eventStream(
            chunk("Partial")
                + "data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry"
                + " about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"));

    assertThatThrownBy(() -> stream(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": the server reported an error in the stream after 1 chunk"
                + " (7 characters of text): The server had an error while processing your request. Sorry about"
                + " that! (server_error)");
  }

  @Test
  void stream_vllmClientErrorEvent_isNonRetriable() {
    server.enqueue(
        eventStream(
            "data: {\"object\":\"error\",\"message\":\"top_logprobs must be <= 20\",\"type\":\"BadRequestError\","
                + "\"param\":null,\"code\":400}\n\ndata: [DONE]\n\n"));

    assertThatThrownBy(() -> stream(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            NonRetriableBackendException.class, e -> assertThat(e.statusCode()).hasValue(400))
        .hasMessageEndingWith("after 0 chunks (0 characters of text): top_logprobs must be <= 20 (BadRequestError)");
  }

  @Test
  void stream_namedErrorEventBeforeText_isRetriedAndReported() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(eventStream("event: error\ndata: {\"message\":\"overloaded\"}\n\n"));
    }

    assertThatThrownBy(() -> stream(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageEndingWith(": overloaded (gave up after 3 attempts in "
            + OpenAiHttp.format(scheduler.waits().stream().reduce(Duration.ZERO, Duration::plus)) + ")");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void stream_malformedChunkAfterText_isAStreamCutQuotingIt() {
    server.enqueue(eventStream(chunk("ok") + "data: {\"choices\": [ oops\n\ndata: [DONE]\n\n"));

    assertThatThrownBy(() -> stream(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class,
            e -> assertThat(e.kind()).isEqualTo(dev.routellm.BackendException.Kind.STREAM_CUT))
        .hasMessageStartingWith("model 'gpt-4o-mini' at " + endpoint() + ": streamed chunk 2 is not valid JSON (")
        .hasMessageEndingWith("): {\"choices\": [ oops")
        .hasMessageNotContaining("tools.jackson");
  }

  @Test
  void stream_listenerThrows_cancelsAndPropagatesTheListenersException() {
    server.enqueue(eventStream(resource("openai-stream-usage.sse")));
    IllegalStateException boom = new IllegalStateException("client went away");

    assertThatThrownBy(
            () ->
                backend.stream(
                    ChatRequest.of("Hi"),
                    delta -> {
                      deltas.add(delta);
                      throw boom;
                    }))
        .isSameAs(boom);
    assertThat(deltas).containsExactly("The");
  }

  @Test
  void stream_503BeforeTheStreamStarts_isRetried() {
    server.enqueue(json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}"));
    server.enqueue(eventStream(resource("vllm-stream-no-usage.sse")));

    ChatResponse r = stream(ChatRequest.of("Hi"));

    assertThat(r.text()).isEqualTo("Four apples.");
    assertThat(scheduler.waits()).hasSize(1);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void stream_401_failsAtOnceWithTheServersMessage() {
    server.enqueue(json(401, "{\"error\":{\"message\":\"Missing bearer authentication in header\","
        + "\"type\":\"invalid_request_error\"}}"));

    assertThatThrownBy(() -> stream(ChatRequest.of("Hi")))
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": HTTP 401: Missing bearer authentication in header"
                + " (invalid_request_error)");
    assertThat(deltas).isEmpty();
  }

  @Test
  void stream_serverIgnoringTheStreamFlag_answersOnceWithTheWholeText() {
    server.enqueue(json(completion("whole answer")));

    ChatResponse r = stream(ChatRequest.of("Hi"));

    assertThat(r.text()).isEqualTo("whole answer");
    assertThat(deltas).containsExactly("whole answer");
  }

  @Test
  void stream_unexpectedContentType_isRetriableMalformedAnswer() {
    server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/plain").body("hello").build());
    backend.close();
    backend = builder().retryPolicy(RetryPolicy.none()).build();

    assertThatThrownBy(() -> stream(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": asked for a stream (text/event-stream) but the answer's"
                + " Content-Type is text/plain");
  }

  @Test
  void stream_serverStallsMidStream_isRetriableNamingTheReadTimeout() {
    backend.close();
    backend = builder().readTimeout(Duration.ofMillis(300)).build();
    server.enqueue(
        new MockResponse.Builder()
            .setHeader("Content-Type", "text/event-stream")
            .body(chunk("slow"))
            .setHeader("Content-Length", 100_000)
            .onResponseEnd(SocketEffect.Stall.INSTANCE)
            .build());

    assertThatThrownBy(() -> stream(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": the stream broke after 1 chunk (4 characters of text) had"
                + " arrived: no data within the read timeout (300 ms)");
    assertThat(deltas).containsExactly("slow");
  }

  @Test
  void stream_nullArguments_areRejected() {
    assertThatThrownBy(() -> backend.stream(null, d -> {})).hasMessage("request");
    assertThatThrownBy(() -> backend.stream(ChatRequest.of("Hi"), null)).hasMessage("listener");
  }
}
