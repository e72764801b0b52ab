package dev.routellm.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import tools.jackson.databind.JsonNode;

/** Recorded server payloads (test resources next to this class) and response shortcuts. */
final class Fixtures {
  private Fixtures() {}

  /** A test resource of this package as text. */
  static String resource(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A 200 answer with a JSON body. */
  static MockResponse json(String body) {
    return json(200, body);
  }

  static MockResponse json(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  /** A 200 answer with a server-sent event stream. */
  static MockResponse eventStream(String body) {
    return new MockResponse.Builder()
        .setHeader("Content-Type", "text/event-stream; charset=utf-8")
        .setHeader("Cache-Control", "no-cache")
        .body(body)
        .build();
  }

  /** The JSON body the backend sent. */
  static JsonNode body(RecordedRequest request) {
    return OpenAiHttp.MAPPER.readTree(request.getBody().utf8());
  }

  /** A minimal OpenAI chat completion answering {@code text}. */
  static String completion(String text) {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1737100000,\"model\":\"gpt-4o-mini\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
        + OpenAiHttp.MAPPER.writeValueAsString(text)
        + "},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12}}";
  }
}
