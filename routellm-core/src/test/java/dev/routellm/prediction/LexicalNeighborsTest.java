package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LexicalNeighborsTest {
  private static final List<float[]> E = List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 1});
  private static final List<String> PROMPTS = List.of("plain question", "EXCEPT question", "plain other");

  @Test
  void score_isTheWeightedMeanOfBothRanks() {
    NearestNeighbors knn = NearestNeighbors.fit(E, new double[] {0.5, 0.5, 0.5}, 3);
    LexicalRidge words = LexicalRidge.fit(PROMPTS, new double[] {0, 1, 0}, 0.1);
    double[] lexicalRef = {words.score("plain question"), words.score("EXCEPT question"), words.score("plain other")};
    LexicalNeighbors s = LexicalNeighbors.of(knn, words, new double[] {0.5}, lexicalRef, 0.25);

    // Every kNN target is 0.5, equal to the single kNN reference: its rank is 0.5 for any query.
    double except = s.score("EXCEPT question", new float[] {1, 0});
    assertThat(except).isCloseTo(0.75 * 0.5 + 0.25 * Ranks.of(Ranks.sortedReference(lexicalRef, "r"),
        (float) words.score("EXCEPT question")), within(1e-9));
    assertThat(except).isGreaterThan(s.score("plain question", new float[] {1, 0}));
  }

  @Test
  void of_badWeightOrReference_isRejected() {
    NearestNeighbors knn = NearestNeighbors.fit(E, new double[] {0.5, 0.5, 0.5}, 3);
    LexicalRidge words = LexicalRidge.fit(PROMPTS, new double[] {0, 1, 0}, 1);
    assertThatThrownBy(() -> LexicalNeighbors.of(knn, words, new double[] {0.5}, new double[] {0.5}, 1.5))
        .hasMessageContaining("lexicalWeight must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> LexicalNeighbors.of(knn, words, new double[0], new double[] {0.5}, 0.5))
        .hasMessageContaining("knnReference must hold at least one score");
  }
}
