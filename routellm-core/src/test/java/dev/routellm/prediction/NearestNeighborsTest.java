package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NearestNeighborsTest {
  @Test
  void score_returnsSimilarityWeightedMeanOfNearestTargets() {
    List<float[]> e = List.of(new float[] {1, 0}, new float[] {0.8f, 0.6f}, new float[] {-1, 0});
    NearestNeighbors knn = NearestNeighbors.fit(e, new double[] {1.0, 0.0, 0.3}, 2);

    // query along (1, 0): neighbours 0 (cos 1) and 1 (cos 0.8); the far one is outside k.
    assertThat(knn.score(new float[] {2, 0})).isCloseTo((1.0 * 1 + 0.8 * 0) / 1.8, within(1e-6));
  }

  @Test
  void score_noPositiveSimilarity_averagesNeighboursEqually() {
    NearestNeighbors knn = NearestNeighbors.fit(List.of(new float[] {1, 0}, new float[] {0, 1}),
        new double[] {0.2, 0.6}, 5);

    assertThat(knn.k()).isEqualTo(2);
    assertThat(knn.score(new float[] {-1, -1})).isCloseTo(0.4, within(1e-6));
  }

  @Test
  void topK_matchesFullSort() {
    Random r = new Random(1);
    float[] v = new float[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    int[] top = NearestNeighbors.topK(v, 17);
    int[] expected = IntStream.range(0, v.length).boxed().sorted((a, b) -> Float.compare(v[b], v[a]))
        .limit(17).mapToInt(Integer::intValue).sorted().toArray();

    assertThat(Arrays.stream(top).sorted().toArray()).containsExactly(expected);
  }

  @Test
  void fit_badInput_isRejected() {
    List<float[]> one = List.of(new float[] {1, 0});
    assertThatThrownBy(() -> NearestNeighbors.fit(one, new double[] {1.5}, 1)).hasMessageContaining("[0, 1]");
    assertThatThrownBy(() -> NearestNeighbors.fit(one, new double[] {0.5, 0.5}, 1))
        .hasMessageContaining("1 embeddings and 2 targets");
    assertThatThrownBy(() -> NearestNeighbors.fit(one, new double[] {0.5}, 0)).hasMessageContaining("k must be");
    assertThatThrownBy(() -> NearestNeighbors.fit(List.of(new float[] {1, 0}, new float[] {1}),
        new double[] {0.5, 0.5}, 1)).hasMessageContaining("dimension 2 but has 1");
  }
}
