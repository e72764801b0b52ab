package dev.routellm.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.BackendException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * What an upstream sends is untrusted: random and mutated chat completion bodies and server-sent event streams, over
 * real HTTP on loopback, give an answer or a {@link BackendException}, never another exception.
 */
class UntrustedAnswerProperties {
  private static MockWebServer server;
  private static OpenAiBackend backend;

  @BeforeContainer
  static void start() throws IOException {
    server = new MockWebServer();
    server.start();
    backend =
        OpenAiBackend.builder()
            .baseUrl(server.url("/v1").toString())
            .model("gpt-4o-mini")
            .noApiKey()
            .readTimeout(Duration.ofSeconds(10))
            .retryPolicy(RetryPolicy.none())
            .build();
  }

  @AfterContainer
  static void stop() {
    backend.close();
    server.close();
  }

  private static final String VALID_JSON = Fixtures.completion("Paris is the capital of France.");
  private static final String VALID_SSE =
      "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Pa\"},"
          + "\"logprobs\":{\"content\":[{\"token\":\"Pa\",\"logprob\":-0.1,\"top_logprobs\":[]}]},"
          + "\"finish_reason\":null}]}\n\n"
          + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
          + "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}}]},\"finish_reason\":null}]}\n\n"
          + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ris\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n";

  @Property(tries = 200)
  void chat_anyBody_givesAnAnswerOrABackendException(@ForAll("chatBodies") String body) {
    server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build());

    Object outcome = outcome(() -> backend.chat(ChatRequest.builder().user("Capital?").topLogprobs(2).build()));

    assertThat(outcome).isInstanceOfAny(ChatResponse.class, BackendException.class);
  }

  @Property(tries = 200)
  void stream_anyEvents_giveAnAnswerOrABackendException(@ForAll("eventStreams") String body) {
    server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build());
    List<String> deltas = new ArrayList<>();

    Object outcome = outcome(() -> backend.stream(ChatRequest.of("Capital?"), deltas::add));

    assertThat(outcome).isInstanceOfAny(ChatResponse.class, BackendException.class);
    if (outcome instanceof ChatResponse r) {
      assertThat(String.join("", deltas)).isEqualTo(r.text());
    }
  }

  /** What a call returned, or the exception it threw (anything not a BackendException fails the property). */
  private static Object outcome(java.util.function.Supplier<ChatResponse> call) {
    try {
      return call.get();
    } catch (BackendException e) {
      return e;
    }
  }

  @Provide
  Arbitrary<String> chatBodies() {
    return Arbitraries.oneOf(mutated(VALID_JSON), jsonLike(), Arbitraries.strings().ofMaxLength(300));
  }

  @Provide
  Arbitrary<String> eventStreams() {
    Arbitrary<String> line =
        Arbitraries.oneOf(
            Arbitraries.of(
                "data: [DONE]", "data: {}", "data: {\"choices\":[]}", "event: error", ": comment", "data: null",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}",
                "data: {\"choices\":[{\"delta\":{\"content\":\"y\"},\"finish_reason\":\"stop\"}]}",
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"z\"}}]}}]}",
                "data: {\"error\":{\"message\":\"boom\",\"code\":400}}", "id: 7", "retry: 10", ""),
            jsonLike().map(j -> "data: " + j),
            Arbitraries.strings().ofMaxLength(40));
    Arbitrary<String> random = line.list().ofMaxSize(12).map(lines -> String.join("\n", lines) + "\n\n");
    return Arbitraries.oneOf(mutated(VALID_SSE), random);
  }

  /** JSON-ish text: fragments of the chat completion shape with random values, nested at random. */
  private static Arbitrary<String> jsonLike() {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.of("null", "true", "false", "0", "-1", "1e309", "-9999.0", "NaN", "-Infinity", "\"\"",
                "\"stop\"", "[]", "{}"),
            Arbitraries.strings().ofMaxLength(10).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""),
            Arbitraries.integers().map(String::valueOf));
    Arbitrary<String> key =
        Arbitraries.of("choices", "message", "content", "delta", "logprobs", "top_logprobs", "token", "logprob",
            "tokens", "token_logprobs", "usage", "prompt_tokens", "completion_tokens", "tool_calls", "function",
            "name", "arguments", "id", "index", "finish_reason", "model", "error", "object");
    return Arbitraries.recursive(
        () -> scalar,
        inner ->
            Arbitraries.oneOf(
                Combinators.combine(key, inner).as((k, v) -> "{\"" + k + "\":" + v + "}"),
                Combinators.combine(key, inner, key, inner)
                    .as((k1, v1, k2, v2) -> "{\"" + k1 + "\":" + v1 + ",\"" + k2 + "\":" + v2 + "}"),
                inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]")),
        0,
        5);
  }

  /** {@code text} with up to five random edits: characters deleted, inserted or replaced, or the text cut. */
  static Arbitrary<String> mutated(String text) {
    Arbitrary<Edit> edit =
        Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, Integer.MAX_VALUE),
                Arbitraries.chars().with('{', '}', '[', ']', '"', ',', ':', '\\', '\n', '0', '-', 'e', 'x', '\u00e9'))
            .as(Edit::new);
    return edit.list().ofMinSize(1).ofMaxSize(5).map(edits -> {
      StringBuilder s = new StringBuilder(text);
      for (Edit e : edits) {
        e.apply(s);
      }
      return s.toString();
    });
  }

  /** One random edit of a text. */
  record Edit(int kind, int position, char c) {
    void apply(StringBuilder s) {
      if (s.length() == 0) {
        s.append(c);
        return;
      }
      int at = position % s.length();
      switch (kind) {
        case 0 -> s.deleteCharAt(at);
        case 1 -> s.insert(at, c);
        case 2 -> s.setCharAt(at, c);
        default -> s.setLength(at);
      }
    }
  }
}
