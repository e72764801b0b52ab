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
}
