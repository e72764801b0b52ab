package dev.routellm.labelling;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.backend.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A loopback OpenAI-compatible endpoint serving answering models and a judge, in the real wire format. Model
 * {@code big} answers "GOOD answer to: PROMPT", {@code small} "POOR answer to: PROMPT", {@code mid} "OK answer to:
 * PROMPT" (10 input, 20 output tokens); the judge ({@code judge}, 100 input and 50 output tokens) answers what its
 * behaviour returns for the judge's system and user messages. A prompt containing FAIL makes {@code small} answer 500.
 */
final class ModelServer implements AutoCloseable {
  static final ObjectMapper JSON = JsonMapper.builder().build();

  /** A judge's answer to its (system, user) messages. */
  interface Judge {
    String answer(String system, String user);
  }

  /** Rates GOOD 9, OK 6, POOR 3; compares likewise; says nothing usable when the question holds CONFUSE. */
  static final Judge FAIR = (system, user) -> {
    if (user.contains("CONFUSE")) {
      return "Both answers are interesting. I cannot decide.";
    }
    if (!user.contains("Assistant A's Answer")) {
      String answer = section(user, "[The Start of Assistant's Answer]", "[The End of Assistant's Answer]");
      return "The answer is fine. Rating: [[" + quality(answer) + "]]";
    }
    int a = quality(section(user, "[The Start of Assistant A's Answer]", "[The End of Assistant A's Answer]"));
    int b = quality(section(user, "[The Start of Assistant B's Answer]", "[The End of Assistant B's Answer]"));
    return "After comparing: " + (a > b ? "[[A]]" : a < b ? "[[B]]" : "[[C]]");
  };

  /** Always prefers the first answer it is shown. */
  static final Judge FIRST_POSITION = (system, user) -> "Assistant A is clearly better. [[A]]";

  private final MockWebServer server = new MockWebServer();
  final List<JsonNode> judgeRequests = new CopyOnWriteArrayList<>();
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  ModelServer(Judge judge) throws IOException {
    this(judge, body -> null);
  }

  /**
   * @param hook may answer a request itself (or block it) before the models do; null to go on
   */
  ModelServer(Judge judge, Function<JsonNode, MockResponse> hook) throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        JsonNode body = JSON.readTree(request.getBody().utf8());
        String model = body.path("model").asString();
        calls.computeIfAbsent(model, k -> new AtomicInteger()).incrementAndGet();
        MockResponse hooked = hook.apply(body);
        if (hooked != null) {
          return hooked;
        }
        JsonNode messages = body.path("messages");
        String user = messages.get(messages.size() - 1).path("content").asString();
        if (model.equals("judge")) {
          judgeRequests.add(body);
          return completion(model, judge.answer(messages.get(0).path("content").asString(), user), 100, 50);
        }
        if (model.equals("small") && user.contains("FAIL")) {
          return new MockResponse.Builder().code(500).setHeader("Content-Type", "application/json")
              .body("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}").build();
        }
        String prefix = switch (model) {
          case "big" -> "GOOD";
          case "mid" -> "OK";
          default -> "POOR";
        };
        return completion(model, prefix + " answer to: " + user, 10, 20);
      }
    });
    server.start();
  }

  static MockResponse completion(String model, String text, int in, int out) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
        .body("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\",\"choices\":"
            + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + JSON.writeValueAsString(text)
            + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + in + ",\"completion_tokens\":" + out
            + ",\"total_tokens\":" + (in + out) + "}}")
        .build();
  }

  static int quality(String answer) {
    return answer.startsWith("GOOD") ? 9 : answer.startsWith("OK") ? 6 : 3;
  }

  static String section(String text, String start, String end) {
    int from = text.indexOf(start) + start.length() + 1;
    return text.substring(from, text.indexOf(end, from)).strip();
  }

  OpenAiBackend backend(String model) {
    return OpenAiBackend.builder().baseUrl(server.url("/v1").toString()).model(model).noApiKey()
        .retryPolicy(RetryPolicy.none()).readTimeout(Duration.ofSeconds(20)).build();
  }

  int calls(String model) {
    AtomicInteger n = calls.get(model);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {
    server.close();
  }
}
