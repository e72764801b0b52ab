package dev.routellm.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThresholdCalibratorTest {
  static final double[] SCORES = {0.1, 0.4, 0.2, 0.9};

  @ParameterizedTest
  @CsvSource({"0.0, 0.1", "0.5, 0.3", "0.8, 0.6", "1.0, 0.9", "0.25, 0.175"})
  void quantile_interpolatesLinearlyLikeNumpy(double q, double expected) {
    // numpy.quantile([0.1, 0.4, 0.2, 0.9], q) by hand: h = 3q, x[floor h] + frac(h) (x[ceil h] - x[floor h]).
    assertThat(ThresholdCalibrator.of(SCORES).quantile(q)).isCloseTo(expected, within(1e-12));
  }

  @Test
  void forStrongShare_onManyScores_givesThatShare() {
    Random r = new Random(4);
    double[] s = new double[10_001];
    for (int i = 0; i < s.length; i++) {
      s[i] = r.nextDouble();
    }
    Calibration c = ThresholdCalibrator.of(s).forStrongShare(0.3);

    assertThat(c.strongShare()).isCloseTo(0.3, within(1e-3));
    assertThat(c.quality()).isEmpty();
    assertThat(c.costPerRequest()).isEmpty();
  }

  @Test
  void forBudget_midwayBetweenCosts_givesHalfStrong() {
    Usage usage = Usage.of(95, 264);
    double strong = (95 * 10.0 + 264 * 30.0) / 1e6;
    double weak = (95 + 264) * 0.24 / 1e6;
    double[] s = new double[1001];
    for (int i = 0; i < s.length; i++) {
      s[i] = i / 1000.0;
    }
    Calibration c = ThresholdCalibrator.of(s).withCosts(CostModel.paperDefaults(), CostModel.GPT_4, CostModel.MIXTRAL,
        usage).forBudget((strong + weak) / 2);

    // Half of 1001 prompts is 500.5: 500 can go to the strong model, the scores 0.501 .. 1.
    assertThat(c.threshold()).isCloseTo(0.501, within(1e-12));
    assertThat(c.strongShare()).isEqualTo(500 / 1001.0);
    assertThat(c.costPerRequest().orElseThrow()).isCloseTo((500 * strong + 501 * weak) / 1001, within(1e-12))
        .isLessThanOrEqualTo((strong + weak) / 2);
  }

  @Test
  void forBudget_tiedScores_neverExceedsTheBudget() {
    double[] s = {0.9, 0.7, 0.7, 0.7, 0.1};
    ThresholdCalibrator cal = ThresholdCalibrator.of(s).withCosts(CostModel.paperDefaults(), CostModel.GPT_4,
        CostModel.MIXTRAL, Usage.of(0, 1_000_000));
    // Strong costs $30, weak $0.24 per request: a budget affording 3 of 5 strong calls cannot take the block of 0.7s.
    Calibration c = cal.forBudget(0.24 + 3.0 / 5 * (30 - 0.24));

    assertThat(c.threshold()).isEqualTo(0.9);
    assertThat(c.strongShare()).isEqualTo(0.2);
    assertThat(cal.forBudget(30).strongShare()).isEqualTo(1.0);
    assertThat(cal.forBudget(0.24).strongShare()).isZero();
  }

  @Test
  void forBudget_belowAllWeak_isRejectedWithTheFloor() {
    ThresholdCalibrator cal = ThresholdCalibrator.of(SCORES)
        .withCosts(CostModel.paperDefaults(), CostModel.GPT_4, CostModel.MIXTRAL, Usage.of(1000, 0));

    assertThatThrownBy(() -> cal.forBudget(1e-6)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a budget of $0.000001 per request").hasMessageContaining("($0.00024)");
    assertThatThrownBy(() -> ThresholdCalibrator.of(SCORES).forBudget(1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void withCosts_unpricedModel_isConfigurationError() {
    assertThatThrownBy(() -> ThresholdCalibrator.of(SCORES).withCosts(CostModel.paperDefaults(), "gpt-5",
        CostModel.MIXTRAL, Usage.of(1, 1))).isInstanceOf(ConfigurationException.class);
  }

  @Test
  void forQuality_picksFewestStrongCallsReachingTarget() {
    // In score order 0.9, 0.4, 0.2, 0.1 the strong model gains 0, 0, 1, 0; all-weak quality is 0.5.
    double[] strong = {1, 1, 1, 0};
    double[] weak = {1, 1, 0, 0};
    ThresholdCalibrator cal = ThresholdCalibrator.of(SCORES).withOutcomes(strong, weak);

    Calibration allWeak = cal.forQuality(0.5);
    Calibration c = cal.forQuality(0.6);

    assertThat(allWeak.strongShare()).isZero();
    assertThat(allWeak.quality()).hasValue(0.5);
    assertThat(c.threshold()).isEqualTo(0.2);
    assertThat(c.strongShare()).isEqualTo(0.75);
    assertThat(c.quality()).hasValue(0.75);
    assertThatThrownBy(() -> cal.forQuality(0.8)).hasMessageContaining("best reachable is 0.75");
  }

  @Test
  void of_badScores_areRejected() {
    assertThatThrownBy(() -> ThresholdCalibrator.of(new double[0])).hasMessageContaining("at least one");
    assertThatThrownBy(() -> ThresholdCalibrator.of(new double[] {0.5, Double.NaN}))
        .hasMessageContaining("score 1 must be in [0, 1] but was NaN");
    assertThatThrownBy(() -> ThresholdCalibrator.of(SCORES).withOutcomes(new double[3], new double[4]))
        .hasMessageContaining("one outcome per score (4)");
    assertThatThrownBy(() -> ThresholdCalibrator.of(SCORES).forStrongShare(1.5)).hasMessageContaining("1.5");
  }

  @Test
  void forStrongShare_zero_thresholdIsJustAboveTheHighestScoreAndSendsNone() {
    Calibration c = ThresholdCalibrator.of(SCORES).forStrongShare(0);

    assertThat(c.threshold()).isEqualTo(Math.nextUp(0.9));
    assertThat(c.strongShare()).isZero();
  }

  @Test
  void forStrongShare_zeroWithAScoreOfExactlyOne_capsAtOneAndCountsWhatStillGoesStrong() {
    Calibration c = ThresholdCalibrator.of(new double[] {0.2, 1.0, 0.5, 1.0}).forStrongShare(0);

    assertThat(c.threshold()).isEqualTo(1.0);
    assertThat(c.strongShare()).isEqualTo(0.5);
  }

  @ParameterizedTest
  @CsvSource({"0", "0.01", "0.25", "0.3", "0.5", "0.75", "0.99", "1"})
  void forStrongShare_anyShare_reportsTheShareCountedAtItsThreshold(double share) {
    double[] s = {0.1, 0.4, 0.4, 0.2, 0.9, 0.65, 0.3};
    Calibration c = ThresholdCalibrator.of(s).forStrongShare(share);

    long atOrAbove = java.util.Arrays.stream(s).filter(x -> x >= c.threshold()).count();
    assertThat(c.strongShare()).isEqualTo((double) atOrAbove / s.length);
  }

  @Test
  void nearestReachable_allScoresTied_givesNoneAndAllAroundTheTarget() {
    double[] s = new double[30];
    java.util.Arrays.fill(s, 0.5);
    ThresholdCalibrator cal = ThresholdCalibrator.of(s);

    java.util.List<Calibration> near = cal.nearestReachable(0.3);

    assertThat(near).extracting(Calibration::strongShare).containsExactly(0.0, 1.0);
    assertThat(near).extracting(Calibration::threshold).containsExactly(Math.nextUp(0.5), 0.5);
    assertThat(cal.forStrongShare(0.3).strongShare()).isEqualTo(1.0); // the quantile lands in the tie block
    assertThat(cal.size()).isEqualTo(30);
  }

  @Test
  void nearestReachable_tieBlockInTheMiddle_givesItsEdges() {
    double[] s = {0.1, 0.2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.7, 0.8, 0.9};
    ThresholdCalibrator cal = ThresholdCalibrator.of(s);

    assertThat(cal.nearestReachable(0.5)).extracting(Calibration::strongShare).containsExactly(0.3, 0.8);
    assertThat(cal.nearestReachable(0.5)).extracting(Calibration::threshold).containsExactly(0.7, 0.5);
    assertThat(cal.nearestReachable(0.2)).extracting(Calibration::strongShare).containsExactly(0.2);
    assertThat(cal.nearestReachable(0.2).get(0).threshold()).isEqualTo(0.8);
  }

  @Test
  void nearestReachable_zeroWithAScoreOfExactlyOne_givesOnlyTheShareAbove() {
    ThresholdCalibrator cal = ThresholdCalibrator.of(new double[] {0.2, 1.0, 0.5, 1.0});

    assertThat(cal.nearestReachable(0)).extracting(Calibration::strongShare).containsExactly(0.5);
    assertThat(cal.nearestReachable(1)).extracting(Calibration::strongShare).containsExactly(1.0);
  }

  @Test
  void nearestReachable_shareOutsideZeroOne_isRejected() {
    assertThatThrownBy(() -> ThresholdCalibrator.of(SCORES).nearestReachable(1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("strong share must be in [0, 1] but was 1.5");
  }

  @Test
  void referenceCosts_dependOnNoThreshold() {
    double[] top = {0.3, 1.0};
    ThresholdCalibrator cal = ThresholdCalibrator.of(top).withCosts(CostModel.paperDefaults(), CostModel.GPT_4,
        CostModel.MIXTRAL, Usage.of(0, 1_000_000));

    assertThat(cal.weakCostPerRequest()).isCloseTo(0.24, within(1e-12));
    assertThat(cal.strongCostPerRequest()).isCloseTo(30, within(1e-12));
    // A score of 1 goes strong at every threshold, so no threshold costs "all weak": the reference does not move.
    assertThat(cal.forStrongShare(0).costPerRequest().orElseThrow()).isGreaterThan(cal.weakCostPerRequest());
    assertThatThrownBy(() -> ThresholdCalibrator.of(top).weakCostPerRequest())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void bestQuality_isTheHighestMeanAnyThresholdReaches() {
    // Sending the 0.9 prompt to the strong model helps, the 0.4 one hurts: the best is one strong call.
    ThresholdCalibrator cal = ThresholdCalibrator.of(SCORES)
        .withOutcomes(new double[] {0, 0, 0, 1}, new double[] {0, 1, 0, 0});

    assertThat(cal.bestQuality()).isEqualTo(0.5);
    assertThat(cal.forQuality(0.5).threshold()).isEqualTo(0.9);
    assertThatThrownBy(() -> cal.forQuality(0.75)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("best reachable is 0.5");
  }
}
