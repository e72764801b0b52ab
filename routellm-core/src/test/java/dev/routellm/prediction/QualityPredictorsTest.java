package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QualityPredictorsTest {
  static final List<String> MODELS = List.of("big", "mid", "small");

  @TempDir Path dir;

  /** Two clusters of prompts: near (1, 0) only "big" is right, near (0, 1) every model is. */
  static QualityNeighbors twoClusters(int k, double prior) {
    List<float[]> e = List.of(new float[] {1, 0.1f}, new float[] {1, -0.1f}, new float[] {0.1f, 1},
        new float[] {-0.1f, 1});
    double[][] y = {{1, 0, 0}, {1, 0, 0}, {1, 1, 1}, {1, 1, 1}};
    return QualityNeighbors.fit(MODELS, e, y, k, prior);
  }

  @Test
  void qualityNeighbors_withoutPrior_votesWithTheNearestPrompts() {
    QualityNeighbors knn = twoClusters(2, 0);

    assertThat(knn.predict(new float[] {2, 0})).containsExactly(1, 0, 0);
    assertThat(knn.predict(new float[] {0, 3})).containsExactly(1, 1, 1);
    assertThat(knn.models()).containsExactly("big", "mid", "small");
  }

  @Test
  void qualityNeighbors_prior_pullsTowardEachModelsMean() {
    QualityNeighbors knn = twoClusters(2, 1.0);

    double[] q = knn.predict(new float[] {1, 0});
    // neighbours 0 and 1 at cosine 0.995 each: (2 * 0.995 * 0 + 1 * 0.5) / (2 * 0.995 + 1) for mid and small
    double expected = 0.5 / (2 * Math.cos(Math.atan(0.1)) + 1);
    assertThat(q[0]).isEqualTo(1.0);
    assertThat(q[1]).isCloseTo(expected, within(1e-6));
    assertThat(q[2]).isCloseTo(expected, within(1e-6));
  }

  @Test
  void qualityNeighbors_badInput_isRejectedWithTheReason() {
    List<float[]> e = List.of(new float[] {1, 0});

    assertThatThrownBy(() -> QualityNeighbors.fit(MODELS, e, new double[][] {{1, 0, 1.5}}, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> QualityNeighbors.fit(MODELS, e, new double[][] {{1, 0}}, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one value per model (3) but has 2");
    assertThatThrownBy(() -> QualityNeighbors.fit(List.of("a", "a"), e, new double[][] {{1, 0}}, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
    assertThatThrownBy(() -> QualityNeighbors.fit(MODELS, e, new double[][] {{1, 0, 1}}, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k must be >= 1 but was 0");
    assertThatThrownBy(() -> QualityNeighbors.fit(MODELS, e, new double[][] {{1, 0, 1}}, 1, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("priorWeight");
    assertThatThrownBy(() -> QualityNeighbors.fit(MODELS, List.of(), new double[0][], 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one prompt");
    assertThatThrownBy(() -> twoClusters(1, 0).predict(new float[] {1, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 2 but has 3");
  }

  @Test
  void embeddingPredictor_saveThenLoad_predictsTheSameAndChecksTheEmbedder() {
    FakeEmbedder embedder = new FakeEmbedder("fake/8", 8);
    List<String> prompts = List.of("alpha", "beta", "gamma", "delta", "epsilon");
    double[][] y = {{1, 0, 0}, {1, 1, 0}, {0, 1, 1}, {1, 0.5, 0}, {0, 0, 1}};
    QualityNeighbors scorer = QualityNeighbors.fit(MODELS, embedder.embedAll(prompts), y, 3, 1.0);
    EmbeddingQualityPredictor predictor = EmbeddingQualityPredictor.of(embedder, scorer).named("pool-knn");
    Path file = dir.resolve("pool.safetensors");

    predictor.save(file);
    QualityPredictor loaded = QualityPredictors.load(file, embedder);

    assertThat(loaded.name()).isEqualTo("pool-knn");
    assertThat(loaded.models()).containsExactly("big", "mid", "small");
    for (String p : List.of("alpha", "zeta", "a new prompt")) {
      assertThat(loaded.predict(p)).containsExactly(predictor.predict(p));
    }
    assertThat(RouterFile.read(file).pool()).containsExactly("big", "mid", "small");
    assertThatThrownBy(() -> QualityPredictors.load(file, new FakeEmbedder("other/8", 8)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("trained with embedder 'fake/8'").hasMessageContaining("'other/8'");
    assertThatThrownBy(() -> QualityPredictors.load(file))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("load it with that embedder");
    assertThatThrownBy(() -> TrainedRouter.load(file, embedder))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("N-way quality predictor over [big, mid, small]");
  }

  @Test
  void lexicalNeighbors_votesWithPromptsSharingWords_andSurvivesSaveAndLoad() {
    List<String> prompts = List.of("solve the integral of x squared", "integral of sin x", "capital of France",
        "capital of Peru", "write a poem about rain");
    double[][] y = {{1, 0, 0}, {1, 0, 0}, {1, 1, 1}, {1, 1, 1}, {0.5, 0.5, 1}};
    LexicalQualityNeighbors knn = LexicalQualityNeighbors.fit(MODELS, prompts, y, 2, 0);
    Path file = dir.resolve("lexical.safetensors");

    double[] integral = knn.predict("compute the integral of cos x");
    double[] capital = knn.predict("What is the capital of Chile?");
    QualityPredictors.save(knn.named("pool-lexical"), file);
    QualityPredictor loaded = QualityPredictors.load(file);

    assertThat(integral).containsExactly(1, 0, 0);
    assertThat(capital).containsExactly(1, 1, 1);
    assertThat(knn.predict("zzz qqq")).as("no shared word: each model's mean")
        .containsExactly(new double[] {0.9, 0.5, 0.6}, within(1e-7));
    assertThat(loaded.name()).isEqualTo("pool-lexical");
    assertThatThrownBy(() -> QualityPredictors.save(new QualityPredictor() {
      @Override
      public String name() {
        return "custom";
      }

      @Override
      public List<String> models() {
        return MODELS;
      }

      @Override
      public double[] predict(String prompt) {
        return new double[3];
      }
    }, file)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'custom'");
    for (String p : List.of("compute the integral of cos x", "capital of Chile", "a poem")) {
      assertThat(loaded.predict(p)).containsExactly(knn.predict(p));
    }
  }

  @Test
  void load_damagedOrForeignFiles_sayWhatIsWrong() {
    Path twoModel = dir.resolve("two.safetensors");
    RouterFile.builder().kind("knn").embedder("fake/8", 8).models("big", "small").parameter("k", "1")
        .tensor("embeddings", Tensor.of(new float[8], 1, 8)).tensor("targets", Tensor.of(new float[1], 1)).build()
        .write(twoModel);
    Path badOutcome = dir.resolve("bad.safetensors");
    RouterFile.builder().kind("quality-knn").embedder("fake/2", 2).pool(List.of("a", "b")).parameter("k", "1")
        .parameter("prior_weight", "0").tensor("embeddings", Tensor.of(new float[] {1, 0}, 1, 2))
        .tensor("outcomes", Tensor.of(new float[] {1, 2}, 1, 2)).build().write(badOutcome);
    Path unknown = dir.resolve("unknown.safetensors");
    RouterFile.builder().kind("quality-mystery").embedder("fake/2", 2).pool(List.of("a", "b")).build()
        .write(unknown);
    FakeEmbedder two = new FakeEmbedder("fake/2", 2);

    assertThatThrownBy(() -> QualityPredictors.load(twoModel, new FakeEmbedder("fake/8", 8)))
        .isInstanceOf(InvalidFileException.class).hasMessageContaining("holds a two-model router");
    assertThatThrownBy(() -> QualityPredictors.load(badOutcome, two))
        .isInstanceOf(InvalidFileException.class).hasMessageContaining("tensor 'outcomes' entry 1 must be an outcome"
            + " in [0, 1] but was 2.0");
    assertThatThrownBy(() -> QualityPredictors.load(unknown, two))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("unknown N-way predictor kind 'quality-mystery'");
  }
}
