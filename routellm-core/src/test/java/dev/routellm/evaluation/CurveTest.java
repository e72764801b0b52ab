package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CurveTest {
  private static Curve curve(double weak, double strong, double... shareQualityPairs) {
    double[] shares = new double[shareQualityPairs.length / 2];
    double[] qualities = new double[shares.length];
    for (int i = 0; i < shares.length; i++) {
      shares[i] = shareQualityPairs[2 * i];
      qualities[i] = shareQualityPairs[2 * i + 1];
    }
    return Curve.of(shares, qualities, weak, strong);
  }

  @Test
  void apgr_straightLineFromWeakToStrong_isOneHalf() {
    Curve line = curve(60, 80, 0, 60, 1, 80);

    assertThat(line.apgr()).isEqualTo(0.5);
    assertThat(line.cpt(0.5)).isEqualTo(0.5);
    assertThat(line.cpt(0.2)).isCloseTo(0.2, within(1e-12));
  }

  @Test
  void apgr_unevenPoints_isTheTrapezoidArea() {
    // PGR: 0 at 0, 0.5 at 0.2, 1 at 1 -> area 0.2*0.25 + 0.8*0.75 = 0.65
    Curve c = curve(10, 20, 0, 10, 0.2, 15, 1, 20);

    assertThat(c.apgr()).isCloseTo(0.65, within(1e-12));
  }

  @Test
  void cpt_betweenPoints_interpolatesLinearly() {
    Curve c = curve(10, 20, 0, 10, 0.2, 15, 1, 20);

    assertThat(c.cpt(0.25)).isCloseTo(0.1, within(1e-12));
    assertThat(c.cpt(0.8)).isCloseTo(0.2 + 0.8 * 0.6, within(1e-12));
    assertThat(c.cpt(0)).isZero();
  }

  @Test
  void cpt_curveThatRisesFallsAndRises_returnsTheFirstCrossing() {
    // PGR 0 -> 0.6 -> 0.2 -> 1: 50% is first reached inside the first segment.
    Curve c = curve(0, 10, 0, 0, 0.3, 6, 0.6, 2, 1, 10);

    assertThat(c.cpt(0.5)).isCloseTo(0.25, within(1e-12));
    assertThat(c.cpt(0.8)).isCloseTo(0.6 + 0.4 * 0.75, within(1e-12));
  }

  @Test
  void cpt_levelNeverReached_isNaN() {
    Curve c = curve(0, 10, 0, 0, 1, 10);

    assertThat(c.cpt(1.2)).isNaN();
  }

  @Test
  void qualityAt_betweenAndAtPoints_interpolates() {
    Curve c = curve(10, 20, 0, 10, 0.2, 15, 0.2, 16, 1, 20);

    assertThat(c.qualityAt(0.1)).isCloseTo(12.5, within(1e-12));
    assertThat(c.qualityAt(0.2)).as("first of the points at one share").isEqualTo(15);
    assertThat(c.qualityAt(0.6)).isCloseTo(18, within(1e-12));
    assertThat(c.qualityAt(1)).isEqualTo(20);
  }

  @Test
  void sample_hundredSteps_readsTheCurveEveryPercent() {
    Curve c = curve(10, 20, 0, 10, 0.205, 15, 1, 20);
    Curve grid = c.sample(100);

    assertThat(grid.size()).isEqualTo(101);
    assertThat(grid.points().get(37).strongShare()).isEqualTo(0.37);
    assertThat(grid.points().get(37).quality()).isCloseTo(c.qualityAt(0.37), within(1e-12));
    assertThat(grid.points().get(100).strongShare()).isEqualTo(1.0);
  }

  @Test
  void pgrAndQualityAtPgr_areInverse() {
    Curve c = curve(68.0915, 80.5870, 0, 68.0915, 1, 80.5870);

    assertThat(c.qualityAtPgr(0.5)).isCloseTo(74.33925, within(1e-9));
    assertThat(c.pgr(c.qualityAtPgr(0.37))).isCloseTo(0.37, within(1e-12));
  }

  @ParameterizedTest
  @CsvSource({"0.1, 1", "0, 0.9", "0.5, 0.5"})
  void of_curveNotSpanningZeroToOne_throws(double first, double last) {
    assertThatThrownBy(() -> curve(0, 1, first, 0, last, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must run from strong share 0 to 1");
  }

  @Test
  void of_decreasingShares_throws() {
    assertThatThrownBy(() -> curve(0, 1, 0, 0, 0.6, 0.5, 0.4, 0.5, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("strong shares must not decrease but point 2 has 0.4 after 0.6");
  }

  @Test
  void of_equalWeakAndStrong_throwsBecausePgrIsUndefined() {
    assertThatThrownBy(() -> Curve.of(List.of(new CurvePoint(0, 5), new CurvePoint(1, 5)), 5, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PGR is undefined");
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.01, 1.01, Double.NaN})
  void qualityAt_shareOutsideUnitInterval_throws(double share) {
    Curve c = curve(0, 1, 0, 0, 1, 1);

    assertThatThrownBy(() -> c.qualityAt(share)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.01, 1.01, Double.NaN})
  void curvePoint_shareOutsideUnitInterval_throws(double share) {
    assertThatThrownBy(() -> new CurvePoint(share, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("strongShare must be in [0, 1] but was");
  }
}
