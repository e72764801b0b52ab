package dev.routellm.cascade;

import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.evaluation.RoutingMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A confidence computed from the answer's text alone, for endpoints that return no log-probabilities: features of
 * the answer (length, whether a final answer is stated and derived, truncation, hedging, how many of the question's
 * numbers it uses) and pluggable {@link AnswerCheck}s, mapped to a confidence by a logistic (Platt) fit.
 * Immutable and thread-safe.
 *
 * <p>The text features suit answers that end in a number (maths word problems such as GSM8K). Fit it on your own
 * answers with known correctness ({@link #fit}); measure it honestly with {@link #crossValidate}.
 *
 * <pre>{@code
 * AnswerConfidenceModel model = AnswerConfidenceModel.fit(questions, answers, correct,
 *     List.of(AnswerCheck.arithmetic()));
 * model.save(Path.of("answer-confidence.json"));
 * Router router = Router.builder().strong(gpt4).weak(mixtral).cascade(model).threshold(0.5)
 *     .costModel(prices).build();
 * }</pre>
 */
public final class AnswerConfidenceModel implements ConfidenceModel {
  /** The model's name unless {@link #withName} says otherwise. */
  public static final String DEFAULT_NAME = "answer-text";
  /** A finish reason meaning the answer was cut off at the token limit. */
  static final String FINISH_LENGTH = "length";

  private final String name;
  private final List<AnswerCheck> checks;
  private final Calibrator.Logistic calibrator;

  AnswerConfidenceModel(String name, List<AnswerCheck> checks, Calibrator.Logistic calibrator) {
    this.name = name;
    this.checks = List.copyOf(checks);
    this.calibrator = calibrator;
  }

  /**
   * Fits the model on answers with known correctness.
   *
   * @param questions each answer's question
   * @param answers the answers' texts
   * @param correct whether each answer was correct; both values must occur
   * @param checks extra features, one per check, after the text features; names must be distinct
   * @throws IllegalArgumentException when the sizes differ, a class is missing, or check names repeat
   */
  public static AnswerConfidenceModel fit(
      List<String> questions, List<String> answers, List<Boolean> correct, List<AnswerCheck> checks) {
    Data d = data(questions, answers, correct, checks);
    return new AnswerConfidenceModel(DEFAULT_NAME, checks, train(d.x, d.y, d.names));
  }

  /**
   * Out-of-fold confidences: each answer scored by a model fitted on the other folds (stratified by correctness,
   * seeded). What {@link #fit} would score on answers it has not seen.
   *
   * @param folds number of folds, in [2, answers]
   */
  public static double[] crossValidate(
      List<String> questions,
      List<String> answers,
      List<Boolean> correct,
      List<AnswerCheck> checks,
      int folds,
      long seed) {
    Data d = data(questions, answers, correct, checks);
    return Fitting.crossFit(AnswerConfidenceModel::train, d.x, d.y, d.names, folds, seed);
  }

  /** Logistic with the default penalty; a feature constant in the training data gets coefficient 0. */
  private static Calibrator.Logistic train(double[][] x, boolean[] y, List<String> names) {
    return Fitting.logistic(x, y, names, Fitting.DEFAULT_L2, true);
  }

  /**
   * The answer-aware cascade as a routing method for the evaluation harness ({@code routellm eval --router
   * cascade-text}): per training fold it fits this model on the weak answers, then scores each held-out example by
   * {@code 1 - confidence} of its weak answer. It pays for the weak call on every request
   * ({@link RoutingMethod#callsWeakFirst()}).
   *
   * @param checks the answer checks to use, as in {@link #fit}
   */
  public static RoutingMethod routingMethod(List<AnswerCheck> checks) {
    return new AnswerConfidenceMethod(checks);
  }

  /**
   * Loads a model saved by {@link #save}, with the built-in checks only.
   *
   * @throws dev.routellm.InvalidFileException when the file is malformed, holds another kind of model, or names a
   *     check that is not built in
   */
  public static AnswerConfidenceModel load(Path file) {
    return load(file, List.of());
  }

  /**
   * Loads a model saved by {@link #save}; {@code custom} supplies the checks that are not built in, by name.
   *
   * @throws dev.routellm.InvalidFileException as {@link #load(Path)}
   */
  public static AnswerConfidenceModel load(Path file, List<AnswerCheck> custom) {
    Objects.requireNonNull(custom, "custom");
    ConfidenceModel model = ConfidenceModelFile.read(file, custom);
    if (model instanceof AnswerConfidenceModel m) {
      return m;
    }
    throw dev.routellm.InvalidFileException.of(
        file, "field 'type': expected an answer-text model but the file holds '" + model.name() + "'");
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
  public AnswerConfidenceModel withName(String value) {
    Objects.requireNonNull(value, "name");
    if (value.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    return new AnswerConfidenceModel(value, checks, calibrator);
  }

  @Override
  public String name() {
    return name;
  }

  /** The checks, in feature order. */
  public List<AnswerCheck> checks() {
    return checks;
  }

  /** Every feature's name, in order: the text features, then the checks. */
  public List<String> featureNames() {
    return AnswerFeatures.names(checks);
  }

  Calibrator.Logistic calibrator() {
    return calibrator;
  }

  @Override
  public boolean requiresLogprobs() {
    return false;
  }

  @Override
  public int topLogprobs() {
    return 0;
  }

  /** The confidence that {@code answer} correctly answers {@code question}, in (0, 1). */
  public double confidence(String question, String answer) {
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(answer, "answer");
    return calibrator.apply(AnswerFeatures.of(question, answer, false, checks));
  }

  /** Judges the answer to the request's last user message; an answer cut off at the token limit counts as truncated. */
  @Override
  public double confidence(ChatRequest request, ChatResponse answer) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(answer, "answer");
    boolean cutOff = answer.finishReason().map(FINISH_LENGTH::equals).orElse(false);
    return calibrator.apply(AnswerFeatures.of(request.lastUserMessage(), answer.text(), cutOff, checks));
  }

  @Override
  public String toString() {
    return "AnswerConfidenceModel{name=" + name + ", features=" + featureNames() + "}";
  }

  /** Feature rows, labels and names, checked. */
  private record Data(double[][] x, boolean[] y, List<String> names) {}

  private static Data data(
      List<String> questions, List<String> answers, List<Boolean> correct, List<AnswerCheck> checks) {
    Objects.requireNonNull(questions, "questions");
    Objects.requireNonNull(answers, "answers");
    Objects.requireNonNull(correct, "correct");
    checkChecks(checks);
    if (questions.size() != answers.size() || answers.size() != correct.size()) {
      throw new IllegalArgumentException(
          "expected as many questions, answers and correctness flags but got " + questions.size() + ", "
              + answers.size() + " and " + correct.size());
    }
    double[][] x = new double[answers.size()][];
    boolean[] y = new boolean[answers.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] =
          AnswerFeatures.of(
              Objects.requireNonNull(questions.get(i), "question"),
              Objects.requireNonNull(answers.get(i), "answer"),
              false,
              checks);
      y[i] = Objects.requireNonNull(correct.get(i), "correct");
    }
    return new Data(x, y, AnswerFeatures.names(checks));
  }

  static void checkChecks(List<AnswerCheck> checks) {
    Objects.requireNonNull(checks, "checks");
    List<String> names = new ArrayList<>();
    for (AnswerCheck c : checks) {
      names.add(Objects.requireNonNull(Objects.requireNonNull(c, "check").name(), "check name"));
    }
    if (new HashSet<>(names).size() != names.size()) {
      throw new IllegalArgumentException("check names must be distinct but were " + names);
    }
    for (String n : names) {
      if (AnswerFeatures.NAMES.contains(n) || n.isBlank()) {
        throw new IllegalArgumentException("check name '" + n + "' is blank or taken by a text feature");
      }
    }
  }
}
