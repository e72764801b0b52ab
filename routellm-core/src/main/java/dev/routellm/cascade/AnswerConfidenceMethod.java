package dev.routellm.cascade;

import dev.routellm.ConfigurationException;
import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.Outcome;
import dev.routellm.evaluation.FitContext;
import dev.routellm.evaluation.RoutingMethod;
import dev.routellm.evaluation.Scorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The answer-aware cascade as an evaluable routing method: fits an {@link AnswerConfidenceModel} on the training
 * examples' weak answers and scores a held-out example by {@code 1 - confidence} of its weak answer (the least
 * confident answers go to the strong model first). Needs right/wrong outcomes and the weak model's answer text (the
 * GSM8K file has both). Thread-safe.
 */
final class AnswerConfidenceMethod implements RoutingMethod {
  static final String NAME = "cascade-text";

  private final List<AnswerCheck> checks;

  AnswerConfidenceMethod(List<AnswerCheck> checks) {
    AnswerConfidenceModel.checkChecks(checks);
    this.checks = List.copyOf(checks);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** It fits its confidence model on the training examples' weak answers. */
  @Override
  public boolean learns() {
    return true;
  }

  /** A cascade reads the weak answer, so it pays for the weak call on every request. */
  @Override
  public boolean callsWeakFirst() {
    return true;
  }

  @Override
  public Scorer fit(Dataset train, FitContext context) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(context, "context");
    if (train.isEmpty()) {
      throw new ConfigurationException(
          "router '" + NAME + "' learns from the weak model's answers and needs training data: use --folds 2 or more");
    }
    List<String> questions = new ArrayList<>(train.size());
    List<String> answers = new ArrayList<>(train.size());
    List<Boolean> correct = new ArrayList<>(train.size());
    for (Example e : train.examples()) {
      questions.add(e.prompt());
      answers.add(weakAnswer(e));
      correct.add(rightOrWrong(e));
    }
    AnswerConfidenceModel model;
    try {
      model = AnswerConfidenceModel.fit(questions, answers, correct, checks);
    } catch (IllegalArgumentException ex) {
      throw new ConfigurationException("router '" + NAME + "' cannot fit on this training set: " + ex.getMessage(), ex);
    }
    return example -> 1.0 - model.confidence(example.prompt(), weakAnswer(example));
  }

  private static String weakAnswer(Example e) {
    return e.weak()
        .response()
        .orElseThrow(
            () ->
                new ConfigurationException(
                    "router '" + NAME + "' reads the weak model's answer, but example '" + e.id()
                        + "' has none (the GSM8K benchmark and data files with a weak response column have them)"));
  }

  private static boolean rightOrWrong(Example e) {
    Outcome weak = e.weak();
    double[] judgements = weak.judgements();
    for (double j : judgements) {
      if (j != 0.0 && j != 1.0) {
        throw new ConfigurationException(
            "router '" + NAME + "' learns from right/wrong outcomes, but example '" + e.id() + "' was judged " + j);
      }
    }
    return weak.score() >= 0.5;
  }

  @Override
  public String toString() {
    return "RoutingMethod{" + NAME + ", checks=" + checks.stream().map(AnswerCheck::name).toList() + "}";
  }
}
