package dev.routellm.onnx;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.prediction.WinRatePredictor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A router that scores prompts with a sequence classifier exported to ONNX: RouteLLM's BERT router
 * ({@code routellm/bert_gpt4_augmented}, an XLM-RoBERTa model) or any BERT-family or XLM-R-family classifier exported
 * with its {@code tokenizer.json} (WordPiece and SentencePiece/Unigram tokenizers both work).
 *
 * <pre>{@code
 * try (OnnxClassifierPredictor bert = OnnxClassifierPredictor.builder()
 *         .modelDirectory(Path.of("models/bert_gpt4_augmented"))   // model.onnx + tokenizer.json
 *         .build()) {
 *   Router router = Router.builder().strong(gpt4).weak(mixtral).predictor(bert).threshold(0.5).build();
 * }
 * }</pre>
 *
 * <p><b>The model.</b> Its inputs are discovered: {@code input_ids} (required), {@code attention_mask} and {@code
 * token_type_ids} (fed when present; int64 or int32); any other input is refused. Its output is {@code logits}
 * [batch, labels] (or its only rank-2 output), turned into a win rate by a {@link LabelMapping}: RouteLLM's convention
 * unless set (3 labels, softmax, label 0 = strong wins). At load the model is run once on a short text, once at the
 * maximum length, and (on the CPU) with the tokenizer's largest token id, so that a model with the wrong inputs or
 * outputs, a length it cannot take, or a tokenizer that belongs to another model fails at once with an {@link
 * InvalidFileException} or {@link ConfigurationException} naming the file.
 *
 * <p><b>Scores.</b> Prompts are cut at {@link #maxLength()} tokens (512 unless set) or rejected, as {@link
 * LongInputPolicy} says; empty prompts are rejected with an {@link IllegalArgumentException}. With the default batch
 * size of 1 every prompt runs alone, so {@link #score} and {@link #scoreAll} give bit-identical scores for the same
 * prompt, whatever else is scored with it, as {@link WinRatePredictor} promises. A batch size above 1 trades that for
 * throughput on GPUs (see {@link OnnxEmbedder} on quantized models).
 *
 * <p><b>Thread-safety and lifecycle.</b> Thread-safe: share one instance. It holds a native session and tokenizer
 * until {@link #close()}, which waits for calls in flight, is idempotent, and makes later calls throw {@link
 * IllegalStateException}. A router that uses it does not close it.
 */
public final class OnnxClassifierPredictor implements WinRatePredictor, AutoCloseable {
  /** The maximum length unless set: 512 tokens, what RouteLLM's BERT router was trained with. */
  public static final int DEFAULT_MAX_LENGTH = 512;

  /** The name unless set: {@code "bert"}, RouteLLM's name for this router. */
  public static final String DEFAULT_NAME = "bert";

  /** Output names holding logits, in the order looked for. */
  static final List<String> LOGIT_OUTPUTS = List.of("logits");

  private final TransformerModel model;
  private final LabelMapping labels;
  private final String name;

  private OnnxClassifierPredictor(TransformerModel model, LabelMapping labels, String name) {
    this.model = model;
    this.labels = labels;
    this.name = name;
  }

  /** A builder; a model directory or model files are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The strong model's win rate for this prompt, in [0, 1].
   *
   * @throws NullPointerException when {@code prompt} is null
   * @throws IllegalArgumentException when the prompt is empty, or too long under {@link LongInputPolicy#REJECT}
   * @throws IllegalStateException after {@link #close()}
   * @throws InvalidFileException when the model fails on this prompt or returns non-finite logits
   */
  @Override
  public double score(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    return model.runOne(prompt, this::rate);
  }

  /**
   * Scores of many prompts, in order, spread over {@link ExecutionOptions#parallelism()} threads; each equals {@link
   * #score}'s for the same prompt unless a batch size above 1 was chosen.
   *
   * @throws NullPointerException when the list or one of its prompts is null
   * @throws IllegalArgumentException when a prompt is empty, or too long under {@link LongInputPolicy#REJECT}
   */
  @Override
  public double[] scoreAll(List<String> prompts) {
    List<Double> scores = model.runAll(prompts, this::rate);
    double[] out = new double[scores.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = scores.get(i);
    }
    return out;
  }

  private Double rate(FloatBuffer output, int rowStart, int tokens) {
    double rate = labels.strongWinRate(output, rowStart);
    if (Double.isNaN(rate)) {
      throw InvalidFileException.ofResource(
          model.location(),
          "model " + model.name() + " returned non-finite logits for a prompt of " + tokens + " tokens",
          null);
    }
    return rate;
  }

  /** Whether a prompt has more tokens than {@link #maxLength()}, so that it is cut (or rejected). */
  public boolean exceedsMaxLength(String prompt) {
    return model.exceedsMaxLength(prompt);
  }

  /** The maximum length in tokens, special tokens included. */
  public int maxLength() {
    return model.maxLength();
  }

  /** How logits become a win rate. */
  public LabelMapping labels() {
    return labels;
  }

  /** The provider the model actually runs on: the CPU after a fallback from CUDA. */
  public ExecutionProvider provider() {
    return model.provider();
  }

  /** Frees the native session and tokenizer; waits for calls in flight. Idempotent. */
  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "OnnxClassifierPredictor{name=" + name + ", model=" + model.name() + ", labels=" + labels + ", maxLength="
        + maxLength() + ", provider=" + provider() + "}";
  }

  /**
   * Builds an {@link OnnxClassifierPredictor}. Setters validate at once and refuse a second model source; {@link
   * #build()} loads the model and checks it against the tokenizer. Not thread-safe.
   */
  public static final class Builder {
    private final ModelSettings settings = new ModelSettings("modelDirectory, modelFiles");
    private String name = DEFAULT_NAME;
    private LabelMapping labels = LabelMapping.routeLlm();

    private Builder() {}

    /** A directory holding {@code model.onnx} (or {@code onnx/model.onnx}) and {@code tokenizer.json}. */
    public Builder modelDirectory(Path directory) {
      settings.directory(directory);
      return this;
    }

    /** An ONNX model file and its {@code tokenizer.json}. */
    public Builder modelFiles(Path model, Path tokenizer) {
      settings.files(model, tokenizer);
      return this;
    }

    /** The router's name in decisions and reports; {@value OnnxClassifierPredictor#DEFAULT_NAME} unless set. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /** How logits become a win rate; {@link LabelMapping#routeLlm()} unless set. */
    public Builder labels(LabelMapping labels) {
      this.labels = Objects.requireNonNull(labels, "labels");
      return this;
    }

    /**
     * The maximum length in tokens, special tokens included; {@value OnnxClassifierPredictor#DEFAULT_MAX_LENGTH}
     * unless set. The model is checked at load to accept it.
     *
     * @throws IllegalArgumentException when not in [2, 65536]
     */
    public Builder maxLength(int maxLength) {
      settings.maxLength(maxLength);
      return this;
    }

    /** The output holding logits; unless set, {@code logits}, then the model's only rank-2 output. */
    public Builder outputName(String outputName) {
      settings.outputName(outputName);
      return this;
    }

    /** What happens to prompts over the maximum length; {@link LongInputPolicy#TRUNCATE} unless set. */
    public Builder longInputs(LongInputPolicy policy) {
      settings.longInputs(policy);
      return this;
    }

    /**
     * Prompts per model run in {@link OnnxClassifierPredictor#scoreAll}; 1 unless set (bit-identical scores). Above 1,
     * prompts are sorted by length and padded into batches.
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
     * @throws IllegalStateException when no model source is set
     * @throws InvalidFileException when a file is missing or malformed, the model lacks the expected inputs or output,
     *     its label count differs from the mapping's, or the tokenizer does not belong to the model
     * @throws ConfigurationException when the provider cannot load (with {@link ProviderFallback#FAIL}), or the
     *     maximum length is more than the model accepts
     */
    public OnnxClassifierPredictor build() {
      ModelSource source = settings.fileSource();
      Integer maxLength = settings.maxLength();
      TransformerModel model =
          settings.load(
              source,
              maxLength != null ? maxLength : DEFAULT_MAX_LENGTH,
              new TransformerModel.OutputSpec("logits [batch, labels]", 2, LOGIT_OUTPUTS, settings.outputName()));
      if (model.width() != labels.labelCount()) {
        String location = source.modelLocation();
        int width = model.width();
        model.close();
        throw InvalidFileException.ofResource(
            location,
            "model " + source.name() + " outputs " + width + " logits per text but the label mapping " + labels
                + " expects " + labels.labelCount() + "; choose a LabelMapping for this model's labels",
            null);
      }
      return new OnnxClassifierPredictor(model, labels, name);
    }
  }
}
