package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SpreadTest {
  @Test
  void of_values_givesMeanSampleStdMinMax() {
    Spread s = Spread.of(2, 4, 4, 4, 5, 5, 7, 9);

    assertThat(s.mean()).isEqualTo(5.0);
    assertThat(s.std()).isCloseTo(Math.sqrt(32.0 / 7), within(1e-12));
    assertThat(s.min()).isEqualTo(2.0);
    assertThat(s.max()).isEqualTo(9.0);
  }

  @Test
  void of_oneValue_hasZeroStd() {
    assertThat(Spread.of(0.7)).isEqualTo(new Spread(0.7, 0, 0.7, 0.7));
  }

  @Test
  void of_aNaNValue_isNaNThroughout() {
    assertThat(Spread.of(1, Double.NaN).mean()).isNaN();
  }

  @Test
  void of_noValues_throws() {
    assertThatThrownBy(Spread::of).isInstanceOf(IllegalArgumentException.class);
  }
}
