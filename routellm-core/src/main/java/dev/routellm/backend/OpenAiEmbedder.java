package dev.routellm.backend;

import dev.routellm.embedding.Embedder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An {@link Embedder} for any server that speaks OpenAI's embeddings API ({@code POST {baseUrl}/embeddings}):
 * OpenAI's {@code text-embedding-3-small} (the embedding RouteLLM's matrix-factorisation router was trained on),
 * vLLM, Ollama's {@code /v1}, Together, a llama.cpp server started with {@code --embeddings}.
 *
 * <pre>{@code
 * try (OpenAiEmbedder e = OpenAiEmbedder.builder().model("text-embedding-3-small").build()) {
 *   List<float[]> vectors = e.embedAll(prompts);   // batches of 128, in the order of prompts
 * }
 * }</pre>
 *
 * <p>Connection options, retries and failures are those of {@link OpenAiBackend} (same HTTP machinery, same
 * {@code DEFAULT_} timeouts, same redaction of the key). {@link #embedAll(List)} sends batches of {@link
 * Builder#batchSize(int)} texts, one after another, and returns the vectors in the order of the texts whatever order
 * the server lists them in (by their {@code index}). A response with a missing or repeated index, or a vector whose
 * length is not {@link #dimension()}, is a {@link dev.routellm.NonRetriableBackendException}. Vectors are returned as
 * the server sent them (OpenAI's are unit length; other servers' may not be).
 *
 * <p>Thread-safe and immutable; {@link #close()} releases the HTTP client it built (never a caller's), is idempotent,
 * and after it every call fails with {@link IllegalStateException}. Not guaranteed: a failure in a later batch of
 * {@code embedAll} discards the vectors of earlier batches.
 */
public final class OpenAiEmbedder implements Embedder {
  /** Texts per request in {@link #embedAll(List)}. */
  public static final int DEFAULT_BATCH_SIZE = 128;
  /** The most inputs OpenAI accepts in one embeddings request. */
  public static final int MAX_BATCH_SIZE = 2048;

  static final String EMBEDDINGS_PATH = "embeddings";
  /** Vector lengths of OpenAI's embedding models at their full size. */
  static final Map<String, Integer> KNOWN_DIMENSIONS =
      Map.of("text-embedding-3-small", 1536, "text-embedding-3-large", 3072, "text-embedding-ada-002", 1536);

  private final String model;
  private final int requestedDimensions;
  private final int dimension;
  private final int batchSize;
  private final OpenAiHttp http;

  private OpenAiEmbedder(Builder b, HttpSettings settings, int dimension) {
    this.model = b.model;
    this.requestedDimensions = b.dimensions;
    this.dimension = dimension;
    this.batchSize = b.batchSize;
    this.http = new OpenAiHttp("OpenAiEmbedder", model, settings);
  }

  /** A builder with OpenAI's base URL and the key from {@value OpenAiBackend#DEFAULT_API_KEY_VARIABLE}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this embedder's settings (the API key as resolved when it was built). */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.copyFrom(http.settings());
    b.model = model;
    b.dimensions = requestedDimensions;
    b.expectedDimension = requestedDimensions > 0 ? 0 : dimension;
    b.batchSize = batchSize;
    return b;
  }

  /** {@code "openai:<model>"}, with {@code "/<dimensions>"} appended when the server is asked for shorter vectors. */
  @Override
  public String id() {
    return "openai:" + model + (requestedDimensions > 0 ? "/" + requestedDimensions : "");
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /** The model name sent to the server. */
  public String model() {
    return model;
  }

  @Override
  public float[] embed(String text) {
    Objects.requireNonNull(text, "text");
    return embedAll(List.of(text)).get(0);
  }

  /**
   * The embeddings of {@code texts}, in order; one request per batch. An empty list sends nothing.
   *
   * @throws NullPointerException when {@code texts} or one of its elements is null
   * @throws dev.routellm.BackendException when a batch fails after retries, or its answer is malformed
   * @throws IllegalStateException when this embedder is closed
   */
  @Override
  public List<float[]> embedAll(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    for (int i = 0; i < texts.size(); i++) {
      Objects.requireNonNull(texts.get(i), "texts[" + i + "]");
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (int start = 0; start < texts.size(); start += batchSize) {
      List<String> batch = texts.subList(start, Math.min(texts.size(), start + batchSize));
      int offset = start;
      out.addAll(http.send(EMBEDDINGS_PATH, body(batch), r -> vectors(OpenAiHttp.readJson(r), batch.size(), offset)));
    }
    return out;
  }

  private ObjectNode body(List<String> batch) {
    ObjectNode body = OpenAiHttp.MAPPER.createObjectNode();
    body.put("model", model);
    ArrayNode input = body.putArray("input");
    batch.forEach(input::add);
    body.put("encoding_format", "float");
    if (requestedDimensions > 0) {
      body.put("dimensions", requestedDimensions);
    }
    return body;
  }

  /** The vectors of one batch, ordered by {@code index}; {@code offset} is the batch's start in the caller's list. */
  private List<float[]> vectors(JsonNode root, int expected, int offset) {
    JsonNode data = root.path("data");
    if (!data.isArray()) {
      throw new ResponseFormatException(
          "answer has no 'data' array of embeddings; it was: " + OpenAiHttp.quote(root.toString(), 300));
    }
    if (data.size() != expected) {
      throw new ResponseFormatException(
          "answer holds " + data.size() + " embeddings for a batch of " + expected + " texts (texts " + offset + " to "
              + (offset + expected - 1) + ")");
    }
    float[][] slots = new float[expected][];
    for (int position = 0; position < expected; position++) {
      JsonNode item = data.path(position);
      int index = item.path("index").canConvertToInt() ? item.path("index").intValue() : position;
      if (index < 0 || index >= expected || slots[index] != null) {
        throw new ResponseFormatException(
            "answer's data[" + position + "] has index " + index + ", which is out of range or repeated (batch of "
                + expected + " texts)");
      }
      float[] vector = vector(item.path("embedding"), offset + index);
      if (vector.length != dimension) {
        throw new ResponseFormatException(
            "answer holds a " + vector.length + "-dimensional vector for text " + (offset + index) + " but " + dimension
                + " dimensions were expected (configure the embedder's dimension to match the model)");
      }
      slots[index] = vector;
    }
    return Arrays.asList(slots);
  }

  /** A JSON array of numbers, or base64 little-endian float32 (servers that ignore {@code encoding_format}). */
  private static float[] vector(JsonNode embedding, int text) {
    if (embedding.isString()) {
      ByteBuffer bytes;
      try {
        bytes = ByteBuffer.wrap(Base64.getDecoder().decode(embedding.stringValue())).order(ByteOrder.LITTLE_ENDIAN);
      } catch (IllegalArgumentException e) {
        throw new ResponseFormatException("the embedding of text " + text + " is a string but not base64", e);
      }
      float[] out = new float[bytes.remaining() / Float.BYTES];
      bytes.asFloatBuffer().get(out);
      return out;
    }
    if (!embedding.isArray()) {
      throw new ResponseFormatException("the embedding of text " + text + " is missing or not an array of numbers");
    }
    float[] out = new float[embedding.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode x = embedding.path(i);
      if (!x.isNumber() || !Double.isFinite(x.doubleValue())) {
        throw new ResponseFormatException(
            "the embedding of text " + text + " has a non-numeric or non-finite value at position " + i + ": " + x);
      }
      out[i] = x.floatValue();
    }
    return out;
  }

  /** Releases the HTTP client this embedder built (never a caller's). Idempotent. */
  @Override
  public void close() {
    http.close();
  }

  /** Settings for diagnostics; the API key and credential headers are never shown. */
  @Override
  public String toString() {
    return "OpenAiEmbedder{id=" + id() + ", dimension=" + dimension + ", batchSize=" + batchSize + ", "
        + http.settings() + (http.isClosed() ? ", closed" : "") + "}";
  }

  /**
   * Builds an {@link OpenAiEmbedder}. Not thread-safe. Each setter validates its argument at once; {@link #build()}
   * checks that a model was given and that its dimension is known.
   */
  public static final class Builder extends HttpSettings.Builder<Builder> {
    private String model;
    private int dimensions;
    private int expectedDimension;
    private int batchSize = DEFAULT_BATCH_SIZE;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** The embedding model the server knows (for example {@code text-embedding-3-small}). Required. */
    public Builder model(String value) {
      this.model = OpenAiBackend.Builder.nonBlank(value, "model");
      return this;
    }

    /**
     * Asks the server for vectors of {@code n} dimensions (OpenAI's {@code dimensions} parameter, supported by the
     * {@code text-embedding-3} models and some others). Becomes part of {@link OpenAiEmbedder#id()}.
     */
    public Builder dimensions(int n) {
      this.dimensions = positive(n, "dimensions");
      return this;
    }

    /**
     * Declares the length of the model's vectors without asking the server to change it: needed for models other
     * than OpenAI's {@code text-embedding-3-small}, {@code -3-large} and {@code ada-002}, whose lengths are known.
     */
    public Builder expectedDimension(int n) {
      this.expectedDimension = positive(n, "expectedDimension");
      return this;
    }

    /** Texts per request in {@code embedAll}, in [1, {@value OpenAiEmbedder#MAX_BATCH_SIZE}]. */
    public Builder batchSize(int n) {
      if (n < 1 || n > MAX_BATCH_SIZE) {
        throw new IllegalArgumentException("batchSize must be in [1, " + MAX_BATCH_SIZE + "] but was " + n);
      }
      this.batchSize = n;
      return this;
    }

    /**
     * Builds the embedder.
     *
     * @throws IllegalStateException when no model was given, its dimension is unknown, or {@code dimensions} and
     *     {@code expectedDimension} disagree
     * @throws dev.routellm.ConfigurationException when the environment variable named for the key is unset, or no key
     *     was found for OpenAI's own API (api.openai.com; {@code noApiKey()} is for servers that need none)
     */
    public OpenAiEmbedder build() {
      if (model == null) {
        throw new IllegalStateException("model is required, for example text-embedding-3-small");
      }
      if (dimensions > 0 && expectedDimension > 0 && dimensions != expectedDimension) {
        throw new IllegalStateException(
            "dimensions (" + dimensions + ") and expectedDimension (" + expectedDimension + ") disagree");
      }
      int dimension =
          dimensions > 0
              ? dimensions
              : expectedDimension > 0 ? expectedDimension : KNOWN_DIMENSIONS.getOrDefault(model, 0);
      if (dimension == 0) {
        throw new IllegalStateException(
            "the vector length of model '" + model + "' is unknown; set expectedDimension(n), or dimensions(n) to ask"
                + " the server for n-dimensional vectors");
      }
      return new OpenAiEmbedder(this, settings(), dimension);
    }

    private static int positive(int n, String field) {
      if (n < 1) {
        throw new IllegalArgumentException(field + " must be > 0 but was " + n);
      }
      return n;
    }
  }
}
