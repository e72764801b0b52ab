package dev.routellm.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.Usage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LogprobConfidenceModelTest {
  private static final List<LogprobFeature> SUM = List.of(LogprobFeature.SUM);

  @ParameterizedTest
  @CsvSource({"-20, 0.8129, true", "-21.1, 0.7999, false"})
  void alamere_publishedExamples_giveConfidenceAndDecisionAtThreshold08(double sum, double expected, boolean kept) {
    double c = LogprobConfidenceModel.alamere().confidence(sumOf(sum));

    assertThat(c).isCloseTo(expected, within(5e-5));
    assertThat(c >= 0.8).isEqualTo(kept);
  }

  @Test
  void alamere_isNotClipped() {
    assertThat(LogprobConfidenceModel.alamere().confidence(sumOf(-0.5))).isGreaterThan(1.0);
    assertThat(LogprobConfidenceModel.alamere().confidence(sumOf(-200))).isLessThan(0.0);
  }

  @Test
  void fitOls_fourPoints_matchesClosedForm() {
    // x = 0,1,2,3; y = 0,0,1,1: slope = cov/var = 2/5, intercept = 0.5 - 0.4 * 1.5
    LogprobConfidenceModel m =
        LogprobConfidenceModel.fit(CalibrationMethod.OLS, SUM, sums(0, 1, 2, 3), List.of(false, false, true, true));

    Calibrator.Linear l = (Calibrator.Linear) m.calibrator();
    assertThat(l.coefficients()[0]).isCloseTo(0.4, within(1e-12));
    assertThat(l.intercept()).isCloseTo(-0.1, within(1e-12));
    assertThat(m.confidence(sumOf(2.5))).isCloseTo(0.9, within(1e-12));
    assertThat(m.name()).isEqualTo("ols(sum)");
  }

  @Test
  void fitOls_twoFeatures_matchesNormalEquations() {
    // y = 0.2 + 0.1 a - 0.05 b exactly, on 5 non-collinear points: OLS recovers the coefficients
    double[][] ab = {{0, 1}, {1, 0}, {2, 3}, {3, 1}, {4, 4}};
    List<LogprobFeatures> x = new ArrayList<>();
    for (double[] r : ab) {
      x.add(LogprobFeatures.of(Map.of(LogprobFeature.SUM, r[0], LogprobFeature.MEAN, r[1])));
    }
    double[][] rows = new double[ab.length][];
    boolean[] y = {false, true, false, true, true};
    for (int i = 0; i < rows.length; i++) {
      rows[i] = ab[i];
    }
    Calibrator.Linear l = Fitting.ols(rows, y, List.of("sum", "mean"));
    // Normal equations solved by hand: X'X beta = X'y
    double[][] xtx = new double[3][3];
    double[] xty = new double[3];
    for (int i = 0; i < rows.length; i++) {
      double[] z = {1, rows[i][0], rows[i][1]};
      for (int j = 0; j < 3; j++) {
        xty[j] += z[j] * (y[i] ? 1 : 0);
        for (int k = 0; k < 3; k++) {
          xtx[j][k] += z[j] * z[k];
        }
      }
    }
    double[] beta = {l.intercept(), l.coefficients()[0], l.coefficients()[1]};
    for (int j = 0; j < 3; j++) {
      double lhs = 0;
      for (int k = 0; k < 3; k++) {
        lhs += xtx[j][k] * beta[k];
      }
      assertThat(lhs).isCloseTo(xty[j], within(1e-9));
    }
    assertThat(LogprobConfidenceModel.fit(CalibrationMethod.OLS, List.of(LogprobFeature.SUM, LogprobFeature.MEAN), x,
            List.of(false, true, false, true, true)).confidence(x.get(2)))
        .isCloseTo(l.apply(rows[2]), within(1e-12));
  }

  @Test
  void logistic_binaryFeatureWithoutPenalty_matchesClosedFormLogits() {
    // x = 0: 1 of 3 correct; x = 1: 3 of 4 correct. MLE: intercept = logit(1/3), slope = logit(3/4) - logit(1/3)
    double[][] x = {{0}, {0}, {0}, {1}, {1}, {1}, {1}};
    boolean[] y = {true, false, false, true, true, true, false};

    Calibrator.Logistic l = Fitting.logistic(x, y, List.of("sum"), 0.0, false);

    assertThat(l.intercept()).isCloseTo(Math.log(0.5), within(1e-9));
    assertThat(l.coefficients()[0]).isCloseTo(Math.log(6), within(1e-9));
    assertThat(l.apply(new double[] {1})).isCloseTo(0.75, within(1e-9));
  }

  @Test
  void fitLogistic_defaultPenaltyOnManyExamples_isCloseToTheMle() {
    List<LogprobFeatures> x = new ArrayList<>();
    List<Boolean> y = new ArrayList<>();
    for (int rep = 0; rep < 100; rep++) {
      for (int i = 0; i < 7; i++) {
        x.add(sumOf(i < 3 ? 0 : 1));
        y.add(i == 0 || (i >= 3 && i < 6));
      }
    }

    LogprobConfidenceModel m = LogprobConfidenceModel.fit(CalibrationMethod.LOGISTIC, SUM, x, y);

    assertThat(m.confidence(sumOf(0))).isCloseTo(1.0 / 3, within(2e-3));
    assertThat(m.confidence(sumOf(1))).isCloseTo(0.75, within(2e-3));
  }

  @Test
  void fitLogistic_separableClasses_staysFiniteThanksToThePenalty() {
    LogprobConfidenceModel m =
        LogprobConfidenceModel.fit(CalibrationMethod.LOGISTIC, SUM, sums(-30, -25, -5, -2), List.of(false, false, true, true));

    assertThat(m.confidence(sumOf(-30))).isBetween(0.0, 0.5);
    assertThat(m.confidence(sumOf(-2))).isBetween(0.5, 1.0);
  }

  @Test
  void fitIsotonic_violatorPooled_interpolatesBetweenPoints() {
    LogprobConfidenceModel m =
        LogprobConfidenceModel.fit(CalibrationMethod.ISOTONIC, SUM, sums(1, 2, 3, 4), List.of(true, false, true, true));

    Calibrator.Isotonic iso = (Calibrator.Isotonic) m.calibrator();
    assertThat(iso.x()).containsExactly(1, 2, 3, 4);
    assertThat(iso.y()).containsExactly(0.5, 0.5, 1, 1);
    assertThat(m.confidence(sumOf(2.5))).isCloseTo(0.75, within(1e-12));
    assertThat(m.confidence(sumOf(0))).isEqualTo(0.5);
    assertThat(m.confidence(sumOf(10))).isEqualTo(1.0);
  }

  @Test
  void fitIsotonic_tiedFeatureValues_arePooledFirst() {
    LogprobConfidenceModel m =
        LogprobConfidenceModel.fit(CalibrationMethod.ISOTONIC, SUM, sums(1, 1, 2), List.of(true, false, false));

    Calibrator.Isotonic iso = (Calibrator.Isotonic) m.calibrator();
    assertThat(iso.y()).containsExactly(new double[] {1.0 / 3, 1.0 / 3}, within(1e-12));
  }

  @Test
  void fitIsotonic_inputOrder_doesNotMatter() {
    List<LogprobFeatures> x = new ArrayList<>(sums(5, 1, 4, 2, 3, 6));
    List<Boolean> y = new ArrayList<>(List.of(true, false, false, true, true, true));
    LogprobConfidenceModel a = LogprobConfidenceModel.fit(CalibrationMethod.ISOTONIC, SUM, x, y);
    List<Integer> idx = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
    Collections.reverse(idx);

    LogprobConfidenceModel b =
        LogprobConfidenceModel.fit(
            CalibrationMethod.ISOTONIC, SUM, idx.stream().map(x::get).toList(), idx.stream().map(y::get).toList());

    for (double v = 0; v <= 7; v += 0.5) {
      assertThat(b.confidence(sumOf(v))).isEqualTo(a.confidence(sumOf(v)));
    }
  }

  @Test
  void fitIsotonic_twoFeatures_isRejected() {
    assertThatThrownBy(
            () ->
                LogprobConfidenceModel.fit(
                    CalibrationMethod.ISOTONIC,
                    List.of(LogprobFeature.SUM, LogprobFeature.MEAN),
                    List.of(LogprobFeatures.ofLogprobs(-1, -2), LogprobFeatures.ofLogprobs(-1)),
                    List.of(true, false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one feature");
  }

  @Test
  void fit_oneClassOnly_isRejectedSayingWhich() {
    assertThatThrownBy(
            () -> LogprobConfidenceModel.fit(CalibrationMethod.OLS, SUM, sums(1, 2), List.of(true, true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("all 2 were correct");
  }

  @Test
  void fit_featureMissingInAnExample_namesTheExampleAndFeature() {
    List<LogprobFeatures> x = List.of(sumOf(-1), LogprobFeatures.of(Map.of(LogprobFeature.MEAN, -0.5)));

    assertThatThrownBy(() -> LogprobConfidenceModel.fit(CalibrationMethod.OLS, SUM, x, List.of(true, false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("example 1")
        .hasMessageContaining("'sum'");
  }

  @Test
  void fit_constantFeature_isRejected() {
    assertThatThrownBy(
            () -> LogprobConfidenceModel.fit(CalibrationMethod.LOGISTIC, SUM, sums(3, 3, 3), List.of(true, false, true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same value in every training example");
  }

  @Test
  void fit_collinearFeatures_isRejected() {
    // mean = sum / 2 for two-token answers
    List<LogprobFeatures> x =
        List.of(
            LogprobFeatures.ofLogprobs(-1, -1),
            LogprobFeatures.ofLogprobs(-2, -2),
            LogprobFeatures.ofLogprobs(-3, -1),
            LogprobFeatures.ofLogprobs(-0.5, -0.5));

    assertThatThrownBy(
            () ->
                LogprobConfidenceModel.fit(
                    CalibrationMethod.OLS,
                    List.of(LogprobFeature.SUM, LogprobFeature.MEAN),
                    x,
                    List.of(true, false, false, true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("collinear");
  }

  @Test
  void confidence_answerWithoutLogprobs_throwsMissingLogprobsNamingModels() {
    ChatResponse answer = ChatResponse.builder().model("llama-3-8b").text("13").usage(Usage.of(1, 1)).build();

    assertThatThrownBy(() -> LogprobConfidenceModel.alamere().confidence(ChatRequest.of("q"), answer))
        .isInstanceOf(MissingLogprobsException.class)
        .hasMessageContaining("'alamere'")
        .hasMessageContaining("'llama-3-8b'");
  }

  @Test
  void linear_wrongCoefficientCount_isRejected() {
    assertThatThrownBy(() -> LogprobConfidenceModel.linear(SUM, 0.0, 1.0, 2.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 1 coefficients");
  }

  @Test
  void topLogprobs_marginModel_asksForTwoAlternatives() {
    assertThat(LogprobConfidenceModel.logistic(List.of(LogprobFeature.MARGIN_MIN), 0, 1).topLogprobs()).isEqualTo(2);
    assertThat(LogprobConfidenceModel.alamere().topLogprobs()).isZero();
  }

  @Test
  void crossValidate_eachAnswer_isScoredByTheModelFittedWithoutItsFold() {
    List<LogprobFeatures> x = sums(-40, -35, -31, -28, -22, -20, -17, -15, -9, -6, -3, -1);
    List<Boolean> y = List.of(false, false, true, false, false, true, true, false, true, true, true, true);
    boolean[] labels = new boolean[y.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = y.get(i);
    }

    double[] scores = LogprobConfidenceModel.crossValidate(CalibrationMethod.OLS, SUM, x, y, 3, 7);

    int[] fold = Folds.assign(labels, 3, 7);
    for (int k = 0; k < 3; k++) {
      List<LogprobFeatures> trainX = new ArrayList<>();
      List<Boolean> trainY = new ArrayList<>();
      for (int i = 0; i < fold.length; i++) {
        if (fold[i] != k) {
          trainX.add(x.get(i));
          trainY.add(y.get(i));
        }
      }
      LogprobConfidenceModel m = LogprobConfidenceModel.fit(CalibrationMethod.OLS, SUM, trainX, trainY);
      for (int i = 0; i < fold.length; i++) {
        if (fold[i] == k) {
          assertThat(scores[i]).isEqualTo(m.confidence(x.get(i)));
        }
      }
    }
    LogprobConfidenceModel inSample = LogprobConfidenceModel.fit(CalibrationMethod.OLS, SUM, x, y);
    assertThat(scores[0]).isNotEqualTo(inSample.confidence(x.get(0)));
  }

  @Test
  void foldsAssign_isStratifiedAndSeeded() {
    boolean[] labels = {true, true, true, true, false, false, false, false, false};

    int[] a = Folds.assign(labels, 2, 11);

    assertThat(Folds.assign(labels, 2, 11)).isEqualTo(a);
    long positivesInFold0 = java.util.stream.IntStream.range(0, 4).filter(i -> a[i] == 0).count();
    long negativesInFold0 = java.util.stream.IntStream.range(4, 9).filter(i -> a[i] == 0).count();
    assertThat(positivesInFold0).isEqualTo(2);
    assertThat(negativesInFold0).isBetween(2L, 3L);
  }

  static LogprobFeatures sumOf(double sum) {
    return LogprobFeatures.of(Map.of(LogprobFeature.SUM, sum));
  }

  static List<LogprobFeatures> sums(double... values) {
    List<LogprobFeatures> out = new ArrayList<>();
    for (double v : values) {
      out.add(sumOf(v));
    }
    return out;
  }
}
