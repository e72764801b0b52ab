package dev.routellm.examples;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.backend.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/** A loopback OpenAI-compatible model endpoint for tests: answers what it is told to, in the real wire format. */
public final class MockModel implements AutoCloseable {
  private final MockWebServer server = new MockWebServer();
  private final String model;

  public MockModel(String model) throws IOException {
    this.model = model;
    server.start();
  }

  public String baseUrl() {
    return server.url("/v1").toString();
  }

  public MockWebServer server() {
    return server;
  }

  /** A backend for this endpoint that does not retry (tests of failures stay fast). */
  public OpenAiBackend backend() {
    return OpenAiBackend.builder().baseUrl(baseUrl()).model(model).noApiKey().retryPolicy(RetryPolicy.none())
        .readTimeout(Duration.ofSeconds(10)).build();
  }

  /** Queues a complete chat answer. */
  public MockModel answers(String text, int promptTokens, int completionTokens) {
    server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body(String.format(Locale.ROOT,
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"%s\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"%s\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d,"
                + "\"total_tokens\":%d}}", model, text, promptTokens, completionTokens,
            promptTokens + completionTokens))
        .build());
    return this;
  }

  /** Queues a streamed answer, one chunk per piece, with usage in the final chunk. */
  public MockModel streams(int promptTokens, int completionTokens, String... pieces) {
    StringBuilder sse = new StringBuilder();
    for (String piece : pieces) {
      sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"").append(model)
          .append("\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").append(piece)
          .append("\"},\"finish_reason\":null}]}\n\n");
    }
    sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"").append(model)
        .append("\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
    sse.append(String.format(Locale.ROOT, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"%s\","
        + "\"choices\":[],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}}\n\n",
        model, promptTokens, completionTokens, promptTokens + completionTokens));
    sse.append("data: [DONE]\n\n");
    server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
        .body(sse.toString()).build());
    return this;
  }

  /** Queues an error answer. */
  public MockModel fails(int code, String message) {
    server.enqueue(new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
        .body("{\"error\":{\"message\":\"" + message + "\",\"type\":\"server_error\"}}").build());
    return this;
  }

  @Override
  public void close() {
    server.close();
  }
}
