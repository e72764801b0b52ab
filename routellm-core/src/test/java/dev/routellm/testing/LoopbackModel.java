package dev.routellm.testing;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.backend.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * An OpenAI-compatible model endpoint on loopback for tests: answers what it is told to, in the real wire format
 * (complete answers, streams, tool calls, errors). Closing it stops the server.
 */
public final class LoopbackModel implements AutoCloseable {
  private final MockWebServer server = new MockWebServer();
  private final String model;

  public LoopbackModel(String model) {
    this.model = model;
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String model() {
    return model;
  }

  /** The base URL an OpenAI client uses: {@code http://127.0.0.1:PORT/v1}. */
  public String baseUrl() {
    return server.url("/v1").toString();
  }

  /** A backend for this endpoint that does not retry, so failure tests stay fast. */
  public OpenAiBackend backend() {
    return OpenAiBackend.builder().baseUrl(baseUrl()).model(model).noApiKey().retryPolicy(RetryPolicy.none())
        .readTimeout(Duration.ofSeconds(10)).build();
  }

  /** Queues a complete answer. */
  public LoopbackModel answers(String text, int promptTokens, int completionTokens) {
    return json(String.format(Locale.ROOT,
        "{\"id\":\"chatcmpl-%s\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"%s\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"%s\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d,"
            + "\"total_tokens\":%d}}", model, model, text, promptTokens, completionTokens,
        promptTokens + completionTokens));
  }

  /** Queues an answer that asks for one call of function {@code name} with JSON {@code arguments}. */
  public LoopbackModel callsTool(String callId, String name, String arguments, int promptTokens,
      int completionTokens) {
    return json(String.format(Locale.ROOT,
        "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"%s\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
            + "[{\"id\":\"%s\",\"type\":\"function\",\"function\":{\"name\":\"%s\",\"arguments\":%s}}]},"
            + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d,"
            + "\"total_tokens\":%d}}", model, callId, name, quote(arguments), promptTokens, completionTokens,
        promptTokens + completionTokens));
  }

  /** Queues a streamed answer, one chunk per piece, with usage in a last chunk. */
  public LoopbackModel streams(int promptTokens, int completionTokens, String... pieces) {
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

  /** Queues a streamed answer that asks for one call of function {@code name}, arguments in two fragments. */
  public LoopbackModel streamsToolCall(String callId, String name, String arguments) {
    int half = arguments.length() / 2;
    String sse = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\""
        + callId + "\",\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"arguments\":"
        + quote(arguments.substring(0, half)) + "}}]},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
        + quote(arguments.substring(half)) + "}}]},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\","
        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
        + "data: [DONE]\n\n";
    server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(sse)
        .build());
    return this;
  }

  /** Queues an HTTP error with an OpenAI-shaped body. */
  public LoopbackModel fails(int status) {
    server.enqueue(new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
        .body("{\"error\":{\"message\":\"scripted failure\",\"type\":\"server_error\"}}").build());
    return this;
  }

  /** Queues a raw JSON body with status 200. */
  public LoopbackModel json(String body) {
    server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body)
        .build());
    return this;
  }

  /** How many requests arrived. */
  public int requestCount() {
    return server.getRequestCount();
  }

  /** The next request that arrived, its body as text. */
  public String takeRequestBody() {
    try {
      RecordedRequest r = server.takeRequest();
      return r.getBody() == null ? "" : r.getBody().utf8();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String quote(String json) {
    return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public void close() {
    server.close();
  }
}
