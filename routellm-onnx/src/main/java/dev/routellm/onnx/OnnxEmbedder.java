package dev.routellm.onnx;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.embedding.Embedder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A sentence embedder that runs an ONNX export of a transformer in-process with ONNX Runtime: the built-in quantized
 * all-MiniLM-L6-v2 and bge-small-en-v1.5, or any sentence-transformers model exported to ONNX with its {@code
 * tokenizer.json}.
 *
 * <pre>{@code
 * try (OnnxEmbedder embedder = OnnxEmbedder.allMiniLmL6V2()) {
 *   float[] v = embedder.embed("What is the capital of France?");   // 384 floats, unit length
 * }
 * OnnxEmbedder e5 = OnnxEmbedder.builder()
 *     .modelDirectory(Path.of("models/e5-small-v2"))      // model.onnx + tokenizer.json
 *     .pooling(Pooling.MEAN).maxLength(512)
 *     .build();
 * }</pre>
 *
 * <p><b>Vectors.</b> Each text is tokenized with truncation at {@link #maxLength()} tokens (always set explicitly: the
 * limit inside a {@code tokenizer.json} is ignored), run through the model, pooled ({@link Pooling}) and, unless
 * disabled, scaled to unit length. Texts longer than the maximum length are cut or rejected as {@link LongInputPolicy}
 * says; empty or whitespace-only texts are rejected with an {@link IllegalArgumentException}.
 *
 * <p><b>Determinism.</b> With the default batch size of 1, every text runs alone, with no padding: the same text gets
 * the bit-identical vector from {@link #embed} and {@link #embedAll}, whatever else is in the list, in which order, on
 * which thread. This matters for dynamically quantized models such as the built-in ones: their activations are
 * quantized with one scale per tensor, so a text run in a batch with other texts gets a slightly different vector
 * (measured here on RouteLLM prompts: cosine similarity down to 0.988 against the same text run alone, with or
 * without padding). A {@linkplain Builder#batchSize(int) batch size} above 1 groups texts of similar length into padded
 * batches: faster on GPUs, slower on the CPUs measured here, and with that small dependence on batch composition.
 * The number of threads an inference uses does not change its vector: a call alone on the embedder runs on all cores
 * and overlapping calls on one core each ({@link ExecutionOptions}), and ONNX Runtime splits the work without changing
 * the arithmetic (bit-identical to one thread with 2, 3, 4 and 8 threads on 120 RouteLLM prompts, tested; each model
 * is also checked at load, on inputs of four lengths, and keeps one thread count if they would differ). Different execution providers (CPU, CUDA) may differ in the last bits of
 * floating point; {@link #id()} does not include the provider.
 *
 * <p><b>Thread-safety and lifecycle.</b> Thread-safe: share one instance. It holds a native ONNX Runtime session and a
 * native tokenizer until {@link #close()}, which waits for calls in flight, is idempotent, and makes later calls throw
 * {@link IllegalStateException}. {@link #embedAll} spreads texts over {@link ExecutionOptions#parallelism()} threads,
 * longest first.
 * No argument or list element may be null.
 */
public final class OnnxEmbedder implements Embedder {
  /** Texts per model run unless set: 1, each text alone (see the class comment on determinism). */
  public static final int DEFAULT_BATCH_SIZE = 1;

  /** Output names holding per-token vectors, in the order looked for. */
  static final List<String> TOKEN_OUTPUTS = List.of("last_hidden_state", "token_embeddings");

  private final TransformerModel model;
  private final Pooling pooling;
  private final boolean normalize;
  private final String id;
  private final int dimension;

  private OnnxEmbedder(TransformerModel model, Pooling pooling, boolean normalize) {
    this.model = model;
    this.pooling = pooling;
    this.normalize = normalize;
    this.dimension = model.width();
    String modelId = model.fingerprint().isEmpty() ? model.name() : model.name() + "@" + model.fingerprint();
    this.id = modelId + "/" + pooling.label() + "/" + (normalize ? "l2" : "raw") + "/" + model.maxLength();
  }

  /** The built-in quantized all-MiniLM-L6-v2 with its defaults (mean pooling, unit length, 256 tokens) on the CPU. */
  public static OnnxEmbedder allMiniLmL6V2() {
    return builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).build();
  }

  /** The built-in quantized bge-small-en-v1.5 with its defaults (CLS pooling, unit length, 512 tokens) on the CPU. */
  public static OnnxEmbedder bgeSmallEnV15() {
    return builder().builtIn(BuiltInEmbeddingModel.BGE_SMALL_EN_V15_Q).build();
  }

  /** A builder; one model source ({@code builtIn}, {@code modelDirectory} or {@code modelFiles}) is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The model and the settings that change vectors: {@code name[@fingerprint]/pooling/l2|raw/maxLength}, for example
   * {@code all-minilm-l6-v2-q/mean/l2/256}. Models loaded from files carry a CRC-32C fingerprint of the model and
   * tokenizer bytes, so two different models in same-named directories never share an id.
   */
  @Override
  public String id() {
    return id;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /**
   * The embedding of one text.
   *
   * @throws NullPointerException when {@code text} is null
   * @throws IllegalArgumentException when the text is empty or whitespace only, or too long under {@link
   *     LongInputPolicy#REJECT}
   * @throws IllegalStateException after {@link #close()}
   * @throws InvalidFileException when the model fails on this input
   */
  @Override
  public float[] embed(String text) {
    Objects.requireNonNull(text, "text");
    return model.runOne(text, this::pool);
  }

  /**
   * Embeddings of many texts, in order; each vector is bit-identical to {@link #embed}'s for the same text unless a
   * batch size above 1 was chosen. Texts are spread over {@link ExecutionOptions#parallelism()} threads. The first
   * invalid text (by position) fails the call, naming its index.
   *
   * @throws NullPointerException when the list or one of its texts is null
   * @throws IllegalArgumentException when a text is empty or too long under {@link LongInputPolicy#REJECT}
   * @throws java.util.concurrent.CancellationException when the calling thread is interrupted (its flag is kept)
   */
  @Override
  public List<float[]> embedAll(List<String> texts) {
    return model.runAll(texts, this::pool);
  }

  private float[] pool(FloatBuffer output, int rowStart, int tokens) {
    float[] v = new float[dimension];
    if (pooling == Pooling.CLS) {
      output.get(rowStart, v);
    } else {
      float[] token = new float[dimension];
      for (int j = 0; j < tokens; j++) {
        output.get(rowStart + j * dimension, token);
        for (int d = 0; d < dimension; d++) {
          v[d] += token[d];
        }
      }
      for (int d = 0; d < dimension; d++) {
        v[d] /= tokens;
      }
    }
    if (normalize) {
      double sum = 0;
      for (float x : v) {
        sum += (double) x * x;
      }
      if (sum > 0) {
        float scale = (float) (1.0 / Math.sqrt(sum));
        for (int d = 0; d < dimension; d++) {
          v[d] *= scale;
        }
      }
    }
    return v;
  }

  /** Whether a text has more tokens than {@link #maxLength()}, so that it is cut (or rejected). */
  public boolean exceedsMaxLength(String text) {
    return model.exceedsMaxLength(text);
  }

  /** The maximum length in tokens, special tokens included. */
  public int maxLength() {
    return model.maxLength();
  }

  /** The pooling in use. */
  public Pooling pooling() {
    return pooling;
  }

  /** Whether vectors are scaled to unit length. */
  public boolean normalized() {
    return normalize;
  }

  /** The provider the model actually runs on: the CPU after a fallback from CUDA. */
  public ExecutionProvider provider() {
    return model.provider();
  }

  /** The model underneath, for tests in this package. */
  TransformerModel model() {
    return model;
  }

  /** Frees the native session and tokenizer; waits for calls in flight. Idempotent. */
  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "OnnxEmbedder{id=" + id + ", dimension=" + dimension + ", provider=" + provider() + "}";
  }

  /**
   * Builds an {@link OnnxEmbedder}. Setters validate at once and refuse a second model source; {@link #build()} loads
   * the model and checks it against the tokenizer. Not thread-safe.
   */
  public static final class Builder {
    private final ModelSettings settings = new ModelSettings("builtIn, modelDirectory, modelFiles");
    private BuiltInEmbeddingModel builtIn;
    private String name;
    private Pooling pooling;
    private boolean normalize = true;

    private Builder() {}

    /** One of the built-in models; its pooling and maximum length apply unless set. */
    public Builder builtIn(BuiltInEmbeddingModel model) {
      Objects.requireNonNull(model, "model");
      settings.builtIn();
      this.builtIn = model;
      return this;
    }

    /**
     * A directory holding {@code model.onnx} (or {@code onnx/model.onnx}) and {@code tokenizer.json}. When the
     * directory has sentence-transformers' {@code sentence_bert_config.json} and {@code 1_Pooling/config.json}, the
     * maximum length and pooling come from there unless set; otherwise both must be set.
     */
    public Builder modelDirectory(Path directory) {
      settings.directory(directory);
      return this;
    }

    /** An ONNX model file and its {@code tokenizer.json}; pooling and maximum length must then be set. */
    public Builder modelFiles(Path model, Path tokenizer) {
      settings.files(model, tokenizer);
      return this;
    }

    /** The model's name in {@link #id()}; defaults to the built-in name, the directory's or the file's name. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank() || name.contains("/")) {
        throw new IllegalArgumentException("name must be non-blank without '/' but was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /** The pooling; set it unless the model is built in or its directory records it. */
    public Builder pooling(Pooling pooling) {
      this.pooling = Objects.requireNonNull(pooling, "pooling");
      return this;
    }

    /**
     * The maximum length in tokens, special tokens included; set it unless the model is built in or its directory
     * records it. The model is checked at load to accept this length.
     *
     * @throws IllegalArgumentException when not in [2, 65536]
     */
    public Builder maxLength(int maxLength) {
      settings.maxLength(maxLength);
      return this;
    }

    /** Whether vectors are scaled to unit length; true unless set. */
    public Builder normalize(boolean normalize) {
      this.normalize = normalize;
      return this;
    }

    /**
     * The model output holding per-token vectors; unless set, {@code last_hidden_state}, then {@code
     * token_embeddings}, then the model's only rank-3 output.
     */
    public Builder outputName(String outputName) {
      settings.outputName(outputName);
      return this;
    }

    /** What happens to texts over the maximum length; {@link LongInputPolicy#TRUNCATE} unless set. */
    public Builder longInputs(LongInputPolicy policy) {
      settings.longInputs(policy);
      return this;
    }

    /**
     * Texts per model run in {@link OnnxEmbedder#embedAll}; {@value OnnxEmbedder#DEFAULT_BATCH_SIZE} unless set. Above
     * 1, texts are sorted by length and padded into batches, which helps on GPUs but makes vectors depend slightly on
     * batch composition for quantized models (see the class comment).
     *
     * @throws IllegalArgumentException when not in [1, 4096]
     */
    public Builder batchSize(int batchSize) {
      settings.batchSize(batchSize);
      return this;
    }

    /** Provider, threads and optimisation level; {@link ExecutionOptions#defaults()} unless set. */
    public Builder execution(ExecutionOptions execution) {
      settings.execution(execution);
      return this;
    }

    /**
     * Loads the model.
     *
     * @throws IllegalStateException when no model source is set, or pooling or maximum length are unknown
     * @throws InvalidFileException when a file is missing or malformed, the model lacks the expected inputs or output,
     *     or the tokenizer does not belong to the model
     * @throws ConfigurationException when a built-in model's artifact is missing, the provider cannot load (with
     *     {@link ProviderFallback#FAIL}), or the maximum length is more than the model accepts
     */
    public OnnxEmbedder build() {
      ModelSource source;
      Pooling effectivePooling = pooling;
      Integer effectiveMaxLength = settings.maxLength();
      if (builtIn != null) {
        source = builtIn.source();
        effectivePooling = pooling != null ? pooling : builtIn.pooling();
        effectiveMaxLength = effectiveMaxLength != null ? effectiveMaxLength : builtIn.maxLength();
      } else {
        source = settings.fileSource();
        if (settings.directory() != null) {
          // An explicit setting wins without reading the file, so it also overrides a file this library cannot use.
          if (effectivePooling == null) {
            effectivePooling = SentenceTransformersConfig.pooling(settings.directory()).orElse(null);
          }
          if (effectiveMaxLength == null) {
            effectiveMaxLength = SentenceTransformersConfig.maxLength(settings.directory()).orElse(null);
          }
        }
      }
      if (effectivePooling == null) {
        throw new IllegalStateException(
            "pooling is not set and " + source.modelLocation() + " does not record it (no "
                + SentenceTransformersConfig.POOLING_FILE + "): call pooling(Pooling.MEAN) or pooling(Pooling.CLS)");
      }
      if (effectiveMaxLength == null) {
        throw new IllegalStateException(
            "maxLength is not set and " + source.modelLocation() + " does not record it (no "
                + SentenceTransformersConfig.MAX_LENGTH_FILE + "): call maxLength(...); the limit inside"
                + " tokenizer.json is deliberately not used");
      }
      if (name != null) {
        source = source.withName(name);
      }
      TransformerModel model =
          settings.load(
              source,
              effectiveMaxLength,
              new TransformerModel.OutputSpec(
                  "per-token vectors [batch, sequence, hidden]", 3, TOKEN_OUTPUTS, settings.outputName()));
      if (builtIn != null && model.width() != builtIn.dimension()) {
        String location = source.modelLocation();
        int width = model.width();
        model.close();
        throw InvalidFileException.ofResource(
            location, "has " + width + " dimensions, not the " + builtIn.dimension() + " expected of " + builtIn, null);
      }
      return new OnnxEmbedder(model, effectivePooling, normalize);
    }
  }
}
