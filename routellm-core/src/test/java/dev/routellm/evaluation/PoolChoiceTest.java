package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.cost.ModelPrice;
import org.junit.jupiter.api.Test;

class PoolChoiceTest {
  private static final double[] QUALITY = {0.95, 0.90, 0.60};
  private static final double[] COST = {1.0, 0.1, 0.01};

  @Test
  void bestValue_lambdaTradesQualityForCost() {
    assertThat(PoolChoice.bestValue(QUALITY, COST, 1.0, 0, null)).as("free: best predicted").isEqualTo(0);
    // 0.90 - 0.1 * 0.5 = 0.85 beats 0.95 - 0.5 = 0.45 and 0.60 - 0.005
    assertThat(PoolChoice.bestValue(QUALITY, COST, 1.0, 0.5, null)).isEqualTo(1);
    assertThat(PoolChoice.bestValue(QUALITY, COST, 1.0, 1000, null)).as("dear: cheapest").isEqualTo(2);
    assertThat(PoolChoice.bestValue(QUALITY, COST, 1.0, 0, new boolean[] {false, true, true})).isEqualTo(1);
    assertThat(PoolChoice.bestValue(QUALITY, COST, 1.0, 0, new boolean[3])).isEqualTo(-1);
  }

  @Test
  void bestValue_tieGoesToTheCheaperModel() {
    assertThat(PoolChoice.bestValue(new double[] {0.8, 0.8}, new double[] {2, 1}, 2, 0, null)).isEqualTo(1);
  }

  @Test
  void cheapestReaching_takesTheCheapestAboveTheTargetElseTheBest() {
    assertThat(PoolChoice.cheapestReaching(QUALITY, COST, 0.85, null)).isEqualTo(1);
    assertThat(PoolChoice.cheapestReaching(QUALITY, COST, 0.5, null)).isEqualTo(2);
    assertThat(PoolChoice.cheapestReaching(QUALITY, COST, 0.99, null)).as("none reaches: the best").isEqualTo(0);
    assertThat(PoolChoice.cheapestReaching(QUALITY, COST, 0.99, new boolean[] {false, true, true})).isEqualTo(1);
  }

  @Test
  void expectedCost_pricesThePromptAndTheExpectedAnswer() {
    ModelPrice price = new ModelPrice(2.5, 10.0);

    assertThat(PoolChoice.expectedCost(price, 120, 87.4)).isEqualTo(price.cost(120, 87));
    assertThatThrownBy(() -> PoolChoice.expectedCost(price, -1, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("promptTokens must be finite and >= 0 but was -1");
  }

  @Test
  void badArguments_areRejected() {
    assertThatThrownBy(() -> PoolChoice.bestValue(QUALITY, new double[2], 1, 0, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one entry per model");
    assertThatThrownBy(() -> PoolChoice.bestValue(QUALITY, COST, 1, -1, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lambda must be >= 0 but was -1");
    assertThatThrownBy(() -> PoolChoice.cheapestReaching(QUALITY, COST, Double.NaN, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
