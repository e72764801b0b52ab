package dev.routellm.onnx;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the embedder's and the classifier's builders share: the model source, the limits and policies, the execution
 * options, each validated as it is set. Not thread-safe, like the builders that hold it.
 */
final class ModelSettings {
  static final int MAX_TOKENS = 65_536;
  static final int MAX_BATCH_SIZE = 4096;

  private final String sources;
  private boolean builtInSource;
  private Path directory;
  private Path modelFile;
  private Path tokenizerFile;
  private Integer maxLength;
  private String outputName;
  private LongInputPolicy longInputs = LongInputPolicy.TRUNCATE;
  private int batchSize = 1;
  private ExecutionOptions execution = ExecutionOptions.defaults();

  /** @param sources the setters that choose a source, for messages ("modelDirectory, modelFiles") */
  ModelSettings(String sources) {
    this.sources = sources;
  }

  /** Records that a built-in model was chosen (the builder keeps which one). */
  void builtIn() {
    requireNoSource();
    builtInSource = true;
  }

  void directory(Path directory) {
    Objects.requireNonNull(directory, "directory");
    requireNoSource();
    this.directory = directory;
  }

  void files(Path model, Path tokenizer) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(tokenizer, "tokenizer");
    requireNoSource();
    this.modelFile = model;
    this.tokenizerFile = tokenizer;
  }

  private void requireNoSource() {
    if (builtInSource || directory != null || modelFile != null) {
      throw new IllegalStateException("a model source is already set; choose one of " + sources);
    }
  }

  void maxLength(int tokens) {
    if (tokens < 2 || tokens > MAX_TOKENS) {
      throw new IllegalArgumentException("maxLength must be in [2, " + MAX_TOKENS + "] but was " + tokens);
    }
    this.maxLength = tokens;
  }

  void outputName(String name) {
    Objects.requireNonNull(name, "outputName");
    if (name.isBlank()) {
      throw new IllegalArgumentException("outputName must not be blank");
    }
    this.outputName = name;
  }

  void longInputs(LongInputPolicy policy) {
    this.longInputs = Objects.requireNonNull(policy, "policy");
  }

  void batchSize(int size) {
    if (size < 1 || size > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("batchSize must be in [1, " + MAX_BATCH_SIZE + "] but was " + size);
    }
    this.batchSize = size;
  }

  void execution(ExecutionOptions options) {
    this.execution = Objects.requireNonNull(options, "execution");
  }

  /** The directory, or null. */
  Path directory() {
    return directory;
  }

  /** The maximum length set, or null. */
  Integer maxLength() {
    return maxLength;
  }

  /**
   * The source chosen with {@code modelDirectory} or {@code modelFiles}.
   *
   * @throws IllegalStateException when neither was called
   */
  ModelSource fileSource() {
    if (directory != null) {
      return ModelSource.directory(directory);
    }
    if (modelFile != null) {
      return ModelSource.files(ModelSource.defaultName(modelFile), modelFile, tokenizerFile);
    }
    throw new IllegalStateException("no model: call " + sources);
  }

  /** Loads the model with these settings. */
  TransformerModel load(ModelSource source, int effectiveMaxLength, TransformerModel.OutputSpec spec) {
    return TransformerModel.load(source, effectiveMaxLength, execution, spec, longInputs, batchSize);
  }

  /** The output name the user chose, or null. */
  String outputName() {
    return outputName;
  }
}
