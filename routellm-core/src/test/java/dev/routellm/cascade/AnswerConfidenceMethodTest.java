package dev.routellm.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.ConfigurationException;
import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.Outcome;
import dev.routellm.data.QualityUnit;
import dev.routellm.data.SharedData;
import dev.routellm.evaluation.Evaluation;
import dev.routellm.evaluation.Evaluator;
import dev.routellm.evaluation.FitContext;
import dev.routellm.evaluation.ProgressListener;
import dev.routellm.evaluation.RoutingMethod;
import dev.routellm.evaluation.Scorer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerConfidenceMethodTest {
  private static final FitContext CONTEXT = new FitContext(1, ProgressListener.NONE);
  private static final RoutingMethod METHOD = AnswerConfidenceModel.routingMethod(List.of(AnswerCheck.arithmetic()));
  private static final String QUESTION = "Tom has 3 bags of 4 apples and eats 2. How many are left?";
  private static final String RIGHT = "He has 3 * 4 = 12 apples.\nAfter eating 2 he has 12 - 2 = 10.\n#### 10";
  private static final String WRONG = "He has 3 * 4 = 14 apples.\nAfter eating 2 he has 14 - 2 = 12.\n#### 12";
  private static final String CUT = "He has 3 * 4 = 12 apples.\nAfter eating 2 he has 12 - 2 =";

  @Test
  void fit_onWeakAnswers_scoresWrongAndCutOffAnswersAboveRightOnes() {
    Scorer scorer = METHOD.fit(dataset(12, true), CONTEXT);

    double right = scorer.score(example("r", RIGHT, true));
    assertThat(scorer.score(example("w", WRONG, false))).isGreaterThan(right);
    assertThat(scorer.score(example("c", CUT, false))).isGreaterThan(right);
    assertThat(METHOD.callsWeakFirst()).isTrue();
    assertThat(METHOD.name()).isEqualTo("cascade-text");
  }

  @Test
  void fit_emptyTrainingSet_asksForFolds() {
    assertThatThrownBy(() -> METHOD.fit(dataset(0, true), CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("use --folds 2 or more");
  }

  @Test
  void fit_exampleWithoutWeakAnswer_namesIt() {
    assertThatThrownBy(() -> METHOD.fit(dataset(4, false), CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("example 'e0' has none");
  }

  @Test
  void fit_gradedNotRightOrWrong_isRejected() {
    Example graded = example("g", RIGHT, true).toBuilder().weak(Outcome.judged(7.5).withResponse(RIGHT)).build();
    Dataset d = dataset(4, true).toBuilder().examples(List.of(graded)).build();

    assertThatThrownBy(() -> METHOD.fit(d, CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("right/wrong outcomes, but example 'g' was judged 7.5");
  }

  @Test
  void evaluate_gsm8kFiveFolds_reachesTheTargetApgr() {
    Evaluation e = Evaluator.builder().folds(5).seed(42).build().evaluate(SharedData.gsm8k(), METHOD);

    assertThat(e.questions()).isEqualTo(1307);
    assertThat(e.metrics().apgr()).isGreaterThanOrEqualTo(0.75);
    assertThat(e.metrics().cpt50()).isLessThan(0.20);
  }

  private static Dataset dataset(int n, boolean withAnswers) {
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean right = i % 3 != 0;
      String answer = right ? RIGHT : (i % 2 == 0 ? WRONG : CUT);
      Example e = example("e" + i, answer, right);
      if (!withAnswers) {
        e = e.toBuilder().weak(Outcome.correct(right)).build();
      }
      examples.add(e);
    }
    return Dataset.builder().name("apples").unit(QualityUnit.ACCURACY_PERCENT).strongModel("S").weakModel("W")
        .examples(examples).build();
  }

  private static Example example(String id, String answer, boolean right) {
    return Example.builder().id(id).prompt(QUESTION).strong(Outcome.correct(true))
        .weak(Outcome.correct(right).withResponse(answer)).build();
  }
}
