package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WinRatePredictorTest {
  @Test
  void of_lambda_scoresAndNames() {
    WinRatePredictor byLength = WinRatePredictor.of("length", p -> p.length() > 10 ? 0.9 : 0.1);
    assertThat(byLength.name()).isEqualTo("length");
    assertThat(byLength.scoreAll(List.of("short", "a much longer prompt"))).containsExactly(0.1, 0.9);
    assertThat(byLength).hasToString("WinRatePredictor[length]");
  }

  @Test
  void of_functionReturnsOutOfRange_throwsNamingPredictorAndValue() {
    WinRatePredictor broken = WinRatePredictor.of("broken", p -> 1.5);
    assertThatThrownBy(() -> broken.score("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("predictor 'broken' returned 1.5, outside [0, 1]");
    assertThatThrownBy(() -> WinRatePredictor.of("nan", p -> Double.NaN).score("x"))
        .hasMessageContaining("returned NaN");
  }

  @Test
  void of_blankName_rejected() {
    assertThatThrownBy(() -> WinRatePredictor.of(" ", p -> 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank but was ' '");
  }

  @Test
  void qualityPredictorOf_lambda_predictsAndChecksItsResult() {
    QualityPredictor byLength = QualityPredictor.of("length", List.of("big", "small"),
        p -> p.length() > 10 ? new double[] {0.9, 0.5} : new double[] {0.9, 0.88});
    assertThat(byLength.models()).containsExactly("big", "small");
    assertThat(byLength.predict("a long prompt here")).containsExactly(0.9, 0.5);
    assertThatThrownBy(() -> QualityPredictor.of("bad", List.of("big", "small"), p -> new double[] {0.5}).predict("x"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("returned 1 values but knows 2 models");
    assertThatThrownBy(() -> QualityPredictor.of("bad", List.of("big"), p -> new double[] {2}).predict("x"))
        .hasMessageContaining("returned 2.0 for model 'big', outside [0, 1]");
    assertThatThrownBy(() -> QualityPredictor.of("dup", List.of("a", "a"), p -> new double[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
