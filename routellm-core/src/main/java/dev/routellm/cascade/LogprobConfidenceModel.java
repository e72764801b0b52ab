package dev.routellm.cascade;

import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A confidence computed from the answer's token log-probabilities: {@link LogprobFeature}s mapped to a confidence by
 * a {@link CalibrationMethod}. Immutable and thread-safe.
 *
 * <pre>{@code
 * // Alamere's published coefficients
 * LogprobConfidenceModel alamere = LogprobConfidenceModel.alamere();
 * // or fitted on your own answers (features + whether each was correct)
 * LogprobConfidenceModel platt = LogprobConfidenceModel.fit(
 *     CalibrationMethod.LOGISTIC, List.of(LogprobFeature.MEAN, LogprobFeature.MIN, LogprobFeature.TOKENS),
 *     features, correct);
 * platt.save(Path.of("confidence.json"));
 * }</pre>
 */
public final class LogprobConfidenceModel implements ConfidenceModel {
  /** Slope of Alamere's published fit (Llama-3-8B on GSM8K). */
  public static final double ALAMERE_SLOPE = 0.01186387;
  /** Intercept of Alamere's published fit (Llama-3-8B on GSM8K). */
  public static final double ALAMERE_INTERCEPT = 1.05021634;

  private static final LogprobConfidenceModel ALAMERE =
      new LogprobConfidenceModel(
          "alamere", List.of(LogprobFeature.SUM), new Calibrator.Linear(ALAMERE_INTERCEPT, new double[] {ALAMERE_SLOPE}));

  private final String name;
  private final List<LogprobFeature> features;
  private final Calibrator calibrator;

  LogprobConfidenceModel(String name, List<LogprobFeature> features, Calibrator calibrator) {
    this.name = name;
    this.features = List.copyOf(features);
    this.calibrator = calibrator;
  }

  /** Alamere's published fit: {@code 0.01186387 * sum + 1.05021634}, not clipped. */
  public static LogprobConfidenceModel alamere() {
    return ALAMERE;
  }

  /**
   * A linear model with given coefficients: {@code intercept + sum(coefficients[i] * features[i])}, not clipped.
   *
   * @throws IllegalArgumentException when the counts differ, a feature repeats or a number is not finite
   */
  public static LogprobConfidenceModel linear(List<LogprobFeature> features, double intercept, double... coefficients) {
    checkFeatures(features);
    checkCoefficients(features, intercept, coefficients);
    return new LogprobConfidenceModel(
        defaultName(CalibrationMethod.OLS, features), features, new Calibrator.Linear(intercept, coefficients));
  }

  /**
   * A logistic model with given coefficients: {@code sigmoid(intercept + sum(coefficients[i] * features[i]))}.
   *
   * @throws IllegalArgumentException when the counts differ, a feature repeats or a number is not finite
   */
  public static LogprobConfidenceModel logistic(
      List<LogprobFeature> features, double intercept, double... coefficients) {
    checkFeatures(features);
    checkCoefficients(features, intercept, coefficients);
    return new LogprobConfidenceModel(
        defaultName(CalibrationMethod.LOGISTIC, features), features, new Calibrator.Logistic(intercept, coefficients));
  }

  /**
   * Fits a model to answers with known correctness.
   *
   * @param method how features map to a confidence; {@link CalibrationMethod#ISOTONIC} takes exactly one feature
   * @param features the features used, in order, without repeats
   * @param examples each answer's features (every chosen feature available)
   * @param correct whether each answer was correct, in the same order; both values must occur
   * @throws IllegalArgumentException when the sizes differ, a chosen feature is unavailable in an example (the
   *     message gives its index), a feature is constant or collinear with others, or one class is missing
   */
  public static LogprobConfidenceModel fit(
      CalibrationMethod method, List<LogprobFeature> features, List<LogprobFeatures> examples, List<Boolean> correct) {
    Objects.requireNonNull(method, "method");
    Matrix data = matrix(features, examples, correct);
    return new LogprobConfidenceModel(
        defaultName(method, features), features, Fitting.fit(method, data.x, data.y, keys(features)));
  }

  /** Feature rows and labels, checked. */
  private record Matrix(double[][] x, boolean[] y) {}

  private static Matrix matrix(List<LogprobFeature> features, List<LogprobFeatures> examples, List<Boolean> correct) {
    checkFeatures(features);
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(correct, "correct");
    if (examples.size() != correct.size()) {
      throw new IllegalArgumentException(
          "expected one correctness flag per example (" + examples.size() + ") but got " + correct.size());
    }
    double[][] x = new double[examples.size()][];
    boolean[] y = new boolean[examples.size()];
    for (int i = 0; i < x.length; i++) {
      try {
        x[i] = Objects.requireNonNull(examples.get(i), "example").vector(features);
      } catch (IllegalStateException e) {
        throw new IllegalArgumentException("example " + i + ": " + e.getMessage(), e);
      }
      y[i] = Objects.requireNonNull(correct.get(i), "correct");
    }
    return new Matrix(x, y);
  }

  private static List<String> keys(List<LogprobFeature> features) {
    return features.stream().map(LogprobFeature::key).toList();
  }

  /**
   * Out-of-fold confidences: the examples are split into {@code folds} seeded folds, stratified by correctness, and each
   * example is scored by a
   * model fitted on the other folds. An honest estimate of how the fitted model scores answers it has not seen (a
   * model scored on its own training data looks better calibrated than it is).
   *
   * @param folds number of folds, in [2, examples]
   * @throws IllegalArgumentException as {@link #fit}, for any fold's training part
   */
  public static double[] crossValidate(
      CalibrationMethod method,
      List<LogprobFeature> features,
      List<LogprobFeatures> examples,
      List<Boolean> correct,
      int folds,
      long seed) {
    Objects.requireNonNull(method, "method");
    Matrix data = matrix(features, examples, correct);
    return Fitting.crossFit(Fitting.trainer(method), data.x, data.y, keys(features), folds, seed);
  }

  /**
   * Loads a model saved by {@link #save(Path)}.
   *
   * @throws dev.routellm.InvalidFileException when the file is missing, malformed, or holds another kind of model
   */
  public static LogprobConfidenceModel load(Path file) {
    ConfidenceModel model = ConfidenceModelFile.read(file);
    if (model instanceof LogprobConfidenceModel m) {
      return m;
    }
    throw dev.routellm.InvalidFileException.of(
        file, "field 'type': expected a log-probability model but the file holds '" + model.name() + "'");
  }

  /**
   * Writes the model as JSON, replacing the file.
   *
   * @throws java.io.UncheckedIOException when the file cannot be written
   */
  public void save(Path file) {
    ConfidenceModelFile.write(this, file);
  }

  /** A copy with another name. */
  public LogprobConfidenceModel withName(String value) {
    Objects.requireNonNull(value, "name");
    if (value.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    return new LogprobConfidenceModel(value, features, calibrator);
  }

  @Override
  public String name() {
    return name;
  }

  /** How features map to a confidence. */
  public CalibrationMethod method() {
    return calibrator.method();
  }

  /** The features used, in order. */
  public List<LogprobFeature> features() {
    return features;
  }

  Calibrator calibrator() {
    return calibrator;
  }

  @Override
  public boolean requiresLogprobs() {
    return true;
  }

  /** 2 when a margin feature is used (it compares the two most likely tokens), else 0. */
  @Override
  public int topLogprobs() {
    return features.stream().anyMatch(LogprobFeature::needsAlternatives) ? 2 : 0;
  }

  /**
   * The confidence of an answer with these features.
   *
   * @throws IllegalStateException when one of {@link #features()} is unavailable
   */
  public double confidence(LogprobFeatures answer) {
    Objects.requireNonNull(answer, "features");
    return calibrator.apply(answer.vector(features));
  }

  @Override
  public double confidence(ChatRequest request, ChatResponse answer) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(answer, "answer");
    if (!answer.hasLogprobs() || answer.logprobs().isEmpty()) {
      throw new MissingLogprobsException(
          answer.model(),
          "confidence model '" + name + "' needs token log-probabilities but the answer from '" + answer.model()
              + "' has " + (answer.hasLogprobs() ? "no tokens" : "none"));
    }
    LogprobFeatures f = LogprobFeatures.of(answer.logprobs());
    for (LogprobFeature feature : features) {
      if (!f.has(feature)) {
        throw new MissingLogprobsException(
            answer.model(),
            "confidence model '" + name + "' uses feature '" + feature.key() + "', which the answer from '"
                + answer.model() + "' lacks: request top_logprobs >= " + topLogprobs());
      }
    }
    return confidence(f);
  }

  @Override
  public String toString() {
    return "LogprobConfidenceModel{name=" + name + ", method=" + method().key() + ", features="
        + features.stream().map(LogprobFeature::key).collect(Collectors.joining(",")) + "}";
  }

  static String defaultName(CalibrationMethod method, List<LogprobFeature> features) {
    return method.key() + "(" + features.stream().map(LogprobFeature::key).collect(Collectors.joining(",")) + ")";
  }

  static void checkFeatures(List<LogprobFeature> features) {
    Objects.requireNonNull(features, "features");
    if (features.isEmpty()) {
      throw new IllegalArgumentException("at least one feature is required");
    }
    features.forEach(f -> Objects.requireNonNull(f, "feature"));
    if (new HashSet<>(features).size() != features.size()) {
      throw new IllegalArgumentException("features must not repeat but were " + new ArrayList<>(features));
    }
  }

  private static void checkCoefficients(List<LogprobFeature> features, double intercept, double[] coefficients) {
    Objects.requireNonNull(coefficients, "coefficients");
    if (coefficients.length != features.size()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT, "expected %d coefficients (one per feature) but got %d", features.size(),
              coefficients.length));
    }
    if (!Double.isFinite(intercept)) {
      throw new IllegalArgumentException("intercept must be finite but was " + intercept);
    }
    for (double c : coefficients) {
      if (!Double.isFinite(c)) {
        throw new IllegalArgumentException("coefficients must be finite but were " + java.util.Arrays.toString(coefficients));
      }
    }
  }
}
