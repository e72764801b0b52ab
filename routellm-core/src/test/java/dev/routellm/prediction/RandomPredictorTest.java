package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RandomPredictorTest {
  @Test
  void score_sameSeedAndPrompt_isStable() {
    assertThat(RandomPredictor.withSeed(1).score("abc")).isEqualTo(RandomPredictor.withSeed(1).score("abc"));
    assertThat(RandomPredictor.withSeed(1).score("abc")).isNotEqualTo(RandomPredictor.withSeed(2).score("abc"));
  }

  @Test
  void score_manyPrompts_isUniformOnUnitInterval() {
    RandomPredictor p = RandomPredictor.withSeed(7);
    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      prompts.add("prompt number " + i);
    }
    double[] scores = p.scoreAll(prompts);
    int[] bins = new int[10];
    for (double s : scores) {
      assertThat(s).isBetween(0.0, 1.0).isLessThan(1.0);
      bins[(int) (s * 10)]++;
    }
    for (int b : bins) {
      assertThat(b).isBetween(1800, 2200);
    }
  }
}
