package dev.routellm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.prediction.Battle;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingSetTest {
  static final List<String> P = List.of("a", "b", "c", "d");
  static final List<float[]> E = List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 1},
      new float[] {-1, 0});

  @Test
  void winRates_correctness_isStrongBetterPlusHalfTie() {
    TrainingSet t = TrainingSet.of(P, E, new double[] {1, 0, 1, 0}, new double[] {0, 1, 1, 0}, null, "s", "w");

    assertThat(t.winRates()).containsExactly(1, 0, 0.5, 0.5);
  }

  @Test
  void winRates_judgeScores_scaleByLargestGain() {
    TrainingSet t = TrainingSet.of(P, E, new double[] {9, 5, 7, 6}, new double[] {5, 7, 7, 6}, null, "s", "w");

    assertThat(t.winRates()).containsExactly(1, 0.25, 0.5, 0.5);
  }

  @Test
  void winRatesTowardGroups_mixesOwnWithGroupMean() {
    TrainingSet t = TrainingSet.of(P, E, new double[] {1, 0, 1, 0}, new double[] {0, 0, 0, 0},
        Arrays.asList("a", "a", "b", null), "s", "w");

    // group a: win rates 1 and 0.5, mean 0.75; group b: 1; no group: 0.5 stays.
    assertThat(t.winRatesTowardGroups(0.5)).containsExactly(new double[] {0.875, 0.625, 1, 0.5}, within(1e-12));
    assertThat(t.winRatesTowardGroups(0)).containsExactly(t.winRates());
  }

  @Test
  void groupCentroids_onePointPerGroupWithItsMeanWinRate() {
    TrainingSet t = TrainingSet.of(P, List.of(new float[] {2, 0}, new float[] {0, 1}, new float[] {0, 3},
        new float[] {1, 0}), new double[] {1, 0, 1, 1}, new double[] {0, 0, 1, 0}, List.of("x", "y", "y", "x"),
        "s", "w");

    var centroids = t.groupCentroids(1);

    // group x: unit vectors (1, 0) twice, win rates 1 and 1; group y: (0, 1) twice, win rates 0.5 and 0.5.
    assertThat(centroids.size()).isEqualTo(2);
    assertThat(centroids.score(new float[] {1, 0.1f})).isCloseTo(1, within(1e-6));
    assertThat(centroids.score(new float[] {0.1f, 1})).isCloseTo(0.5, within(1e-6));
    assertThatThrownBy(() -> TrainingSet.of(P, E, new double[4], new double[4], null, "s", "w").groupCentroids(1))
        .hasMessageContaining("prompt 0 has no group");
  }

  @Test
  void battles_betterModelWins() {
    TrainingSet t = TrainingSet.of(P, E, new double[] {1, 0, 1, 0}, new double[] {0, 1, 1, 0}, null, "s", "w");

    assertThat(t.battles()).extracting(Battle::winner).containsExactly(Battle.Winner.MODEL_A, Battle.Winner.MODEL_B,
        Battle.Winner.TIE, Battle.Winner.TIE);
  }

  @Test
  void of_inconsistentInput_isRejected() {
    assertThatThrownBy(() -> TrainingSet.of(P, E, new double[3], new double[4], null, "s", "w"))
        .hasMessageContaining("per embedding (4)");
    assertThatThrownBy(() -> TrainingSet.of(List.of("a"), E, new double[4], new double[4], null, "s", "w"))
        .hasMessageContaining("but got 1, 4, 4");
    assertThatThrownBy(() -> TrainingSet.of(P, E, new double[4], new double[4], null, "s", "s"))
        .hasMessageContaining("must differ");
    assertThatThrownBy(() -> TrainingSet.of(P, E, new double[] {0, 0, Double.NaN, 0}, new double[4], null, "s", "w"))
        .hasMessageContaining("prompt 2");
    assertThatThrownBy(() -> Learner.byId("bert"))
        .hasMessageContaining("[knn, knn-groups, knn-length, knn-lexical, topic-centroids, linear, mf, sw]");
  }
}
