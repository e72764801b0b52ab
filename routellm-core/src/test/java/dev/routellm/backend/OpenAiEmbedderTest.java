package dev.routellm.backend;

import static dev.routellm.backend.Fixtures.body;
import static dev.routellm.backend.Fixtures.json;
import static dev.routellm.backend.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.NonRetriableBackendException;
import dev.routellm.RetriableBackendException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class OpenAiEmbedderTest {
  private static final String KEY = "sk-embed-7Hq2Lm9Xc4Vb1Nz8";

  private final MockWebServer server = new MockWebServer();
  private final FakeRetryScheduler scheduler = new FakeRetryScheduler();
  private OpenAiEmbedder embedder;

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    if (embedder != null) {
      embedder.close();
    }
    server.close();
  }

  private OpenAiEmbedder.Builder builder() {
    return OpenAiEmbedder.builder()
        .baseUrl(server.url("/v1").toString())
        .model("text-embedding-3-small")
        .apiKey(KEY)
        .readTimeout(Duration.ofSeconds(10))
        .retryScheduler(scheduler);
  }

  private String endpoint() {
    return server.url("/v1/embeddings").toString();
  }

  /** An embeddings answer with {@code vectors[i]} at index {@code i}, listed in {@code order}. */
  private static String answer(float[][] vectors, int... order) {
    ObjectNode root = OpenAiHttp.MAPPER.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (int i : order) {
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      ArrayNode values = item.putArray("embedding");
      for (float v : vectors[i]) {
        values.add(v);
      }
    }
    root.put("model", "text-embedding-3-small");
    root.putObject("usage").put("prompt_tokens", 5).put("total_tokens", 5);
    return root.toString();
  }

  /** The vector the fake server returns for text number {@code i}. */
  private static float[] vectorFor(int i) {
    return new float[] {i, i + 0.5f, -i};
  }

  @Test
  void embedAll_manyTexts_sendsBatchesAndKeepsTheOrderOfTheTexts() throws Exception {
    List<String> texts = List.of("t0", "t1", "t2", "t3", "t4");
    // answers list their items out of order; the embedder must order them by index
    server.enqueue(json(answer(new float[][] {vectorFor(0), vectorFor(1)}, 1, 0)));
    server.enqueue(json(answer(new float[][] {vectorFor(2), vectorFor(3)}, 1, 0)));
    server.enqueue(json(answer(new float[][] {vectorFor(4)}, 0)));
    embedder = builder().expectedDimension(3).batchSize(2).build();

    List<float[]> vectors = embedder.embedAll(texts);

    assertThat(vectors).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(vectors.get(i)).as("vector of text %d", i).containsExactly(vectorFor(i));
    }
    List<List<String>> batches = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
      assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/embeddings");
      assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
      JsonNode body = body(request);
      assertThat(body.path("model").stringValue()).isEqualTo("text-embedding-3-small");
      assertThat(body.path("encoding_format").stringValue()).isEqualTo("float");
      assertThat(body.has("dimensions")).isFalse();
      List<String> batch = new ArrayList<>();
      body.path("input").forEach(t -> batch.add(t.stringValue()));
      batches.add(batch);
    }
    assertThat(batches).containsExactly(List.of("t0", "t1"), List.of("t2", "t3"), List.of("t4"));
  }

  @Test
  void embedAll_recordedShuffledAnswer_isOrderedByIndex() {
    server.enqueue(json(resource("openai-embeddings-shuffled.json")));
    embedder = builder().expectedDimension(3).build();

    List<float[]> vectors = embedder.embedAll(List.of("a", "b", "c"));

    assertThat(vectors.get(0)).containsExactly(0.1f, 0.0f, -0.1f);
    assertThat(vectors.get(1)).containsExactly(0.2f, 0.0f, -0.2f);
    assertThat(vectors.get(2)).containsExactly(0.3f, 0.0f, -0.3f);
  }

  @Test
  void embed_oneText_sendsItAlone() throws Exception {
    server.enqueue(json(answer(new float[][] {vectorFor(7)}, 0)));
    embedder = builder().dimensions(3).build();

    float[] vector = embedder.embed("hello");

    assertThat(vector).containsExactly(vectorFor(7));
    JsonNode body = body(server.takeRequest(5, TimeUnit.SECONDS));
    assertThat(body.path("input").toString()).isEqualTo("[\"hello\"]");
    assertThat(body.path("dimensions").intValue()).isEqualTo(3);
  }

  @Test
  void embedAll_emptyList_sendsNothing() {
    embedder = builder().build();

    assertThat(embedder.embedAll(List.of())).isEmpty();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void embedAll_base64Answer_isDecoded() {
    ByteBuffer bytes =
        ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(0.25f);
    String encoded = Base64.getEncoder().encodeToString(bytes.array());
    server.enqueue(json("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":\""
        + encoded + "\"}],\"model\":\"m\"}"));
    embedder = builder().expectedDimension(3).build();

    assertThat(embedder.embed("x")).containsExactly(1.5f, -2f, 0.25f);
  }

  @Test
  void embed_vectorOfTheWrongLength_isAClearError() {
    server.enqueue(json(answer(new float[][] {new float[] {0.1f, 0.2f}}, 0)));
    embedder = builder().retryPolicy(RetryPolicy.none()).build();

    assertThatThrownBy(() -> embedder.embed("hello"))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessage(
            "model 'text-embedding-3-small' at " + endpoint() + ": answer holds a 2-dimensional vector for text 0"
                + " but 1536 dimensions were expected (configure the embedder's dimension to match the model)");
  }

  @Test
  void embedAll_wrongLengthInALaterBatch_namesTheTextInTheCallersList() {
    server.enqueue(json(answer(new float[][] {vectorFor(0), vectorFor(1)}, 0, 1)));
    server.enqueue(json(answer(new float[][] {vectorFor(2), new float[] {1f}}, 0, 1)));
    embedder = builder().expectedDimension(3).batchSize(2).retryPolicy(RetryPolicy.none()).build();

    assertThatThrownBy(() -> embedder.embedAll(List.of("a", "b", "c", "d")))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageContaining("answer holds a 1-dimensional vector for text 3 but 3 dimensions were expected");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]},{\"index\":0,\"embedding\":[1,2,3]}]}"
            + "|answer's data[1] has index 0, which is out of range or repeated (batch of 2 texts)",
        "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]},{\"index\":5,\"embedding\":[1,2,3]}]}"
            + "|answer's data[1] has index 5, which is out of range or repeated (batch of 2 texts)",
        "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]}]}"
            + "|answer holds 1 embeddings for a batch of 2 texts (texts 0 to 1)",
        "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]},{\"index\":1,\"embedding\":[1,\"x\",3]}]}"
            + "|the embedding of text 1 has a non-numeric or non-finite value at position 1: \"x\"",
        "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]},{\"index\":1}]}"
            + "|the embedding of text 1 is missing or not an array of numbers",
        "{\"object\":\"list\"}|answer has no 'data' array of embeddings; it was: {\"object\":\"list\"}",
      })
  void embedAll_malformedAnswer_isRetriableSayingWhatIsWrong(String answer, String problem) {
    server.enqueue(json(answer));
    embedder = builder().expectedDimension(3).retryPolicy(RetryPolicy.none()).build();

    assertThatThrownBy(() -> embedder.embedAll(List.of("a", "b")))
        .isInstanceOfSatisfying(
            RetriableBackendException.class,
            e -> assertThat(e.kind()).isEqualTo(dev.routellm.BackendException.Kind.MALFORMED_ANSWER))
        .hasMessage("model 'text-embedding-3-small' at " + endpoint() + ": " + problem);
  }

  @Test
  void embed_unauthorized_failsAtOnceWithTheServersMessageAndNoKey() {
    server.enqueue(json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ".\","
        + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));
    embedder = builder().build();

    assertThatThrownBy(() -> embedder.embed("hello"))
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessage(
            "model 'text-embedding-3-small' at " + endpoint() + ": HTTP 401: Incorrect API key provided: [redacted]."
                + " (invalid_request_error)");
  }

  @Test
  void embed_429ThenSuccess_isRetried() {
    server.enqueue(
        json(429, "{\"error\":{\"message\":\"slow down\"}}").newBuilder().setHeader("Retry-After", "3").build());
    server.enqueue(json(answer(new float[][] {vectorFor(1)}, 0)));
    embedder = builder().expectedDimension(3).build();

    assertThat(embedder.embed("x")).containsExactly(vectorFor(1));
    assertThat(scheduler.waits()).containsExactly(Duration.ofSeconds(3));
  }

  @Test
  void embed_503Exhausted_isRetriable() {
    for (int i = 0; i < 2; i++) {
      server.enqueue(json(503, "{\"error\":{\"message\":\"The engine is currently overloaded\"}}"));
    }
    embedder = builder().retryPolicy(RetryPolicy.builder().maxAttempts(2).build()).build();

    assertThatThrownBy(() -> embedder.embed("x"))
        .isInstanceOf(RetriableBackendException.class)
        .hasMessageContaining("HTTP 503: The engine is currently overloaded (gave up after 2 attempts");
  }

  @Test
  void embedAll_nullText_isRejectedNamingItsPosition() {
    embedder = builder().build();

    assertThatThrownBy(() -> embedder.embedAll(Arrays.asList("a", null))).hasMessage("texts[1]");
  }

  @Test
  void idAndDimension_reflectModelAndRequestedDimensions() {
    embedder = builder().build();
    assertThat(embedder.id()).isEqualTo("openai:text-embedding-3-small");
    assertThat(embedder.dimension()).isEqualTo(1536);

    try (OpenAiEmbedder large = builder().model("text-embedding-3-large").build();
        OpenAiEmbedder shortened = builder().model("text-embedding-3-large").dimensions(256).build();
        OpenAiEmbedder ada = builder().model("text-embedding-ada-002").build();
        OpenAiEmbedder local = builder().model("BAAI/bge-small-en-v1.5").expectedDimension(384).build()) {
      assertThat(large.dimension()).isEqualTo(3072);
      assertThat(shortened.id()).isEqualTo("openai:text-embedding-3-large/256");
      assertThat(shortened.dimension()).isEqualTo(256);
      assertThat(ada.dimension()).isEqualTo(1536);
      assertThat(local.id()).isEqualTo("openai:BAAI/bge-small-en-v1.5");
      assertThat(local.dimension()).isEqualTo(384);
    }
  }

  @Test
  void build_unknownModelWithoutDimension_saysWhatToSet() {
    assertThatThrownBy(() -> builder().model("nomic-embed-text").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the vector length of model 'nomic-embed-text' is unknown; set expectedDimension(n), or dimensions(n)"
                + " to ask the server for n-dimensional vectors");
  }

  @Test
  void builder_invalidArguments_areRejected() {
    assertThatThrownBy(() -> builder().batchSize(0)).hasMessage("batchSize must be in [1, 2048] but was 0");
    assertThatThrownBy(() -> builder().dimensions(-3)).hasMessage("dimensions must be > 0 but was -3");
    assertThatThrownBy(() -> builder().dimensions(256).expectedDimension(512).build())
        .hasMessage("dimensions (256) and expectedDimension (512) disagree");
    assertThatThrownBy(() -> OpenAiEmbedder.builder().noApiKey().build()).hasMessageStartingWith("model is required");
  }

  @Test
  void toStringAndToBuilder_keepSettingsAndHideTheKey() throws Exception {
    OpenAiEmbedder original = builder().model("text-embedding-3-large").dimensions(256).batchSize(16).build();
    assertThat(original.toString()).doesNotContain(KEY).contains("id=openai:text-embedding-3-large/256");
    embedder = original.toBuilder().build();
    original.close();
    server.enqueue(json(answer(new float[][] {new float[256]}, 0)));

    assertThat(embedder.embed("x")).hasSize(256);
    assertThat(embedder.id()).isEqualTo(original.id());
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(body(request).path("dimensions").intValue()).isEqualTo(256);
  }

  @Test
  void close_isIdempotentAndLaterCallsFail() {
    embedder = builder().build();
    embedder.close();
    embedder.close();

    assertThatThrownBy(() -> embedder.embed("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("OpenAiEmbedder for model 'text-embedding-3-small' is closed");
  }
}
