package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ThresholdPolicyTest {
  @ParameterizedTest
  @ValueSource(doubles = {0.0, -0.0, 1.0, 0.5, 0.00005, 0.00015, 0.12345, 0.99995, 0.999949999, 1e-9, 0.1, 0.3,
      0.6789500000000001, 0.11593, 2.5e-5, 0.45675, -0.00001, -0.12345, 12.34565, 1e7 + 0.00005})
  void fourDecimals_edgeValues_sameTextAsStringFormat(double value) {
    assertThat(ThresholdPolicy.fourDecimals(value)).isEqualTo(String.format(Locale.ROOT, "%.4f", value));
  }

  @Test
  void fourDecimals_randomScoresAndTies_sameTextAsStringFormat() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200_000; i++) {
      double any = random.nextDouble();
      double tie = (random.nextInt(20_000) + 0.5) / 10_000; // a half-way case on the fifth decimal
      double shortDecimal = random.nextInt(100_000) / 100_000.0;
      for (double v : new double[] {any, tie, shortDecimal}) {
        assertThat(ThresholdPolicy.fourDecimals(v)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%.4f", v));
      }
    }
  }
}
