package dev.routellm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.prediction.Battle;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.MatrixFactorization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatrixFactorizationTrainerTest {
  static final int DIM = 24;

  @TempDir Path dir;

  /** Prompts whose first coordinate says who wins: the strong model above 0, the weak one below. */
  record Data(List<float[]> prompts, List<Battle> battles) {}

  static Data data(long seed, int n) {
    Random r = new Random(seed);
    List<float[]> prompts = new ArrayList<>();
    List<Battle> battles = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] e = new float[DIM];
      for (int j = 0; j < DIM; j++) {
        e[j] = (float) r.nextGaussian();
      }
      prompts.add(e);
      boolean strongWins = e[0] + 0.3 * r.nextGaussian() > 0;
      battles.add(Battle.fromOutcome(i, "big", "small", strongWins ? 1 : 0, strongWins ? 0 : 1));
      if (i % 5 == 0) {
        battles.add(Battle.fromOutcome(i, "big", "small", 1, 1));
      }
      if (i % 7 == 0) {
        battles.add(new Battle(i, "mid", "small", Battle.Winner.MODEL_A));
      }
    }
    return new Data(prompts, battles);
  }

  static MatrixFactorizationTrainer trainer() {
    return MatrixFactorizationTrainer.builder().dimension(16).epochs(30).learningRate(3e-3).seed(9).build();
  }

  @Test
  void train_separableBattles_ranksHeldOutPromptsByWhoWins() {
    Data train = data(1, 600);
    Data test = data(2, 300);
    List<Double> losses = new ArrayList<>();
    MatrixFactorization mf = MatrixFactorizationTrainer.builder().dimension(16).epochs(30).learningRate(3e-3)
        .seed(9).progress((epoch, epochs, loss) -> losses.add(loss)).build().train(train.prompts, train.battles);
    EmbeddingScorer scorer = mf.scorer("big", "small");

    assertThat(mf.models()).containsExactly("big", "mid", "small");
    assertThat(losses).hasSize(30);
    assertThat(losses.get(29)).isLessThan(losses.get(0) * 0.7);
    // Area under the ROC curve of the scores against the held-out winners.
    List<Double> wins = new ArrayList<>();
    List<Double> losing = new ArrayList<>();
    for (Battle b : test.battles) {
      if (b.modelA().equals("big") && b.winner() != Battle.Winner.TIE) {
        (b.winner() == Battle.Winner.MODEL_A ? wins : losing).add(scorer.score(test.prompts.get(b.prompt())));
      }
    }
    long ordered = 0;
    for (double w : wins) {
      for (double l : losing) {
        ordered += w > l ? 1 : 0;
      }
    }
    assertThat((double) ordered / (wins.size() * losing.size())).isGreaterThan(0.9);
  }

  @Test
  void train_sameSeed_givesIdenticalWeights_andSavesInRouteLlmLayout() {
    Data d = data(3, 200);

    MatrixFactorization a = trainer().train(d.prompts, d.battles);
    MatrixFactorization b = trainer().train(d.prompts, d.battles);
    a.save(dir);

    assertThat(a.tensors()).isEqualTo(b.tensors());
    assertThat(MatrixFactorization.load(dir).tensors()).isEqualTo(a.tensors())
        .containsOnlyKeys("P.weight", "text_proj.0.weight", "classifier.0.weight");
    assertThat(a.tensors().get("P.weight").shape()).containsExactly(3, 16);
    assertThat(a.tensors().get("text_proj.0.weight").shape()).containsExactly(16, DIM);
  }

  @Test
  void train_onlyTies_isRejected() {
    List<float[]> prompts = List.of(new float[] {1, 2});
    assertThatThrownBy(() -> trainer().train(prompts, List.of(Battle.fromOutcome(0, "a", "b", 1, 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no battle has a winner");
  }

  @Test
  void builder_badValues_areRejected() {
    assertThatThrownBy(() -> MatrixFactorizationTrainer.builder().learningRate(0))
        .hasMessageContaining("learningRate must be finite and > 0 but was 0.0");
    assertThatThrownBy(() -> MatrixFactorizationTrainer.builder().batchSize(-1)).hasMessageContaining("batchSize");
    assertThatThrownBy(() -> MatrixFactorizationTrainer.builder().noise(Double.NaN)).hasMessageContaining("noise");
  }
}
