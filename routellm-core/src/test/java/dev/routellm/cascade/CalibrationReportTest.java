package dev.routellm.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CalibrationReportTest {

  @Test
  void of_fourAnswersInBinsOfTwo_matchesHandComputation() {
    double[] conf = {0.1, 0.4, 0.35, 0.8};
    boolean[] correct = {false, true, false, true};

    CalibrationReport r = CalibrationReport.of(conf, correct, 2);

    // sorted: 0.1 F, 0.35 F | 0.4 T, 0.8 T -> bins (conf 0.225, acc 0), (conf 0.6, acc 1)
    assertThat(r.bins()).hasSize(2);
    assertThat(r.bins().get(0).meanConfidence()).isCloseTo(0.225, within(1e-12));
    assertThat(r.bins().get(0).accuracy()).isZero();
    assertThat(r.bins().get(1).meanConfidence()).isCloseTo(0.6, within(1e-12));
    assertThat(r.bins().get(1).accuracy()).isEqualTo(1.0);
    // 1 - (0.225^2 + 0.4^2) / (0.5^2 + 0.5^2)
    assertThat(r.binnedR2()).isCloseTo(1 - 0.210625 / 0.5, within(1e-12));
    assertThat(r.auroc()).isEqualTo(1.0);
    // ((0.1)^2 + (0.4-1)^2 + (0.35)^2 + (0.8-1)^2) / 4
    assertThat(r.brier()).isCloseTo(0.5325 / 4, within(1e-12));
    assertThat(r.accuracy()).isEqualTo(0.5);
    assertThat(r.meanConfidence()).isCloseTo(0.4125, within(1e-12));
  }

  @Test
  void of_overconfidentBins_giveNegativeR2() {
    CalibrationReport r = CalibrationReport.of(new double[] {0.9, 0.9}, new boolean[] {false, true}, 1);

    // bins (0.9, 0) and (0.9, 1): 1 - (0.81 + 0.01) / (0.25 + 0.25)
    assertThat(r.binnedR2()).isCloseTo(-0.64, within(1e-12));
  }

  @Test
  void of_tiedConfidences_countHalfInAuroc() {
    // pairs (pos, neg): (0.5, 0.5) tie = 0.5, (0.5, 0.2) = 1, (0.9, 0.5) = 1, (0.9, 0.2) = 1 -> 3.5 / 4
    CalibrationReport r =
        CalibrationReport.of(new double[] {0.5, 0.5, 0.2, 0.9}, new boolean[] {true, false, false, true}, 100);

    assertThat(r.auroc()).isCloseTo(0.875, within(1e-12));
  }

  @Test
  void of_lastBinSmaller_isKept() {
    double[] conf = new double[250];
    boolean[] correct = new boolean[250];
    for (int i = 0; i < conf.length; i++) {
      conf[i] = i / 250.0;
      correct[i] = i % 2 == 0;
    }

    CalibrationReport r = CalibrationReport.of(conf, correct);

    assertThat(r.binSize()).isEqualTo(100);
    assertThat(r.bins()).extracting(CalibrationReport.Bin::count).containsExactly(100, 100, 50);
  }

  @Test
  void of_oneClassOnly_hasNoAuroc() {
    CalibrationReport r = CalibrationReport.of(new double[] {0.2, 0.7}, new boolean[] {true, true});

    assertThat(r.auroc()).isNaN();
    assertThat(r.binnedR2()).isNaN();
  }

  @Test
  void of_mismatchedLengths_isRejected() {
    assertThatThrownBy(() -> CalibrationReport.of(new double[] {0.2}, new boolean[] {true, false}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(1) but got 2");
  }

  @Test
  void of_nanConfidence_isRejected() {
    assertThatThrownBy(() -> CalibrationReport.of(new double[] {Double.NaN}, new boolean[] {true}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be finite");
  }
}
