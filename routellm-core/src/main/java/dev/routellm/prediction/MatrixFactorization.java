package dev.routellm.prediction;

import dev.routellm.internal.BoundedFiles;
import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Safetensors;
import dev.routellm.checkpoint.Tensor;
import dev.routellm.internal.linalg.DenseMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * RouteLLM's matrix-factorization router: a checkpoint holding one embedding per known model ({@code P.weight}
 * [models, dim]), a projection of the prompt embedding ({@code text_proj.0.weight} [dim, textDim]) and a classifier
 * vector ({@code classifier.0.weight} [1, dim]). For models {@code m}, prompt embedding {@code e}:
 *
 * <pre>
 *   v_m    = P[m] / |P[m]|
 *   d(m,e) = w2 . (v_m * (W1 e))
 *   s      = sigmoid(d(strong, e) - d(weak, e))
 * </pre>
 *
 * Everything is linear in {@code e}, so {@link #scorer(String, String)} collapses a pair to one vector {@code u =
 * W1^T (w2 * (v_strong - v_weak))} and scores with a single dot product.
 *
 * <p>RouteLLM's published checkpoints name no models: row {@code i} of {@code P.weight} is position {@code i} of
 * {@link #ROUTELLM_MODELS}. Checkpoints this library trains record their own model list in the safetensors metadata
 * ({@value #MODELS_METADATA_KEY}, a JSON array) and otherwise keep the same layout, so both load with {@link #load}.
 *
 * <p>Immutable and thread-safe.
 */
public final class MatrixFactorization {
  /** The checkpoint file inside a checkpoint directory. */
  public static final String CHECKPOINT_FILE = "model.safetensors";
  /** Metadata key holding the model names of checkpoints trained by this library. */
  public static final String MODELS_METADATA_KEY = "models";
  /** Tensor names, as PyTorch saves RouteLLM's {@code MFModel}. */
  public static final String MODEL_EMBEDDINGS = "P.weight";

  public static final String TEXT_PROJECTION = "text_proj.0.weight";
  public static final String CLASSIFIER = "classifier.0.weight";

  /** The 64 Chatbot Arena models of RouteLLM's checkpoints, in row order of {@code P.weight}. */
  public static final List<String> ROUTELLM_MODELS = List.of(
      "RWKV-4-Raven-14B", "alpaca-13b", "chatglm-6b", "chatglm2-6b", "chatglm3-6b", "claude-1", "claude-2.0",
      "claude-2.1", "claude-instant-1", "codellama-34b-instruct", "deepseek-llm-67b-chat", "dolly-v2-12b",
      "dolphin-2.2.1-mistral-7b", "falcon-180b-chat", "fastchat-t5-3b", "gemini-pro", "gemini-pro-dev-api",
      "gpt-3.5-turbo-0125", "gpt-3.5-turbo-0314", "gpt-3.5-turbo-0613", "gpt-3.5-turbo-1106", "gpt-4-0125-preview",
      "gpt-4-0314", "gpt-4-0613", "gpt-4-1106-preview", "gpt4all-13b-snoozy", "guanaco-33b", "koala-13b",
      "llama-13b", "llama-2-13b-chat", "llama-2-70b-chat", "llama-2-7b-chat", "llama2-70b-steerlm-chat",
      "mistral-7b-instruct", "mistral-7b-instruct-v0.2", "mistral-medium", "mixtral-8x7b-instruct-v0.1",
      "mpt-30b-chat", "mpt-7b-chat", "nous-hermes-2-mixtral-8x7b-dpo", "oasst-pythia-12b", "openchat-3.5",
      "openchat-3.5-0106", "openhermes-2.5-mistral-7b", "palm-2", "pplx-70b-online", "pplx-7b-online",
      "qwen-14b-chat", "qwen1.5-4b-chat", "qwen1.5-72b-chat", "qwen1.5-7b-chat", "solar-10.7b-instruct-v1.0",
      "stablelm-tuned-alpha-7b", "starling-lm-7b-alpha", "stripedhyena-nous-7b", "tulu-2-dpo-70b", "vicuna-13b",
      "vicuna-33b", "vicuna-7b", "wizardlm-13b", "wizardlm-70b", "yi-34b-chat", "zephyr-7b-alpha",
      "zephyr-7b-beta");

  static final String KIND = "mf";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<String> models;
  private final DenseMatrix modelEmbeddings; // [models, dim]
  private final DenseMatrix projection; // [dim, textDim]
  private final DenseMatrix classifier; // [dim, 1]

  private MatrixFactorization(List<String> models, DenseMatrix p, DenseMatrix w1, DenseMatrix w2) {
    this.models = List.copyOf(models);
    this.modelEmbeddings = p;
    this.projection = w1;
    this.classifier = w2;
  }

  /**
   * Loads a checkpoint: a directory holding {@value #CHECKPOINT_FILE} (and optionally RouteLLM's
   * {@code config.json}, checked against the tensors when present), or the safetensors file itself.
   *
   * @throws InvalidFileException when the file is missing or malformed, a tensor is missing, misshapen or holds a
   *     non-finite value, or the model names cannot be determined or repeat a name
   */
  public static MatrixFactorization load(Path checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve(CHECKPOINT_FILE) : checkpoint;
    if (!Files.isRegularFile(file)) {
      throw InvalidFileException.of(file, "no matrix-factorization checkpoint here (expected a directory holding "
          + CHECKPOINT_FILE + ", or the file itself)");
    }
    Safetensors st = Safetensors.read(file);
    Tensor p = st.tensor(MODEL_EMBEDDINGS, -1, -1);
    int dim = p.dim(1);
    Tensor w2 = st.tensor(CLASSIFIER, 1, dim);
    Tensor w1 = st.tensors().containsKey(TEXT_PROJECTION) ? st.tensor(TEXT_PROJECTION, dim, -1) : null;
    List<String> names = modelNames(file, st, p.dim(0));
    MatrixFactorization mf;
    try {
      mf = fromTensors(names, p, w1, w2);
    } catch (IllegalArgumentException e) {
      throw InvalidFileException.of(file, e.getMessage(), e);
    }
    Path config = file.resolveSibling("config.json");
    if (Files.isRegularFile(config)) {
      checkConfig(config, mf);
    }
    return mf;
  }

  /**
   * A model from its tensors ({@code textProjection} may be null when the checkpoint has no projection, in which case
   * the text dimension equals the hidden dimension).
   *
   * @throws IllegalArgumentException when the shapes disagree, the names do not match the rows of {@code P} or
   *     repeat a name, or a tensor holds a non-finite value (the message names the tensor and the index)
   */
  public static MatrixFactorization fromTensors(
      List<String> models, Tensor modelEmbeddings, Tensor textProjection, Tensor classifier) {
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(modelEmbeddings, "modelEmbeddings");
    Objects.requireNonNull(classifier, "classifier");
    if (modelEmbeddings.rank() != 2 || modelEmbeddings.dim(0) != models.size()) {
      throw new IllegalArgumentException(MODEL_EMBEDDINGS + " must have one row per model (" + models.size()
          + ") but has shape " + Arrays.toString(modelEmbeddings.shape()));
    }
    if (models.stream().distinct().count() != models.size()) {
      throw new IllegalArgumentException("model names must be distinct: " + models);
    }
    int dim = modelEmbeddings.dim(1);
    if (!classifier.hasShape(1, dim)) {
      throw new IllegalArgumentException(CLASSIFIER + " must have shape [1, " + dim + "] but has "
          + Arrays.toString(classifier.shape()));
    }
    DenseMatrix w1;
    if (textProjection == null) {
      w1 = DenseMatrix.identity(dim);
    } else {
      if (textProjection.rank() != 2 || textProjection.dim(0) != dim) {
        throw new IllegalArgumentException(TEXT_PROJECTION + " must have shape [" + dim + ", textDim] but has "
            + Arrays.toString(textProjection.shape()));
      }
      w1 = matrix(textProjection);
    }
    checkFinite(MODEL_EMBEDDINGS, modelEmbeddings);
    if (textProjection != null) {
      checkFinite(TEXT_PROJECTION, textProjection);
    }
    checkFinite(CLASSIFIER, classifier);
    DenseMatrix w2 = new DenseMatrix(dim, 1); // the [1, dim] classifier as a column
    for (int i = 0; i < dim; i++) {
      w2.data[i] = classifier.get(i);
    }
    return new MatrixFactorization(models, matrix(modelEmbeddings), w1, w2);
  }

  private static void checkFinite(String name, Tensor t) {
    for (int i = 0; i < t.size(); i++) {
      if (!Float.isFinite(t.get(i))) {
        throw new IllegalArgumentException(name + " holds a non-finite value " + t.get(i) + " at index " + i
            + " (of " + t.size() + ")");
      }
    }
  }

  private static DenseMatrix matrix(Tensor t) {
    float[] v = t.values();
    DenseMatrix m = new DenseMatrix(t.dim(0), t.dim(1));
    for (int i = 0; i < v.length; i++) {
      m.data[i] = v[i];
    }
    return m;
  }

  private static List<String> modelNames(Path file, Safetensors st, int rows) {
    String json = st.metadata().get(MODELS_METADATA_KEY);
    if (json == null) {
      if (rows != ROUTELLM_MODELS.size()) {
        throw InvalidFileException.of(file, MODEL_EMBEDDINGS + " has " + rows + " rows but RouteLLM checkpoints"
            + " have " + ROUTELLM_MODELS.size() + ", and no '" + MODELS_METADATA_KEY + "' metadata names them");
      }
      return ROUTELLM_MODELS;
    }
    List<String> names = new ArrayList<>();
    try {
      JsonNode node = JSON.readTree(json);
      if (node.isArray()) {
        for (JsonNode n : node) {
          names.add(n.isString() ? n.stringValue() : null);
        }
      }
    } catch (JacksonException e) {
      throw InvalidFileException.of(file, "metadata '" + MODELS_METADATA_KEY + "' must be a JSON array of names: "
          + e.getOriginalMessage(), e);
    }
    if (names.size() != rows || names.contains(null)) {
      throw InvalidFileException.of(file, "metadata '" + MODELS_METADATA_KEY + "' must name the " + rows
          + " rows of " + MODEL_EMBEDDINGS + " but was " + json);
    }
    return names;
  }

  private static void checkConfig(Path config, MatrixFactorization mf) {
    JsonNode node;
    try {
      node = JSON.readTree(BoundedFiles.readAllBytes(config, BoundedFiles.MAX_JSON_BYTES, "checkpoint config"));
    } catch (JacksonException e) {
      throw InvalidFileException.of(config, "cannot read the checkpoint's config: " + e.getMessage(), e);
    }
    check(config, node, "dim", mf.hiddenDimension());
    check(config, node, "num_models", mf.models.size());
    check(config, node, "text_dim", mf.textDimension());
  }

  private static void check(Path config, JsonNode node, String field, int actual) {
    JsonNode v = node.get(field);
    if (v != null && v.isNumber() && v.intValue() != actual) {
      throw InvalidFileException.of(config, "field '" + field + "' is " + v.intValue() + " but the tensors say "
          + actual);
    }
  }

  /** The known models, in row order. */
  public List<String> models() {
    return models;
  }

  /** Length of the prompt embeddings this model takes. */
  public int textDimension() {
    return projection.cols();
  }

  /** Size of the model and projected-prompt embeddings. */
  public int hiddenDimension() {
    return modelEmbeddings.cols();
  }

  /**
   * The uncollapsed score {@code d(model, e)} of one model, as defined above. For inspection and tests; serving uses
   * {@link #scorer}.
   */
  public double modelScore(String model, float[] embedding) {
    Vectors.checkDimension(embedding, textDimension(), "embedding");
    double[] v = unitRow(indexOf(model));
    DenseMatrix e = new DenseMatrix(textDimension(), 1);
    for (int i = 0; i < embedding.length; i++) {
      e.data[i] = embedding[i];
    }
    DenseMatrix projected = DenseMatrix.mult(projection, e);
    double d = 0;
    for (int k = 0; k < v.length; k++) {
      d += classifier.data[k] * v[k] * projected.data[k];
    }
    return d;
  }

  /**
   * The scorer for one pair, collapsed to a single vector.
   *
   * @throws IllegalArgumentException when a name is unknown (the message lists the known models) or both are equal
   */
  public EmbeddingScorer scorer(String strongModel, String weakModel) {
    int s = indexOf(strongModel);
    int w = indexOf(weakModel);
    if (s == w) {
      throw new IllegalArgumentException("strong and weak model must differ but both were '" + strongModel + "'");
    }
    double[] vs = unitRow(s);
    double[] vw = unitRow(w);
    DenseMatrix diff = new DenseMatrix(hiddenDimension(), 1);
    for (int k = 0; k < vs.length; k++) {
      diff.data[k] = classifier.data[k] * (vs[k] - vw[k]);
    }
    DenseMatrix u = DenseMatrix.multTransA(projection, diff);
    return new LinearScorer(u.data);
  }

  /**
   * An N-model {@link QualityPredictor} over some of the known models: embeds the prompt with {@code embedder} (the
   * one the checkpoint was trained with) and predicts each model's average win probability against the others,
   * {@code q_m = mean over m' != m of sigmoid(d(m, e) - d(m', e))}. With two models this is the pair's win rate and
   * its complement. The predictor does not own the embedder.
   *
   * @param embedder the embedder the checkpoint was trained with
   * @param pool the models to predict, at least two, distinct, each known to this checkpoint
   * @throws IllegalArgumentException when the pool has fewer than two models, repeats one or names an unknown one
   * @throws dev.routellm.ConfigurationException when the embedder's dimension is not {@link #textDimension()}
   */
  public MatrixFactorizationPredictor qualityPredictor(dev.routellm.embedding.Embedder embedder, List<String> pool) {
    Objects.requireNonNull(embedder, "embedder");
    Objects.requireNonNull(pool, "pool");
    if (embedder.dimension() != textDimension()) {
      throw new dev.routellm.ConfigurationException("embedder '" + embedder.id() + "' gives " + embedder.dimension()
          + "-dimensional vectors but this matrix factorization expects " + textDimension());
    }
    if (pool.size() < 2 || pool.stream().distinct().count() != pool.size()) {
      throw new IllegalArgumentException("pool must name at least two distinct models but was " + pool);
    }
    float[][] vectors = new float[pool.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = collapsed(indexOf(pool.get(i)));
    }
    return new MatrixFactorizationPredictor(embedder, List.copyOf(pool), vectors);
  }

  /** {@code u_m = W1^T (w2 * v_m)}: {@code d(m, e) = u_m . e}. */
  private float[] collapsed(int row) {
    double[] v = unitRow(row);
    DenseMatrix scaled = new DenseMatrix(hiddenDimension(), 1);
    for (int k = 0; k < v.length; k++) {
      scaled.data[k] = classifier.data[k] * v[k];
    }
    DenseMatrix u = DenseMatrix.multTransA(projection, scaled);
    float[] out = new float[u.data.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) u.data[i];
    }
    return out;
  }

  private int indexOf(String model) {
    Objects.requireNonNull(model, "model");
    int i = models.indexOf(model);
    if (i < 0) {
      throw new IllegalArgumentException("unknown model '" + model + "'; this checkpoint knows " + models.size()
          + " models: " + String.join(", ", models));
    }
    return i;
  }

  private double[] unitRow(int row) {
    int dim = hiddenDimension();
    double[] v = Arrays.copyOfRange(modelEmbeddings.data, row * dim, (row + 1) * dim);
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    // F.normalize's convention: divide by max(norm, 1e-12).
    norm = Math.max(norm, 1e-12);
    for (int k = 0; k < dim; k++) {
      v[k] /= norm;
    }
    return v;
  }

  /** The tensors in RouteLLM's layout. */
  public Map<String, Tensor> tensors() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put(MODEL_EMBEDDINGS, Tensor.of(modelEmbeddings.data, modelEmbeddings.rows(), modelEmbeddings.cols()));
    out.put(TEXT_PROJECTION, Tensor.of(projection.data, projection.rows(), projection.cols()));
    out.put(CLASSIFIER, Tensor.of(classifier.data, 1, classifier.rows()));
    return out;
  }

  /**
   * Saves the checkpoint as {@value #CHECKPOINT_FILE} in {@code directory} (created if needed), in RouteLLM's layout
   * plus the model names in the metadata.
   */
  public void save(Path directory) {
    Objects.requireNonNull(directory, "directory");
    String names = JSON.writeValueAsString(models);
    Safetensors.write(directory.resolve(CHECKPOINT_FILE), tensors(), Map.of(MODELS_METADATA_KEY, names));
  }

  /**
   * A collapsed pair: {@code s = sigmoid(u . e)}. The vector is kept in float32, as the router file stores it, so the
   * product runs on floats without conversions (relative error about 1e-7, far below what changes a decision).
   */
  static final class LinearScorer implements EmbeddingScorer {
    static final String WEIGHTS = "u";
    private final float[] u;

    LinearScorer(double[] u) {
      this.u = new float[u.length];
      for (int i = 0; i < u.length; i++) {
        this.u[i] = (float) u[i];
      }
    }

    private LinearScorer(float[] u) {
      this.u = u;
    }

    static LinearScorer fromFile(RouterFile file) {
      return new LinearScorer(file.tensor(WEIGHTS, file.dimension()).values());
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public int dimension() {
      return u.length;
    }

    @Override
    public double score(float[] embedding) {
      if (embedding.length != u.length) {
        Vectors.checkDimension(embedding, u.length, "embedding");
      }
      double d = Vectors.dot(u, embedding, 0, u.length);
      if (!Double.isFinite(d)) {
        // A non-finite input makes the product non-finite: only then look for the culprit, keeping scoring one pass.
        Vectors.checkDimension(embedding, u.length, "embedding");
      }
      return Vectors.sigmoid(d);
    }

    @Override
    public void exportTo(RouterFile.Builder file) {
      file.kind(KIND).tensor(WEIGHTS, Tensor.of(u, u.length));
    }
  }
}
