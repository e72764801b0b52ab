package dev.routellm.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.onnx.BuiltInRouter;
import dev.routellm.routing.AdaptiveThreshold;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The drift simulation on real prompts scored by the real built-in router: MMLU questions, then GSM8K questions. A
 * threshold calibrated on earlier MMLU traffic loses its share when the mix changes; the adaptive one holds it.
 */
class DriftBenchmarkTest {
  static final double TARGET = 0.3;

  @Test
  void compare_mmluThenGsm8k_adaptiveHoldsTheShareWithinTwoPointsWhereTheFixedThresholdDrifts() {
    Path data = Path.of(System.getProperty("routellm.data"));
    DriftBenchmark.Stream stream;
    try (BuiltInRouter router = BuiltInRouter.topics()) {
      stream = DriftBenchmark.stream(router.predictor(), data, 600, 42);
    }

    List<DriftBenchmark.Run> runs = DriftBenchmark.compare(stream, TARGET, AdaptiveThreshold.DEFAULT_WINDOW);
    DriftBenchmark.Run fixed = runs.get(0);
    DriftBenchmark.Run adaptive = runs.get(1);

    assertThat(fixed.before()).as("fixed, on the mix it was calibrated on").isCloseTo(TARGET, within(0.05));
    assertThat(Math.abs(fixed.after() - TARGET)).as("fixed, after the change").isGreaterThan(0.1);
    assertThat(adaptive.before()).as("adaptive, before").isCloseTo(TARGET, within(0.02));
    assertThat(adaptive.after()).as("adaptive, after").isCloseTo(TARGET, within(0.02));
    assertThat(adaptive.threshold()).startsWith("adaptive: strong share 30.0%");
  }
}
