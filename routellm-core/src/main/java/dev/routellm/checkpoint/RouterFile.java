package dev.routellm.checkpoint;

import dev.routellm.InvalidFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Everything a trained router needs to serve, in one safetensors file: the predictor kind and its weights (tensors),
 * the identity and dimension of the embedder it was trained with, the models it decides between (a strong and a weak
 * model, or for an N-way quality predictor a pool of models, {@link #pool()}), the calibrated threshold (optional) and
 * the predictor's scalar parameters. The fields live in the safetensors
 * {@code __metadata__} map, so any safetensors reader can open the file. Files written by {@link #write} carry a
 * checksum of their metadata and tensors, verified when they are read (files without one are read unchecked).
 *
 * <p>This class is the container and its validation; {@code dev.routellm.prediction.EmbeddingPredictor.load} turns
 * one into a predictor. Immutable and thread-safe.
 */
public final class RouterFile {
  /** Value of the {@value #FORMAT_KEY} metadata entry of files this version writes and reads. */
  public static final String FORMAT = "routellm-router/1";

  static final String FORMAT_KEY = "format";
  static final String KIND_KEY = "kind";
  static final String NAME_KEY = "name";
  static final String EMBEDDER_ID_KEY = "embedder.id";
  static final String EMBEDDER_DIMENSION_KEY = "embedder.dimension";
  static final String STRONG_KEY = "strong_model";
  static final String WEAK_KEY = "weak_model";
  /** Metadata key of an N-way predictor's models: a JSON array of names, in the predictor's order. */
  static final String POOL_KEY = "pool_models";
  static final String THRESHOLD_KEY = "threshold";
  static final String PARAMETER_PREFIX = "param.";
  /**
   * Metadata key of the checksum written since this key was introduced: {@code "crc32c:"} and eight hex digits over
   * the other metadata entries and every tensor (see {@link #checksum}). Files without it still load, unchecked.
   */
  static final String CHECKSUM_KEY = "checksum";
  private static final String CHECKSUM_PREFIX = "crc32c:";

  private final String kind;
  private final String name;
  private final String embedderId;
  private final int dimension;
  private final String strongModel;
  private final String weakModel;
  private final java.util.List<String> pool;
  private final double threshold;
  private final Map<String, String> parameters;
  private final Map<String, Tensor> tensors;
  private final String source;

  private RouterFile(Builder b, String source) {
    this.kind = b.kind;
    this.name = b.name;
    this.embedderId = b.embedderId;
    this.dimension = b.dimension;
    this.strongModel = b.strongModel;
    this.weakModel = b.weakModel;
    this.pool = b.pool;
    this.threshold = b.threshold;
    this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(b.parameters));
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(b.tensors));
    this.source = source;
  }

  /** A builder for a router file. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this file's fields. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.kind = kind;
    b.name = name;
    b.embedderId = embedderId;
    b.dimension = dimension;
    b.strongModel = strongModel;
    b.weakModel = weakModel;
    b.pool = pool;
    b.threshold = threshold;
    b.parameters.putAll(parameters);
    b.tensors.putAll(tensors);
    return b;
  }

  /**
   * Reads a router file.
   *
   * @throws InvalidFileException when the file is not a valid safetensors file, is not a router file of this format,
   *     or lacks a required field; the message names the file and the field
   */
  public static RouterFile read(Path file) {
    Objects.requireNonNull(file, "file");
    return parse(Safetensors.read(file), problem -> InvalidFileException.of(file, problem), file.toString());
  }

  /**
   * Reads a router file from memory (a classpath resource); {@code name} identifies it in error messages.
   *
   * @throws InvalidFileException as {@link #read(Path)}
   */
  public static RouterFile read(byte[] bytes, String name) {
    Objects.requireNonNull(name, "name");
    return parse(Safetensors.read(bytes, name), problem -> InvalidFileException.ofResource(name, problem, null),
        name);
  }

  private static RouterFile parse(Safetensors st, java.util.function.Function<String, InvalidFileException> problem,
      String source) {
    Map<String, String> meta = st.metadata();
    String format = meta.get(FORMAT_KEY);
    String recorded = meta.get(CHECKSUM_KEY);
    if (FORMAT.equals(format) && recorded != null) {
      String actual = checksum(meta, st.tensors());
      if (!actual.equals(recorded)) {
        throw problem.apply("checksum mismatch: metadata '" + CHECKSUM_KEY + "' records " + recorded
            + " but the content hashes to " + actual + "; the file was damaged (or edited) after it was saved:"
            + " restore it from a good copy or save the router again");
      }
    }
    if (!FORMAT.equals(format)) {
      throw problem.apply("not a router file: metadata '" + FORMAT_KEY + "' must be '" + FORMAT + "' but was "
          + (format == null ? "absent (a plain model checkpoint? load it with the predictor's own loader)"
          : "'" + format + "'"));
    }
    Builder b = builder();
    try {
      b.kind(required(meta, KIND_KEY, problem));
      String n = meta.get(NAME_KEY);
      if (n != null) {
        b.name(n);
      }
      b.embedder(required(meta, EMBEDDER_ID_KEY, problem),
          parseInt(EMBEDDER_DIMENSION_KEY, required(meta, EMBEDDER_DIMENSION_KEY, problem), problem));
      String pool = meta.get(POOL_KEY);
      if (pool != null) {
        b.pool(parsePool(pool, problem));
      } else {
        b.models(required(meta, STRONG_KEY, problem), required(meta, WEAK_KEY, problem));
      }
      String t = meta.get(THRESHOLD_KEY);
      if (t != null) {
        b.threshold(parseDouble(THRESHOLD_KEY, t, problem));
      }
    } catch (IllegalArgumentException e) {
      throw problem.apply(e.getMessage());
    }
    meta.forEach((k, v) -> {
      if (k.startsWith(PARAMETER_PREFIX)) {
        b.parameter(k.substring(PARAMETER_PREFIX.length()), v);
      }
    });
    st.tensors().forEach(b::tensor);
    return new RouterFile(b, source);
  }

  /** Writes this router file (atomically: a temporary sibling, then a move). */
  public void write(Path file) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(FORMAT_KEY, FORMAT);
    meta.put(KIND_KEY, kind);
    if (name != null) {
      meta.put(NAME_KEY, name);
    }
    meta.put(EMBEDDER_ID_KEY, embedderId);
    meta.put(EMBEDDER_DIMENSION_KEY, Integer.toString(dimension));
    if (pool != null) {
      meta.put(POOL_KEY, POOL_JSON.writeValueAsString(pool));
    } else {
      meta.put(STRONG_KEY, strongModel);
      meta.put(WEAK_KEY, weakModel);
    }
    if (!Double.isNaN(threshold)) {
      meta.put(THRESHOLD_KEY, Double.toString(threshold));
    }
    parameters.forEach((k, v) -> meta.put(PARAMETER_PREFIX + k, v));
    meta.put(CHECKSUM_KEY, checksum(meta, tensors));
    Safetensors.write(file, tensors, meta);
  }

  /**
   * CRC-32C over the metadata entries other than the checksum (sorted by key) and the tensors (sorted by name: name,
   * shape and the float32 bits of the values), so that a byte flipped anywhere in the file after saving is caught,
   * including one that leaves a weight finite or a number in the header well-formed.
   */
  static String checksum(Map<String, String> metadata, Map<String, Tensor> tensors) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    new java.util.TreeMap<>(metadata).forEach((k, v) -> {
      if (!k.equals(CHECKSUM_KEY)) {
        crc.update(k.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        crc.update(0);
        crc.update(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        crc.update(0);
      }
    });
    new java.util.TreeMap<>(tensors).forEach((name, t) -> {
      crc.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      crc.update(0);
      buf.clear();
      buf.putInt(t.rank());
      for (int i = 0; i < t.rank(); i++) {
        buf.putInt(t.dim(i));
      }
      for (float v : t.raw()) {
        if (buf.remaining() < Float.BYTES) {
          crc.update(buf.flip());
          buf.clear();
        }
        buf.putInt(Float.floatToRawIntBits(v));
      }
      crc.update(buf.flip());
    });
    return CHECKSUM_PREFIX + String.format("%08x", crc.getValue());
  }

  private static final tools.jackson.databind.ObjectMapper POOL_JSON =
      tools.jackson.databind.json.JsonMapper.builder().build();

  private static java.util.List<String> parsePool(String json,
      java.util.function.Function<String, InvalidFileException> problem) {
    java.util.List<String> models = new java.util.ArrayList<>();
    try {
      tools.jackson.databind.JsonNode array = POOL_JSON.readTree(json);
      if (array.isArray()) {
        for (tools.jackson.databind.JsonNode m : array) {
          models.add(m.isString() ? m.stringValue() : null);
        }
      }
    } catch (tools.jackson.core.JacksonException e) {
      models.clear();
    }
    if (models.isEmpty() || models.contains(null)) {
      throw problem.apply("metadata field '" + POOL_KEY + "' must be a non-empty JSON array of model names but was '"
          + (json.length() <= 60 ? json : json.substring(0, 57) + "...") + "'");
    }
    return models;
  }

  private static String required(Map<String, String> meta, String key,
      java.util.function.Function<String, InvalidFileException> problem) {
    String v = meta.get(key);
    if (v == null || v.isBlank()) {
      throw problem.apply("router file lacks metadata field '" + key + "'");
    }
    return v;
  }

  private static int parseInt(String key, String v,
      java.util.function.Function<String, InvalidFileException> problem) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw problem.apply("metadata field '" + key + "' must be an integer but was '" + v + "'");
    }
  }

  private static double parseDouble(String key, String v,
      java.util.function.Function<String, InvalidFileException> problem) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw problem.apply("metadata field '" + key + "' must be a number but was '" + v + "'");
    }
  }

  /** The predictor kind ({@code "knn"}, {@code "mf"}, ...). */
  public String kind() {
    return kind;
  }

  /**
   * The router's display name: the learner that trained it ({@code "knn-groups"}, {@code "topic-centroids"}, ...)
   * when the file records one, otherwise its {@link #kind()} (several learners write the same kind).
   */
  public String name() {
    return name != null ? name : kind;
  }

  /** Id of the embedder the weights were trained with. */
  public String embedderId() {
    return embedderId;
  }

  /** Dimension of that embedder's vectors. */
  public int dimension() {
    return dimension;
  }

  /** The strong model of a two-model router; null for an N-way predictor's file ({@link #isPool()}). */
  public String strongModel() {
    return strongModel;
  }

  /** The weak model of a two-model router; null for an N-way predictor's file ({@link #isPool()}). */
  public String weakModel() {
    return weakModel;
  }

  /** Whether the file holds an N-way predictor over a {@link #pool()} of models rather than a strong/weak pair. */
  public boolean isPool() {
    return pool != null;
  }

  /**
   * The models the predictor decides between, in its order: the pool of an N-way predictor, or the strong and the
   * weak model (unmodifiable).
   */
  public java.util.List<String> pool() {
    return pool != null ? pool : java.util.List.of(strongModel, weakModel);
  }

  /** The calibrated threshold, empty when the file was saved before calibration. */
  public OptionalDouble threshold() {
    return Double.isNaN(threshold) ? OptionalDouble.empty() : OptionalDouble.of(threshold);
  }

  /** The predictor's scalar parameters (unmodifiable). */
  public Map<String, String> parameters() {
    return parameters;
  }

  /** The predictor's weights by name (unmodifiable). */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  /** Where the file was read from, or {@code "(in memory)"}. */
  public String source() {
    return source;
  }

  /**
   * A parameter that must be present.
   *
   * @throws InvalidFileException naming the file and the parameter when it is absent
   */
  public String parameter(String name) {
    String v = parameters.get(Objects.requireNonNull(name, "name"));
    if (v == null) {
      throw InvalidFileException.ofResource(source, "router file of kind '" + kind + "' lacks parameter '" + name
          + "'", null);
    }
    return v;
  }

  /**
   * An integer parameter that must be present.
   *
   * @throws InvalidFileException naming the file and the parameter when it is absent or not an integer
   */
  public int intParameter(String name) {
    String v = parameter(name);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw InvalidFileException.ofResource(source, "parameter '" + name + "' must be an integer but was '" + v + "'",
          e);
    }
  }

  /**
   * A numeric parameter that must be present.
   *
   * @throws InvalidFileException naming the file and the parameter when it is absent or not a number
   */
  public double doubleParameter(String name) {
    String v = parameter(name);
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw InvalidFileException.ofResource(source, "parameter '" + name + "' must be a number but was '" + v + "'",
          e);
    }
  }

  /**
   * A tensor that must be present with the given shape ({@code -1} matches any size) and only finite values: router
   * weights are never NaN or infinite, and one that is would turn every score into garbage.
   *
   * @throws InvalidFileException naming the file and the tensor when it is absent, misshapen or holds a non-finite
   *     value (the message gives the first one and its index)
   */
  public Tensor tensor(String name, int... expectedShape) {
    Tensor t = tensors.get(Objects.requireNonNull(name, "name"));
    if (t == null) {
      throw InvalidFileException.ofResource(source, "router file of kind '" + kind + "' lacks tensor '" + name
          + "' (present: " + tensors.keySet() + ")", null);
    }
    if (!t.hasShape(expectedShape)) {
      throw InvalidFileException.ofResource(source, "tensor '" + name + "' must have shape "
          + Tensor.pattern(expectedShape) + " but has " + java.util.Arrays.toString(t.shape()), null);
    }
    float[] values = t.raw();
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw InvalidFileException.ofResource(source, "tensor '" + name + "' holds a non-finite value " + values[i]
            + " at index " + i + " (of " + values.length + "); the file is damaged or was trained on broken data",
            null);
      }
    }
    return t;
  }

  /**
   * Builds a {@link RouterFile}. Setters validate at once; {@link #build()} checks that the required fields are set.
   * Not thread-safe.
   */
  public static final class Builder {
    private String kind;
    private String name;
    private String embedderId;
    private int dimension;
    private String strongModel;
    private String weakModel;
    private java.util.List<String> pool;
    private double threshold = Double.NaN;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    private Builder() {}

    /** The predictor kind. Required. */
    public Builder kind(String value) {
      this.kind = nonBlank(value, "kind");
      return this;
    }

    /** The display name, when it is not the kind (the learner that trained it); optional. */
    public Builder name(String value) {
      this.name = nonBlank(value, "name");
      return this;
    }

    /** The embedder's id and dimension. Required. */
    public Builder embedder(String id, int dim) {
      this.embedderId = nonBlank(id, "embedder id");
      if (dim <= 0) {
        throw new IllegalArgumentException("embedder dimension must be > 0 but was " + dim);
      }
      this.dimension = dim;
      return this;
    }

    /** The strong and weak model names. Required, unless the file holds an N-way predictor ({@link #pool}). */
    public Builder models(String strong, String weak) {
      this.strongModel = nonBlank(strong, "strong model");
      this.weakModel = nonBlank(weak, "weak model");
      this.pool = null;
      return this;
    }

    /**
     * The models of an N-way predictor, in its order, instead of a strong/weak pair.
     *
     * @throws IllegalArgumentException when the list is empty or a name is blank or repeated
     */
    public Builder pool(java.util.List<String> models) {
      java.util.List<String> copy = java.util.List.copyOf(Objects.requireNonNull(models, "models"));
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("a pool needs at least one model");
      }
      if (new java.util.HashSet<>(copy).size() != copy.size()) {
        throw new IllegalArgumentException("pool models must be distinct but were " + copy);
      }
      copy.forEach(m -> nonBlank(m, "pool model"));
      this.pool = copy;
      this.strongModel = null;
      this.weakModel = null;
      return this;
    }

    /** The calibrated threshold, in [0, 1]; optional. */
    public Builder threshold(double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException("threshold must be in [0, 1] but was " + value);
      }
      this.threshold = value;
      return this;
    }

    /** A scalar parameter of the predictor. */
    public Builder parameter(String name, String value) {
      parameters.put(nonBlank(name, "parameter name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** A weight tensor of the predictor. */
    public Builder tensor(String name, Tensor value) {
      tensors.put(nonBlank(name, "tensor name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Builds the file.
     *
     * @throws IllegalStateException when kind, embedder or models are missing
     */
    public RouterFile build() {
      if (kind == null || embedderId == null || (strongModel == null && pool == null)) {
        throw new IllegalStateException("kind, embedder and models are required (kind=" + kind + ", embedder="
            + embedderId + ", strong=" + strongModel + ", pool=" + pool + ")");
      }
      return new RouterFile(this, "(in memory)");
    }

    private static String nonBlank(String v, String what) {
      Objects.requireNonNull(v, what);
      if (v.isBlank()) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
      return v;
    }
  }
}
