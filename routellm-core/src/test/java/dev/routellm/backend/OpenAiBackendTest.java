package dev.routellm.backend;

import static dev.routellm.backend.Fixtures.body;
import static dev.routellm.backend.Fixtures.completion;
import static dev.routellm.backend.Fixtures.json;
import static dev.routellm.backend.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.BackendException;
import dev.routellm.ConfigurationException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.RetriableBackendException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.Usage;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class OpenAiBackendTest {
  private static final String KEY = "sk-test-4f9Qx7ZpL2mN8rT1vB6c";
  private static final java.util.function.UnaryOperator<String> ENV_OPENAI_KEY =
      name -> name.equals("OPENAI_API_KEY") ? "sk-from-env-000000" : null;

  private final MockWebServer server = new MockWebServer();
  private final FakeRetryScheduler scheduler = new FakeRetryScheduler();
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

  private String baseUrl() {
    return server.url("/v1").toString();
  }

  private OpenAiBackend.Builder builder() {
    return OpenAiBackend.builder()
        .baseUrl(baseUrl())
        .model("gpt-4o-mini")
        .apiKey(KEY)
        .readTimeout(Duration.ofSeconds(10)) // a test that forgets to enqueue an answer fails fast
        .retryScheduler(scheduler);
  }

  private OpenAiBackend backend() {
    backend = builder().build();
    return backend;
  }

  private String endpoint() {
    return baseUrl() + "/chat/completions";
  }

  // ---- answers ----

  @Test
  void chat_openAiAnswerWithLogprobs_mapsEveryField() {
    server.enqueue(json(resource("openai-chat-logprobs.json")));

    ChatResponse r = backend().chat(ChatRequest.builder().user("Capital of France?").topLogprobs(2).build());

    assertThat(r.text()).isEqualTo("Paris.");
    assertThat(r.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(r.id()).hasValue("chatcmpl-AqZ3fK9mXyTQeR2bV7nL0pWs1dC4");
    assertThat(r.finishReason()).hasValue("stop");
    assertThat(r.usage()).isEqualTo(Usage.of(24, 2));
    assertThat(r.hasLogprobs()).isTrue();
    assertThat(r.logprobs()).extracting(TokenLogprob::token).containsExactly("Paris", ".");
    assertThat(r.logprobs().get(0).logprob()).isEqualTo(-0.00012332248);
    assertThat(r.logprobs().get(0).alternatives())
        .containsExactly(
            new TokenLogprob.Alternative("Paris", -0.00012332248, List.of(80, 97, 114, 105, 115)),
            new TokenLogprob.Alternative("The", -9.250124, List.of(84, 104, 101)));
    assertThat(r.logprobs().get(0).bytes()).as("OpenAI's bytes, kept").containsExactly(80, 97, 114, 105, 115);
    assertThat(r.logprobs().get(1).alternatives())
        .extracting(TokenLogprob.Alternative::token)
        .containsExactly(".", "!");
  }

  @Test
  void chat_legacyLogprobShape_skipsNullEntriesAndClampsInfinity() {
    server.enqueue(json(resource("together-chat-legacy-logprobs.json")));

    ChatResponse r = backend().chat(ChatRequest.builder().user("2 + 2?").topLogprobs(2).build());

    assertThat(r.text()).isEqualTo(" The answer is 4.");
    assertThat(r.finishReason()).hasValue("eos");
    assertThat(r.usage()).isEqualTo(Usage.of(31, 6));
    assertThat(r.hasLogprobs()).isTrue();
    // " answer" (null log-prob) and the null token are skipped; every real value is kept.
    assertThat(r.logprobs()).extracting(TokenLogprob::token).containsExactly(" The", " is", " 4", ".");
    assertThat(r.logprobs()).extracting(TokenLogprob::logprob).containsExactly(-0.2231, -0.0513, -9999.0, -9999.0);
    assertThat(r.logprobs().get(0).alternatives())
        .containsExactly(new TokenLogprob.Alternative(" The", -0.2231), new TokenLogprob.Alternative(" It", -1.6094));
    assertThat(r.logprobs().get(1).alternatives())
        .extracting(TokenLogprob.Alternative::token)
        .containsExactly(" is", " was");
    assertThat(r.logprobs().get(3).alternatives()).containsExactly(new TokenLogprob.Alternative(".", -9999.0));
  }

  @Test
  void chat_ollamaTopLevelLogprobs_areRead() {
    server.enqueue(json(resource("ollama-chat.json")));

    ChatResponse r = backend().chat(ChatRequest.builder().user("2 + 2?").logprobs(true).build());

    assertThat(r.text()).isEqualTo("Four.");
    assertThat(r.hasLogprobs()).isTrue();
    assertThat(r.logprobs()).containsExactly(TokenLogprob.of("Four", -0.0625), TokenLogprob.of(".", -0.001));
  }

  @Test
  void chat_serverReportsNoUsage_usageIsEstimatedFromTexts() {
    server.enqueue(json(resource("llamacpp-chat-no-usage.json")));
    ChatRequest request = ChatRequest.builder().system("Be brief.").user("What is 2 + 2?").build();

    ChatResponse r = backend().chat(request);

    assertThat(r.text()).isEqualTo("Two plus two equals four, which");
    assertThat(r.finishReason()).hasValue("length");
    assertThat(r.usage()).isEqualTo(Usage.estimate("Be brief.\nWhat is 2 + 2?", "Two plus two equals four, which"));
    assertThat(r.usage().estimated()).isTrue();
    assertThat(r.hasLogprobs()).isFalse();
    assertThat(r.logprobs()).isEmpty();
  }

  @Test
  void chat_logprobsRequestedButNotReturned_hasLogprobsIsFalse() {
    server.enqueue(json(completion("4")));

    ChatResponse r = backend().chat(ChatRequest.builder().user("2 + 2?").logprobs(true).build());

    assertThat(r.hasLogprobs()).isFalse();
  }

  @Test
  void chat_answerWithoutModel_reportsConfiguredModel() {
    server.enqueue(json("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hi\"}}]}"));

    ChatResponse r = backend().chat(ChatRequest.of("hello"));

    assertThat(r.model()).isEqualTo("gpt-4o-mini");
    assertThat(r.id()).isEmpty();
    assertThat(r.finishReason()).isEmpty();
  }

  // ---- what we send ----

  @Test
  void chat_requestBody_carriesEveryField() throws Exception {
    server.enqueue(json(completion("ok")));
    backend =
        builder()
            .baseUrl(server.url("/v1/").toString() + "?api-version=2024-06-01")
            .header("OpenAI-Organization", "org-123")
            .build();
    ChatRequest request =
        ChatRequest.builder()
            .system("You are terse.")
            .user("Hi")
            .assistant("Hello.")
            .user("2 + 2?")
            .temperature(0.2)
            .maxTokens(64)
            .stop(List.of("\n\n", "END"))
            .topLogprobs(3)
            .extra("seed", 42)
            .extra("response_format", Map.of("type", "json_object"))
            .extra("user", null)
            .build();

    backend.chat(request);

    RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(recorded.getMethod()).isEqualTo("POST");
    assertThat(recorded.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
    assertThat(recorded.getUrl().queryParameter("api-version")).isEqualTo("2024-06-01");
    assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(recorded.getHeaders().get("OpenAI-Organization")).isEqualTo("org-123");
    assertThat(recorded.getHeaders().get("Content-Type")).startsWith("application/json");
    JsonNode body = body(recorded);
    assertThat(body.path("model").stringValue()).isEqualTo("gpt-4o-mini");
    assertThat(body.path("messages").toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hello.\"},{\"role\":\"user\",\"content\":\"2 + 2?\"}]");
    assertThat(body.path("temperature").doubleValue()).isEqualTo(0.2);
    assertThat(body.path("max_tokens").intValue()).isEqualTo(64);
    assertThat(body.path("stop").toString()).isEqualTo("[\"\\n\\n\",\"END\"]");
    assertThat(body.path("logprobs").booleanValue()).isTrue();
    assertThat(body.path("top_logprobs").intValue()).isEqualTo(3);
    assertThat(body.path("seed").intValue()).isEqualTo(42);
    assertThat(body.path("response_format").toString()).isEqualTo("{\"type\":\"json_object\"}");
    assertThat(body.has("user")).isTrue();
    assertThat(body.path("user").isNull()).isTrue();
    assertThat(body.has("stream")).isFalse();
    assertThat(body.has("stream_options")).isFalse();
  }

  @Test
  void chat_minimalRequest_sendsOnlyModelAndMessages() throws Exception {
    server.enqueue(json(completion("ok")));

    backend().chat(ChatRequest.of("Hi"));

    JsonNode body = body(server.takeRequest(5, TimeUnit.SECONDS));
    assertThat(body.propertyNames()).containsExactlyInAnyOrder("model", "messages");
  }

  @Test
  void chat_logprobsWithoutAlternatives_asksForNoneAndDropsAnySent() throws Exception {
    server.enqueue(json(resource("openai-chat-logprobs.json")));

    ChatResponse r = backend().chat(ChatRequest.builder().user("Capital of France?").logprobs(true).build());

    JsonNode body = body(server.takeRequest(5, TimeUnit.SECONDS));
    assertThat(body.path("logprobs").booleanValue()).isTrue();
    assertThat(body.has("top_logprobs")).as("not asked for").isFalse();
    assertThat(r.logprobs()).hasSize(2).allSatisfy(t -> assertThat(t.alternatives()).isEmpty());
  }

  @Test
  void chat_backendWithoutLogprobCapability_doesNotAskForThem() throws Exception {
    server.enqueue(json(completion("ok")));
    backend = builder().capabilities(new Capabilities(false, false)).build();

    backend.chat(ChatRequest.builder().user("Hi").topLogprobs(5).build());

    JsonNode body = body(server.takeRequest(5, TimeUnit.SECONDS));
    assertThat(body.has("logprobs")).isFalse();
    assertThat(body.has("top_logprobs")).isFalse();
  }

  @Test
  void chat_maxCompletionTokens_sendsTheNewFieldName() throws Exception {
    server.enqueue(json(completion("ok")));
    backend = builder().maxCompletionTokens(true).build();

    backend.chat(ChatRequest.builder().user("Hi").maxTokens(10).build());

    JsonNode body = body(server.takeRequest(5, TimeUnit.SECONDS));
    assertThat(body.path("max_completion_tokens").intValue()).isEqualTo(10);
    assertThat(body.has("max_tokens")).isFalse();
  }

  /** The Authorization header that a backend built from {@code b} sends. */
  private String authorizationSentBy(OpenAiBackend.Builder b) throws InterruptedException {
    server.enqueue(json(completion("ok")));
    backend = b.baseUrl(baseUrl()).model("m").build();
    backend.chat(ChatRequest.of("Hi"));
    return server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Authorization");
  }

  @Test
  void chat_noApiKey_sendsNoAuthorizationHeaderWhateverTheEnvironmentHolds() throws Exception {
    assertThat(authorizationSentBy(OpenAiBackend.builder().noApiKey().environment(ENV_OPENAI_KEY))).isNull();
  }

  @Test
  void chat_keyFromDefaultEnvironmentVariable_isSent() throws Exception {
    assertThat(authorizationSentBy(OpenAiBackend.builder().environment(ENV_OPENAI_KEY)))
        .isEqualTo("Bearer sk-from-env-000000");
  }

  @Test
  void chat_defaultEnvironmentVariableUnset_sendsNoKey() throws Exception {
    assertThat(authorizationSentBy(OpenAiBackend.builder().environment(name -> null))).isNull();
  }

  @Test
  void chat_keyFromNamedEnvironmentVariable_isSent() throws Exception {
    OpenAiBackend.Builder b =
        OpenAiBackend.builder()
            .apiKeyFromEnvironment("TOGETHER_API_KEY")
            .environment(name -> name.equals("TOGETHER_API_KEY") ? "tg-key-123456" : null);

    assertThat(authorizationSentBy(b)).isEqualTo("Bearer tg-key-123456");
  }

  // ---- configuration errors ----

  @Test
  void build_namedEnvironmentVariableUnset_throwsConfigurationExceptionNamingIt() {
    OpenAiBackend.Builder b =
        OpenAiBackend.builder().model("m").apiKeyFromEnvironment("MY_LLM_KEY").environment(name -> null);

    assertThatThrownBy(b::build)
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("the API key's environment variable MY_LLM_KEY is not set (or is blank)");
  }

  @Test
  void build_withoutModel_saysWhatIsMissing() {
    assertThatThrownBy(() -> OpenAiBackend.builder().noApiKey().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("model is required");
  }

  @Test
  void baseUrl_notAUrl_saysWhatWasExpectedAndGiven() {
    assertThatThrownBy(() -> OpenAiBackend.builder().baseUrl("localhost:8000/v1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "baseUrl must be an absolute http:// or https:// URL such as https://api.openai.com/v1 but was "
                + "'localhost:8000/v1'");
  }

  @Test
  void baseUrl_withEndpointPath_isRejected() {
    assertThatThrownBy(() -> OpenAiBackend.builder().baseUrl("http://localhost:8000/v1/chat/completions"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without the endpoint path /chat/completions")
        .hasMessageContaining("http://localhost:8000/v1/chat/completions");
  }

  @Test
  void baseUrl_rejected_messageLeavesOutTheQueryAndUserInfoThatMayHoldAKey() {
    assertThatThrownBy(() -> OpenAiBackend.builder().baseUrl("api.example.com/v1?api-key=sk-LEAKME#frag"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("but was 'api.example.com/v1?***'")
        .message()
        .doesNotContain("sk-LEAKME");
    assertThatThrownBy(() -> OpenAiBackend.builder().baseUrl("ftp://user:sk-LEAKME@host/v1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("but was 'ftp://***@host/v1'");
  }

  @Test
  void builder_invalidArguments_areRejectedAtOnce() {
    OpenAiBackend.Builder b = OpenAiBackend.builder();
    assertThatThrownBy(() -> b.apiKey(" ")).hasMessageContaining("apiKey must not be blank");
    assertThatThrownBy(() -> b.model("")).hasMessage("model must not be blank");
    assertThatThrownBy(() -> b.readTimeout(Duration.ofSeconds(-1)))
        .hasMessage("readTimeout must be >= 0 (0 means no limit) but was PT-1S");
    assertThatThrownBy(() -> b.header("Bad Header", "x")).hasMessageContaining("'Bad Header' is not a valid");
    assertThatThrownBy(() -> b.header("Content-Type", "text/plain")).hasMessageContaining("set by the backend");
    assertThatThrownBy(() -> b.capabilities(null)).isInstanceOf(NullPointerException.class).hasMessage("capabilities");
  }

  @Test
  void build_apiKeyAndAuthorizationHeader_conflict() {
    OpenAiBackend.Builder b = OpenAiBackend.builder().model("m").apiKey(KEY).header("Authorization", "Basic abc=");

    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("keep one of them");
  }

  // ---- non-retriable server errors ----

  @ParameterizedTest(name = "HTTP {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "400|{\"object\":\"error\",\"message\":\"This model's maximum context length is 8192 tokens. However, you"
            + " requested 9000 tokens (8000 in the messages, 1000 in the completion).\",\"type\":\"BadRequestError\","
            + "\"param\":null,\"code\":400}|This model's maximum context length is 8192 tokens. However, you requested"
            + " 9000 tokens (8000 in the messages, 1000 in the completion). (BadRequestError)",
        "401|{\"error\":{\"message\":\"Incorrect API key provided: sk-test-****1vB6c. You can find your API key at"
            + " https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\",\"param\":null,"
            + "\"code\":\"invalid_api_key\"}}|Incorrect API key provided: sk-test-****1vB6c. You can find your API key"
            + " at https://platform.openai.com/account/api-keys. (invalid_request_error)",
        "404|{\"error\":{\"message\":\"The model `gpt-5-mini` does not exist or you do not have access to it.\","
            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_found\"}}|The model `gpt-5-mini`"
            + " does not exist or you do not have access to it. (invalid_request_error)",
        "404|{\"error\":\"model \\\"llama3:70b\\\" not found, try pulling it first\"}|model \"llama3:70b\" not found,"
            + " try pulling it first",
        "422|{\"detail\":[{\"loc\":[\"body\",\"messages\"],\"msg\":\"field required\",\"type\":\"value_error\"}]}"
            + "|[{\"loc\":[\"body\",\"messages\"],\"msg\":\"field required\",\"type\":\"value_error\"}]",
      })
  void chat_clientError_failsAtOnceWithTheServersMessage(int status, String body, String serverMessage) {
    server.enqueue(json(status, body));
    backend = backend();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            NonRetriableBackendException.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo("model 'gpt-4o-mini' at " + endpoint() + ": HTTP " + status + ": " + serverMessage);
              assertThat(e.statusCode()).hasValue(status);
              assertThat(e.model()).isEqualTo("gpt-4o-mini");
              assertThat(e.isRetriable()).isFalse();
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(scheduler.waits()).isEmpty();
  }

  @Test
  void chat_plainTextErrorBody_isQuotedCollapsedAndTruncated() {
    String page = "<html>\n<head><title>400 Bad Request</title></head>\n<body>\n" + "x".repeat(2000) + "</body></html>";
    server.enqueue(new MockResponse.Builder().code(400).setHeader("Content-Type", "text/html").body(page).build());
    backend = backend();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessageStartingWith("model 'gpt-4o-mini' at " + endpoint() + ": HTTP 400: 400 Bad Request xxx")
        .hasMessageEndingWith("... (2016 chars)")
        .hasMessageNotContaining("<title>");
  }

  @Test
  void chat_malformedJsonIn200_isRetriableMalformedAnswerNamingModelAndEndpoint() {
    server.enqueue(json("{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\": {\"content\": \"Par"));
    backend = builder().retryPolicy(RetryPolicy.none()).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith("model 'gpt-4o-mini' at " + endpoint() + ": HTTP 200 answer is not valid JSON (")
                  .contains("line 1, column")
                  .endsWith("it begins: {\"id\":\"chatcmpl-1\",\"choices\":[{\"message\": {\"content\": \"Par")
                  .doesNotContain("tools.jackson")
                  .doesNotContain("\tat ");
              assertThat(e.kind()).isEqualTo(BackendException.Kind.MALFORMED_ANSWER);
              assertThat(e.getCause()).isNotNull();
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void chat_malformedThenGoodAnswer_retriesAndAnswers() {
    server.enqueue(json("{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\": {\"content\": \"Par"));
    server.enqueue(json("{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}"));
    server.enqueue(json(completion("third time")));
    backend = backend();

    assertThat(backend.chat(ChatRequest.of("Hi")).text()).isEqualTo("third time");
    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(scheduler.waits()).hasSize(2);
  }

  @Test
  void chat_malformedEveryTime_givesUpAfterTheRetryPolicysAttempts() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(json("not json"));
    }
    backend = backend();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class,
            e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.MALFORMED_ANSWER))
        .hasMessageContaining("HTTP 200 answer is not valid JSON")
        .hasMessageContaining("(gave up after 3 attempts in ");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void chat_jsonWithoutChoices_isRetriableQuotingTheAnswer() {
    server.enqueue(json("{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}"));
    backend = builder().retryPolicy(RetryPolicy.none()).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": answer has no choices[0].message; it was: "
                + "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}");
  }

  @Test
  void chat_errorObjectIn200_isRetriableWithTheServersMessage() {
    server.enqueue(json("{\"error\":{\"message\":\"Provider returned error\",\"code\":502}}"));
    backend = builder().retryPolicy(RetryPolicy.none()).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage("model 'gpt-4o-mini' at " + endpoint() + ": answer is an error: Provider returned error (502)");
  }

  @Test
  void chat_emptyBodyIn200_isRetriableMalformedAnswer() {
    server.enqueue(json(""));
    backend = builder().retryPolicy(RetryPolicy.none()).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageEndingWith(": HTTP 200 answer has an empty body where JSON was expected");
  }

  // ---- retries ----

  @Test
  void chat_429WithRetryAfterSeconds_waitsAsAskedThenSucceeds() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .setHeader("Retry-After", "2")
            .setHeader("Content-Type", "application/json")
            .body(
                "{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini in organization org-123 on requests per"
                    + " min (RPM): Limit 3, Used 3, Requested 1.\",\"type\":\"requests\",\"param\":null,"
                    + "\"code\":\"rate_limit_exceeded\"}}")
            .build());
    server.enqueue(json(completion("after the wait")));

    ChatResponse r = backend().chat(ChatRequest.of("Hi"));

    assertThat(r.text()).isEqualTo("after the wait");
    assertThat(scheduler.waits()).containsExactly(Duration.ofSeconds(2));
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void chat_429WithRetryAfterHttpDate_waitsUntilThatDate() {
    ZonedDateTime serverNow = ZonedDateTime.of(2025, 1, 17, 12, 0, 0, 0, ZoneOffset.UTC);
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .setHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(serverNow))
            .setHeader("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.format(serverNow.plusSeconds(7)))
            .build());
    server.enqueue(json(completion("ok")));

    backend().chat(ChatRequest.of("Hi"));

    assertThat(scheduler.waits()).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void chat_503Repeatedly_givesUpAfterMaxAttemptsWithGrowingJitteredWaits() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(
          new MockResponse.Builder()
              .code(503)
              .setHeader("Content-Type", "text/html")
              .body("<html><body><h1>503 Service Unavailable</h1>No server is available to handle this request."
                  + "</body></html>")
              .build());
    }
    server.enqueue(json(completion("never reached")));
    backend = backend();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith(
                      "model 'gpt-4o-mini' at " + endpoint() + ": HTTP 503: 503 Service Unavailable No server is"
                          + " available to handle this request. (gave up after 3 attempts in 1.")
                  .endsWith(" s)");
              assertThat(e.statusCode()).hasValue(503);
            });
    assertThat(server.getRequestCount()).isEqualTo(3);
    List<Duration> waits = scheduler.waits();
    assertThat(waits).hasSize(2);
    // initial 500 ms then 1 s, each shortened by at most 25% jitter
    assertThat(waits.get(0).toMillis()).isBetween(375L, 500L);
    assertThat(waits.get(1).toMillis()).isBetween(750L, 1000L);
  }

  @Test
  void chat_retryAfterBeyondTheBudget_givesUpAtOnceSayingWhy() {
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "3600").build());
    backend = backend();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": HTTP 429 (gave up after 1 attempt: waiting 3600 s as the"
                + " server asked would pass the retry budget of 600 s)");
    assertThat(scheduler.waits()).isEmpty();
  }

  @Test
  void chat_retryBudgetSpent_stopsBeforeMaxAttempts() {
    for (int i = 0; i < 5; i++) {
      server.enqueue(new MockResponse.Builder().code(500).build());
    }
    backend =
        builder()
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(10)
                    .initialBackoff(Duration.ofSeconds(1))
                    .maxBackoff(Duration.ofSeconds(1))
                    .jitter(0)
                    .maxElapsed(Duration.ofMillis(2500))
                    .build())
            .build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageEndingWith(
            "HTTP 500 (gave up after 3 attempts: waiting 1 s would pass the retry budget of 2.5 s)");
    assertThat(scheduler.waits()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void chat_serverSlowerThanReadTimeout_isRetriableAfterRetries() {
    for (int i = 0; i < 2; i++) {
      server.enqueue(new MockResponse.Builder().headersDelay(3, TimeUnit.SECONDS).body(completion("late")).build());
    }
    backend =
        builder()
            .readTimeout(Duration.ofMillis(200))
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).build())
            .build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith("model 'gpt-4o-mini' at " + endpoint() + ": no data within the read timeout (200 ms)")
                  .contains("gave up after 2 attempts");
              assertThat(e.statusCode()).isEmpty();
              assertThat(e.getCause()).isInstanceOf(java.io.InterruptedIOException.class);
            });
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void chat_serverSlowerThanCallTimeout_isRetriableNamingTheTimeout() {
    server.enqueue(new MockResponse.Builder().bodyDelay(3, TimeUnit.SECONDS).body(completion("late")).build());
    backend = builder().callTimeout(Duration.ofMillis(300)).retryPolicy(RetryPolicy.none()).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": the call did not finish within 300 ms (the whole-call"
                + " timeout)");
  }

  @Test
  void chat_retryBudgetShorterThanCallTimeout_cutsTheAttemptToTheBudget() {
    server.enqueue(new MockResponse.Builder().bodyDelay(3, TimeUnit.SECONDS).body(completion("late")).build());
    backend = builder().retryPolicy(RetryPolicy.builder().jitter(0).maxElapsed(Duration.ofMillis(300)).build()).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": the call did not finish within 300 ms (the whole-call"
                + " timeout, cut to what was left of the retry budget of 300 ms) (gave up after 1 attempt: waiting 500 ms would"
                + " pass the retry budget of 300 ms)");
  }

  @Test
  void chat_nothingListening_isRetriableConnectionFailure() throws Exception {
    String url = baseUrl();
    server.close();
    backend = builder().baseUrl(url).retryPolicy(RetryPolicy.builder().maxAttempts(2).build()).build();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith(
                      "model 'gpt-4o-mini' at " + url + "/chat/completions: could not connect (ConnectException")
                  .endsWith("(gave up after 2 attempts in " + OpenAiHttp.format(scheduler.waits().get(0)) + ")");
              assertThat(e.statusCode()).isEmpty();
            });
    assertThat(scheduler.waits()).hasSize(1);
  }

  // ---- async ----

  @Test
  void chatAsync_success_completesWithTheAnswer() throws Exception {
    server.enqueue(json(completion("async answer")));

    ChatResponse r = backend().chatAsync(ChatRequest.of("Hi")).get(10, TimeUnit.SECONDS);

    assertThat(r.text()).isEqualTo("async answer");
  }

  @Test
  void chatAsync_429ThenSuccess_retriesOnTheScheduler() throws Exception {
    server.enqueue(new MockResponse.Builder().code(429).setHeader("retry-after-ms", "1500").build());
    server.enqueue(new MockResponse.Builder().code(502).setHeader("Retry-After", "1").build());
    server.enqueue(json(completion("third time")));

    ChatResponse r = backend().chatAsync(ChatRequest.of("Hi")).get(10, TimeUnit.SECONDS);

    assertThat(r.text()).isEqualTo("third time");
    assertThat(scheduler.waits()).containsExactly(Duration.ofMillis(1500), Duration.ofSeconds(1));
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void chatAsync_clientError_completesExceptionallyWithTheServersMessage() {
    server.enqueue(
        json(
            404,
            "{\"error\":{\"message\":\"The model `nope` does not exist\",\"type\":\"invalid_request_error\"}}"));

    var future = backend().chatAsync(ChatRequest.of("Hi"));

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessage(
            "model 'gpt-4o-mini' at " + endpoint() + ": HTTP 404: The model `nope` does not exist"
                + " (invalid_request_error)");
  }

  @Test
  void chatAsync_malformedJson_completesExceptionallyRetriable() {
    server.enqueue(json("not json at all"));

    var future = builder().retryPolicy(RetryPolicy.none()).build().chatAsync(ChatRequest.of("Hi"));

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageContaining("HTTP 200 answer is not valid JSON")
        .hasMessageContaining("it begins: not json at all");
  }

  @Test
  void chatAsync_5xxExhausted_completesExceptionallyRetriable() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(json(500, "{\"error\":{\"message\":\"The server had an error while processing your request.\","
          + "\"type\":\"server_error\"}}"));
    }

    var future = backend().chatAsync(ChatRequest.of("Hi"));

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageContaining(
            "HTTP 500: The server had an error while processing your request. (server_error) (gave up after 3"
                + " attempts");
    assertThat(scheduler.waits()).hasSize(2);
  }

  // ---- secrets ----

  @Test
  void toString_redactsTheKeyAndCredentialHeaders() {
    backend =
        builder()
            .apiKey(KEY)
            .header("X-Api-Key", "hdr-secret-98765")
            .header("OpenAI-Organization", "org-123")
            .baseUrl(baseUrl() + "?key=query-secret-5555")
            .build();

    assertThat(backend.toString())
        .doesNotContain(KEY)
        .doesNotContain("hdr-secret-98765")
        .doesNotContain("query-secret-5555")
        .contains("apiKey=[redacted]")
        .contains("headers=[X-Api-Key, OpenAI-Organization]")
        .contains("model=gpt-4o-mini");
  }

  @Test
  void errors_serverEchoingTheKey_neverShowIt() {
    String echo = "Bearer " + KEY + " / hdr-secret-98765 / query-secret-5555";
    server.enqueue(
        new MockResponse.Builder()
            .code(401)
            .setHeader("X-Echo-Authorization", echo)
            .setHeader("Content-Type", "application/json")
            .body("{\"error\":{\"message\":\"Invalid Authorization header: " + echo + "\",\"type\":\"auth\"}}")
            .build());
    server.enqueue(json("Authorization: " + echo + " (echoed request, not JSON)"));
    server.enqueue(json("{\"choices\":[], \"echo\": \"" + echo + "\"}"));
    backend =
        builder()
            .header("X-Api-Key", "hdr-secret-98765")
            .baseUrl(baseUrl() + "?key=query-secret-5555")
            .retryPolicy(RetryPolicy.none())
            .build();

    for (int i = 0; i < 3; i++) {
      Throwable thrown = catchBackendException(() -> backend.chat(ChatRequest.of("Hi")));
      assertThat(thrown).hasMessageContaining("[redacted]");
      for (Throwable t = thrown; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage()) + t)
            .doesNotContain(KEY)
            .doesNotContain("hdr-secret-98765")
            .doesNotContain("query-secret-5555");
      }
    }
  }

  private static Throwable catchBackendException(Runnable call) {
    try {
      call.run();
    } catch (BackendException e) {
      return e;
    }
    throw new AssertionError("expected a BackendException");
  }

  // ---- lifecycle ----

  @Test
  void close_isIdempotentAndLaterCallsFail() {
    backend = backend();

    backend.close();
    backend.close();

    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("OpenAiBackend for model 'gpt-4o-mini' is closed");
    assertThatThrownBy(() -> backend.chatAsync(ChatRequest.of("Hi"))).isInstanceOf(IllegalStateException.class);
    assertThat(backend.toString()).contains("closed");
  }

  @Test
  void close_leavesTheCallersClientRunning() {
    OkHttpClient shared = new OkHttpClient();
    server.enqueue(json(completion("shared")));
    server.enqueue(json(completion("still works")));
    backend = builder().httpClient(shared).build();

    assertThat(backend.chat(ChatRequest.of("Hi")).text()).isEqualTo("shared");
    backend.close();

    assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
    OpenAiBackend second = builder().httpClient(shared).build();
    assertThat(second.chat(ChatRequest.of("Hi")).text()).isEqualTo("still works");
    second.close();
    shared.dispatcher().executorService().shutdown();
  }

  @Test
  void toBuilder_keepsEverySetting() throws Exception {
    server.enqueue(json(completion("copy")));
    OpenAiBackend original =
        builder().name("cheap").capabilities(new Capabilities(true, false)).header("X-Team", "routing").build();
    backend = original.toBuilder().build();
    original.close();

    backend.chat(ChatRequest.builder().user("Hi").maxTokens(5).build());

    assertThat(backend.model()).isEqualTo("cheap");
    assertThat(backend.serverModel()).isEqualTo("gpt-4o-mini");
    assertThat(backend.capabilities()).isEqualTo(new Capabilities(true, false));
    RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(recorded.getHeaders().get("X-Team")).isEqualTo("routing");
    assertThat(body(recorded).path("model").stringValue()).isEqualTo("gpt-4o-mini");
  }

  @Test
  void name_isUsedForPricingAndInExceptions() {
    server.enqueue(json(400, "{\"object\":\"error\",\"message\":\"bad\",\"type\":\"BadRequestError\",\"code\":400}"));
    backend = builder().model("meta-llama/Meta-Llama-3-8B-Instruct").name("llama-3-8b").build();

    assertThat(backend.model()).isEqualTo("llama-3-8b");
    assertThatThrownBy(() -> backend.chat(ChatRequest.of("Hi")))
        .isInstanceOfSatisfying(
            NonRetriableBackendException.class, e -> assertThat(e.model()).isEqualTo("llama-3-8b"))
        .hasMessageStartingWith("model 'llama-3-8b' at ");
  }

  @Test
  void defaults_areTheDocumentedConstants() {
    assertThat(OpenAiBackend.DEFAULT_CONNECT_TIMEOUT).isEqualTo(Duration.ofSeconds(10));
    assertThat(OpenAiBackend.DEFAULT_READ_TIMEOUT).isEqualTo(Duration.ofSeconds(120));
    assertThat(OpenAiBackend.DEFAULT_CALL_TIMEOUT).isEqualTo(Duration.ofMinutes(5));
    OpenAiBackend b = OpenAiBackend.builder().model("m")
        .environment(name -> name.equals("OPENAI_API_KEY") ? "sk-test-secret" : null).build();
    assertThat(b.toString())
        .contains("baseUrl=https://api.openai.com/v1")
        .doesNotContain("apiKey=none", "sk-test-secret")
        .contains("connectTimeout=PT10S, readTimeout=PT2M, callTimeout=PT5M");
    assertThat(b.capabilities()).isEqualTo(Capabilities.ALL);
    b.close();
  }

  @Test
  void build_openAisOwnApiWithoutAKey_failsAtOnceNamingTheVariable() {
    assertThatThrownBy(() -> OpenAiBackend.builder().model("gpt-4o").environment(name -> null).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("no API key for https://api.openai.com: the environment variable OPENAI_API_KEY is not set (or is"
            + " blank); set it, or give apiKey(...) or apiKeyFromEnvironment(VAR) (noApiKey() for a server that needs"
            + " none)");
    // another server may need no key, and noApiKey() says so on purpose
    OpenAiBackend.builder().model("m").baseUrl("http://localhost:11434/v1").environment(name -> null).build().close();
    OpenAiBackend.builder().model("gpt-4o").noApiKey().build().close();
  }

  // ---- concurrency of the backend's own client ----

  /**
   * The server holds every answer until {@code n} requests are in: with OkHttp's default dispatcher (5 calls per host)
   * the sixth never arrives and the held answers time out as 503s.
   */
  private void holdUntil(int n) {
    java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(n);
    server.setDispatcher(new mockwebserver3.Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        arrived.countDown();
        return arrived.await(10, TimeUnit.SECONDS) ? json(completion("ok"))
            : new MockResponse.Builder().code(503).body("{\"error\":{\"message\":\"only "
                + (n - arrived.getCount()) + " of " + n + " calls arrived\"}}").build();
      }
    });
  }

  @Test
  void chatAsync_ownClient_runsTwentyCallsToOneServerAtOnce() throws Exception {
    holdUntil(20);
    backend = builder().retryPolicy(RetryPolicy.none()).build();

    List<java.util.concurrent.CompletableFuture<ChatResponse>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(backend.chatAsync(ChatRequest.of("question " + i)));
    }

    for (java.util.concurrent.CompletableFuture<ChatResponse> call : calls) {
      assertThat(call.get(30, TimeUnit.SECONDS).text()).isEqualTo("ok");
    }
    assertThat(server.getRequestCount()).isEqualTo(20);
  }

  @Test
  void chatAsync_maxConcurrentCallsTwo_queuesTheThirdCall() throws Exception {
    holdUntil(3);
    backend = builder().retryPolicy(RetryPolicy.none()).readTimeout(Duration.ofSeconds(30)).maxConcurrentCalls(2)
        .build();

    List<java.util.concurrent.CompletableFuture<ChatResponse>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(backend.chatAsync(ChatRequest.of("question " + i)));
    }

    // the first two wait for a third request, which the dispatcher holds back: they time out as 503s
    assertThatThrownBy(() -> calls.get(0).get(30, TimeUnit.SECONDS)).hasMessageContaining("only 2 of 3 calls arrived");
    assertThat(calls.get(2).get(30, TimeUnit.SECONDS).text()).as("the queued call runs once a slot frees")
        .isEqualTo("ok");
  }

  @Test
  void maxConcurrentCalls_outOfRange_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> OpenAiBackend.builder().maxConcurrentCalls(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrentCalls must be in [1, 100000] but was 0");
  }
}
