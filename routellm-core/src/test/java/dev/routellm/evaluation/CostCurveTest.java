package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CostCurveTest {
  private static CostQualityPoint p(double cost, double quality) {
    return new CostQualityPoint(cost, quality);
  }

  @Test
  void hull_dropsPointsUnderTheHullAndBeyondTheBest() {
    CostCurve curve = CostCurve.hull(List.of(p(1, 50), p(2, 60), p(3, 62), p(4, 80), p(5, 70), p(2, 55), p(6, 79)));

    // (2, 60) and (3, 62) lie under the segment (1, 50)-(4, 80); (5, 70) and (6, 79) cost more for less
    assertThat(curve.points()).containsExactly(p(1, 50), p(4, 80));
  }

  @Test
  void hull_keepsAConcaveRise() {
    CostCurve curve = CostCurve.hull(List.of(p(3, 90), p(1, 60), p(2, 85)));

    assertThat(curve.points()).containsExactly(p(1, 60), p(2, 85), p(3, 90));
    assertThat(curve.first()).isEqualTo(p(1, 60));
    assertThat(curve.last()).isEqualTo(p(3, 90));
  }

  @Test
  void qualityAt_interpolatesIsFlatBeyondTheBestAndUndefinedBelowTheCheapest() {
    CostCurve curve = CostCurve.hull(List.of(p(1, 60), p(2, 85), p(3, 90)));

    assertThat(curve.qualityAt(1.5)).isCloseTo(72.5, within(1e-12));
    assertThat(curve.qualityAt(2.5)).isCloseTo(87.5, within(1e-12));
    assertThat(curve.qualityAt(10)).isEqualTo(90);
    assertThat(curve.qualityAt(0.5)).isNaN();
  }

  @Test
  void meanQuality_isTheAreaOverTheRange() {
    CostCurve curve = CostCurve.hull(List.of(p(1, 60), p(2, 80)));

    // trapezoid over [1, 2] (mean 70), then flat at 80 over [2, 4]: (70 + 160) / 3
    assertThat(curve.meanQuality(1, 4)).isCloseTo(230.0 / 3, within(1e-12));
    assertThat(curve.meanQuality(1.5, 2)).isCloseTo(75, within(1e-12));
    assertThat(curve.meanQuality(0, 2)).as("below the cheapest point").isNaN();
    assertThatThrownBy(() -> curve.meanQuality(2, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void costReaching_findsTheLeastCostOnTheCurve() {
    CostCurve curve = CostCurve.hull(List.of(p(1, 60), p(2, 80), p(4, 90)));

    assertThat(curve.costReaching(50)).isEqualTo(1);
    assertThat(curve.costReaching(70)).isCloseTo(1.5, within(1e-12));
    assertThat(curve.costReaching(85)).isCloseTo(3, within(1e-12));
    assertThat(curve.costReaching(90.5)).isNaN();
  }

  @Test
  void hull_ofNothingOrBadPoints_isRejected() {
    assertThatThrownBy(() -> CostCurve.hull(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p(-1, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cost must be finite and >= 0 but was -1");
    assertThatThrownBy(() -> p(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
