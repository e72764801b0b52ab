package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LengthAwareNeighborsTest {
  @Test
  void rank_isMidRankAgainstSortedValues() {
    float[] sorted = {1, 2, 2, 3};

    assertThat(LengthAwareNeighbors.rank(sorted, 0)).isEqualTo(0);
    assertThat(LengthAwareNeighbors.rank(sorted, 2)).isEqualTo((1 + 0.5 * 2) / 4);
    assertThat(LengthAwareNeighbors.rank(sorted, 5)).isEqualTo(1);
  }

  @Test
  void score_sameNeighbours_longerPromptScoresHigher() {
    List<float[]> e = List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 1});
    List<String> prompts = List.of("one two", "one two three four", "one two three four five six");
    LengthAwareNeighbors s = LengthAwareNeighbors.fit(prompts, e, new double[] {0.5, 0.5, 0.5}, 3, 0.5);
    float[] q = {1, 0.5f};

    // Every target is 0.5, so the kNN part is the same for both prompts; only the length rank differs.
    double shortScore = s.score("hi", q);
    double longScore = s.score("a b c d e f g h", q);
    assertThat(longScore - shortScore).isCloseTo(0.5 * (1 - 0), within(1e-9));
    assertThat(s.score(q)).isCloseTo((shortScore + longScore) / 2, within(1e-9));
  }

  @Test
  void words_countsWhitespaceRuns() {
    assertThat(LengthAwareNeighbors.words("  A train  leaves\nat 3 pm. ")).isEqualTo(6);
    assertThat(LengthAwareNeighbors.words("   ")).isZero();
  }

  @Test
  void fit_badWeightOrSizes_isRejected() {
    List<float[]> e = List.of(new float[] {1, 0});
    assertThatThrownBy(() -> LengthAwareNeighbors.fit(List.of("a"), e, new double[] {0.5}, 1, 1.5))
        .hasMessageContaining("lengthWeight");
    assertThatThrownBy(() -> LengthAwareNeighbors.fit(List.of("a", "b"), e, new double[] {0.5}, 1, 0.5))
        .hasMessageContaining("one prompt per embedding");
  }
}
