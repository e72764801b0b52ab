package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.SharedData;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoutingCurvesTest {
  // gains 1, 1, 0, 0; weak mean 0.25, strong mean 0.75
  private static final Dataset FOUR = TestDatasets.of(new double[] {1, 1, 0, 1}, new double[] {0, 0, 0, 1});

  @Test
  void of_tiedScores_interpolatesAcrossTheTiedBlock() {
    RoutingCurves curves = RoutingCurves.of(FOUR, new double[] {1, 0.5, 0.5, 0});

    // Example 0 alone: 0.5 at 25%; the tied pair (gains 1 and 0) together: 0.75 at 75%.
    assertThat(curves.fineGrid().qualityAt(0.25)).isCloseTo(0.5, within(1e-12));
    assertThat(curves.fineGrid().qualityAt(0.75)).isCloseTo(0.75, within(1e-12));
    // Half the tied block: the expected quality of sending one of the two, chosen at random.
    assertThat(curves.fineGrid().qualityAt(0.5)).isCloseTo(0.625, within(1e-12));
  }

  @Test
  void of_permutedExamplesAndScores_givesTheSameCurves() {
    double[] strong = {1, 0, 1, 1, 0, 1, 0, 1};
    double[] weak = {0, 0, 1, 0, 1, 1, 0, 0};
    double[] scores = {0.3, 0.3, 0.9, 0.3, 0.1, 0.9, 0.5, 0.3};
    int[] permutation = {7, 2, 5, 0, 3, 6, 1, 4};
    double[] ps = new double[8];
    double[] pw = new double[8];
    double[] pscores = new double[8];
    for (int i = 0; i < 8; i++) {
      ps[i] = strong[permutation[i]];
      pw[i] = weak[permutation[i]];
      pscores[i] = scores[permutation[i]];
    }

    RoutingCurves a = RoutingCurves.of(TestDatasets.of(strong, weak), scores);
    RoutingCurves b = RoutingCurves.of(TestDatasets.of(ps, pw), pscores);

    assertThat(b.fineGrid().points()).isEqualTo(a.fineGrid().points());
    assertThat(b.routeLlm().points()).isEqualTo(a.routeLlm().points());
  }

  @Test
  void of_negativeAndPositiveZero_areOneTie() {
    RoutingCurves curves = RoutingCurves.of(TestDatasets.of(new double[] {1, 0}, new double[] {0, 0}),
        new double[] {-0.0, 0.0});

    assertThat(curves.fineGrid().qualityAt(0.5)).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void of_distinctScores_placesRouteLlmPointsAtScoreDeciles() {
    double[] strong = new double[10];
    double[] weak = new double[10];
    double[] scores = new double[10];
    for (int i = 0; i < 10; i++) {
      strong[i] = i % 2 == 0 ? 1 : 0;
      weak[i] = 0;
      scores[i] = i;
    }

    List<CurvePoint> points = RoutingCurves.of(TestDatasets.of(strong, weak), scores).routeLlm().points();

    assertThat(points).hasSize(11);
    for (int j = 0; j <= 10; j++) {
      // Threshold at the (10 - j)-th decile sends the j highest scores (9, 8, ...) to the strong model.
      int gained = 0;
      for (int i = 10 - j; i < 10; i++) {
        gained += (int) strong[i];
      }
      assertThat(points.get(j).strongShare()).isCloseTo(j / 10.0, within(1e-12));
      assertThat(points.get(j).quality()).isCloseTo(gained / 10.0, within(1e-12));
    }
  }

  @Test
  void of_manyTies_routeLlmThresholdsAtQuantilesRepeatPoints() {
    double[] scores = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
    double[] strong = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};

    List<CurvePoint> points = RoutingCurves.of(TestDatasets.of(strong, new double[10]), scores).routeLlm().points();

    // > max: 0%; quantiles 0.6 (0.4 by interpolation) to 0.9 are above 0: the four 1s; quantiles 0 to 0.5 are 0: all.
    assertThat(points).extracting(CurvePoint::strongShare)
        .containsExactly(0.0, 0.4, 0.4, 0.4, 0.4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
  }

  @Test
  void quantile_betweenOrderStatistics_interpolatesLikeNumpy() {
    double[] sorted = {1, 2, 4, 8};

    assertThat(RoutingCurves.quantile(sorted, 0.5)).isEqualTo(3.0); // position 1.5
    assertThat(RoutingCurves.quantile(sorted, 0.9)).isCloseTo(6.8, within(1e-12)); // position 2.7
    assertThat(RoutingCurves.quantile(sorted, 1.0)).isEqualTo(8.0);
  }

  @Test
  void oracle_handMadeOutcomes_isTheUpperEnvelope() {
    // gains 1, 1, -1, 0: weak 0.5, strong 0.75; the oracle takes the two gains and stops: 1.0 from 50% on.
    Dataset data = TestDatasets.of(new double[] {1, 1, 0, 1}, new double[] {0, 0, 1, 1});

    Curve oracle = RoutingCurves.oracle(data).fineGrid();

    assertThat(oracle.qualityAt(0.25)).isCloseTo(0.75, within(1e-12));
    assertThat(oracle.qualityAt(0.5)).isCloseTo(1.0, within(1e-12));
    assertThat(oracle.qualityAt(1)).isCloseTo(1.0, within(1e-12));
    assertThat(oracle.apgr()).isCloseTo(1.5, within(1e-12));
  }

  @Test
  void random_anyDataset_isTheStraightLine() {
    RoutingCurves random = RoutingCurves.random(FOUR);

    assertThat(random.fineGrid().apgr()).isCloseTo(0.5, within(1e-12));
    assertThat(random.routeLlm().apgr()).isCloseTo(0.5, within(1e-12));
    assertThat(random.fineGrid().cpt(0.8)).isCloseTo(0.8, within(1e-12));
    assertThat(random.routeLlm().size()).isEqualTo(11);
  }

  @Test
  void of_scoreCountDiffersFromDataset_throws() {
    assertThatThrownBy(() -> RoutingCurves.of(FOUR, new double[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected one score per example (4) but got 3");
  }

  @Test
  void of_nonFiniteScore_throwsNamingTheExample() {
    assertThatThrownBy(() -> RoutingCurves.of(FOUR, new double[] {0, Double.NaN, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scores must be finite but score 1 (example 'e1') was NaN");
  }

  @ParameterizedTest(name = "{0}: oracle CPT(50%) {1}%")
  @CsvSource({"mmlu, 6.25", "gsm8k, 11.02"})
  void oracle_sharedData_reproducesRouteLlmCpt50(String benchmark, double cpt50Percent) {
    Curve oracle = RoutingCurves.oracle(SharedData.load(benchmark)).fineGrid();

    assertThat(100 * oracle.cpt(0.5)).isCloseTo(cpt50Percent, within(0.005));
  }

  @ParameterizedTest(name = "{0}: oracle APGR {1} at RouteLLM's 11 points")
  @CsvSource({"mmlu, 1.290, 0.0005", "gsm8k, 1.131, 0.0005", "mt-bench, 0.957, 0.005"})
  void oracle_sharedData_reproducesRouteLlmApgrOnElevenPoints(String benchmark, double apgr, double tolerance) {
    // MT-Bench: RouteLLM rounds the oracle's strong calls down to whole questions (0.957); our curve is linear
    // between whole questions (0.960).
    RoutingCurves oracle = RoutingCurves.oracle(SharedData.load(benchmark));

    assertThat(oracle.routeLlm().apgr()).isCloseTo(apgr, within(tolerance));
    assertThat(oracle.fineGrid().apgr()).isGreaterThanOrEqualTo(oracle.routeLlm().apgr());
  }

  @Test
  void of_oracleScoresOnMmlu_followTheOracleUntilTheGainsRunOut() {
    Dataset mmlu = SharedData.mmlu();
    double[] gains = mmlu.examples().stream().mapToDouble(Example::gain).toArray();
    long improved = mmlu.examples().stream().filter(e -> e.gain() > 0).count();
    double share = (double) improved / mmlu.size();

    Curve router = RoutingCurves.of(mmlu, gains).fineGrid();
    Curve oracle = RoutingCurves.oracle(mmlu).fineGrid();

    assertThat(router.qualityAt(share / 2)).isCloseTo(oracle.qualityAt(share / 2), within(1e-9));
    assertThat(router.qualityAt(1)).isCloseTo(router.strongQuality(), within(1e-9));
    assertThat(oracle.qualityAt(1)).isGreaterThan(router.strongQuality());
  }
}
