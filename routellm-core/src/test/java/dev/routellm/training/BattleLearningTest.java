package dev.routellm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.data.BattleFiles;
import dev.routellm.data.BattleSet;
import dev.routellm.prediction.Battle;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.MatrixFactorization;
import dev.routellm.prediction.QualityPredictor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BattleLearningTest {
  static final int DIM = 8;

  @TempDir Path dir;

  /** Outcomes of three models on prompts whose first coordinate decides whether the small model fails. */
  record Data(List<String> prompts, List<float[]> embeddings, TrainingSet pair, Map<String, double[]> outcomes) {}

  static Data data(int n, long seed) {
    Random r = new Random(seed);
    List<String> prompts = new ArrayList<>();
    List<float[]> embeddings = new ArrayList<>();
    double[] big = new double[n];
    double[] mid = new double[n];
    double[] small = new double[n];
    for (int i = 0; i < n; i++) {
      float[] e = new float[DIM];
      for (int j = 0; j < DIM; j++) {
        e[j] = (float) r.nextGaussian();
      }
      prompts.add("prompt " + i);
      embeddings.add(e);
      boolean hard = e[0] > 0;
      big[i] = 1;
      mid[i] = hard && r.nextBoolean() ? 0 : 1;
      small[i] = hard ? 0 : 1;
    }
    Map<String, double[]> outcomes = new LinkedHashMap<>();
    outcomes.put("big", big);
    outcomes.put("mid", mid);
    outcomes.put("small", small);
    return new Data(prompts, embeddings, TrainingSet.of(prompts, embeddings, big, small, null, "big", "small"),
        outcomes);
  }

  @Test
  void fit_knnOnOutcomeBattlesReadBackFromAFile_scoresLikeKnnOnTheOutcomes() {
    Data d = data(200, 1);
    Map<String, double[]> pair = new LinkedHashMap<>();
    pair.put("big", d.outcomes.get("big"));
    pair.put("small", d.outcomes.get("small"));
    Path file = dir.resolve("battles.jsonl");
    BattleFiles.write(file, BattleSet.fromOutcomes(d.prompts, pair));
    BattleSet battles = BattleFiles.read(file);

    EmbeddingScorer fromBattles = BattleLearning.fit(Learner.KNN, battles, d.embeddings, "big", "small", 42);
    EmbeddingScorer fromOutcomes = Learner.KNN.fit(d.pair, 42);

    Data test = data(50, 2);
    assertThat(fromBattles.scoreAll(test.embeddings)).containsExactly(fromOutcomes.scoreAll(test.embeddings));
  }

  @Test
  void fit_mfAndSwOnOutcomeBattles_equalTheLearnersOnTheOutcomes() {
    Data d = data(200, 3);
    Map<String, double[]> pair = new LinkedHashMap<>();
    pair.put("big", d.outcomes.get("big"));
    pair.put("small", d.outcomes.get("small"));
    BattleSet battles = BattleSet.fromOutcomes(d.prompts, pair);
    Data test = data(50, 4);

    for (Learner l : List.of(Learner.MF, Learner.SW)) {
      double[] fromBattles = BattleLearning.fit(l, battles, d.embeddings, "big", "small", 7)
          .scoreAll(test.embeddings);
      assertThat(fromBattles).as(l.id()).containsExactly(l.fit(d.pair, 7).scoreAll(test.embeddings));
    }
  }

  @Test
  void matrixFactorization_threeModelsBattles_ranksThePoolByPromptDifficulty() {
    Data d = data(400, 5);
    BattleSet battles = BattleSet.fromOutcomes(d.prompts, d.outcomes);

    MatrixFactorization mf = BattleLearning.matrixFactorization(battles, d.embeddings, 42);
    QualityPredictor q = mf.qualityPredictor(new ListEmbedder(d), List.of("big", "mid", "small"));

    assertThat(mf.models()).containsExactly("big", "mid", "small");
    double[] hard = new double[3];
    double[] easy = new double[3];
    int hardCount = 0;
    for (int i = 0; i < d.prompts.size(); i++) {
      double[] p = q.predict(d.prompts.get(i));
      boolean isHard = d.embeddings.get(i)[0] > 0;
      hardCount += isHard ? 1 : 0;
      for (int m = 0; m < 3; m++) {
        (isHard ? hard : easy)[m] += p[m];
      }
    }
    // On hard prompts the small model is predicted to lose and the big one to win, by a clear margin.
    assertThat(hard[0] / hardCount).isGreaterThan(hard[1] / hardCount).isGreaterThan(hard[2] / hardCount + 0.1);
    assertThat(hard[2] / hardCount).isLessThan(easy[2] / (d.prompts.size() - hardCount) - 0.1);
  }

  @Test
  void fit_unknownModelOrWrongEmbeddingCount_isRejected() {
    Data d = data(20, 6);
    BattleSet battles = BattleSet.fromOutcomes(d.prompts, d.outcomes);
    assertThatThrownBy(() -> BattleLearning.fit(Learner.KNN, battles, d.embeddings, "big", "huge", 1))
        .hasMessageContaining("model 'huge' appears in no battle");
    assertThatThrownBy(() -> BattleLearning.fit(Learner.KNN, battles, d.embeddings.subList(0, 3), "big", "small", 1))
        .hasMessage("need one embedding per prompt (20) but got 3");
    BattleSet noPair = BattleSet.of(List.of("p"), List.of(new Battle(0, "big", "mid", Battle.Winner.MODEL_A),
        new Battle(0, "mid", "small", Battle.Winner.MODEL_A)));
    assertThatThrownBy(() -> BattleLearning.fit(Learner.KNN, noPair, d.embeddings.subList(0, 1), "big", "small", 1))
        .hasMessageContaining("'big' and 'small' never battle each other");
  }

  /** Looks a prompt's embedding up in the data. */
  record ListEmbedder(Data data) implements dev.routellm.embedding.Embedder {
    @Override
    public String id() {
      return "list";
    }

    @Override
    public int dimension() {
      return DIM;
    }

    @Override
    public float[] embed(String text) {
      return data.embeddings.get(data.prompts.indexOf(text));
    }
  }
}
