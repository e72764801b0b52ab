package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TrainedRouterTest {
  static final int DIM = 16;
  static final FakeEmbedder EMBEDDER = new FakeEmbedder("fake/16", DIM);
  static final List<String> PROMPTS = List.of("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta");

  @TempDir Path dir;

  static Stream<EmbeddingScorer> scorers() {
    List<float[]> e = new ArrayList<>();
    for (String p : PROMPTS) {
      e.add(EMBEDDER.embed(p));
    }
    double[] targets = {0, 1, 0.5, 1, 0, 0.5, 1, 1};
    List<Battle> battles = new ArrayList<>();
    for (int i = 0; i < targets.length; i++) {
      battles.add(Battle.fromOutcome(i, "big", "small", targets[i] >= 0.5 ? 1 : 0, targets[i] <= 0.5 ? 1 : 0));
    }
    Random r = new Random(2);
    MatrixFactorization mf = MatrixFactorization.fromTensors(List.of("big", "small"),
        Tensor.of(MatrixFactorizationTest.gaussian(r, 8, 1), 2, 4),
        Tensor.of(MatrixFactorizationTest.gaussian(r, 4 * DIM, 1), 4, DIM),
        Tensor.of(MatrixFactorizationTest.gaussian(r, 4, 1), 1, 4));
    return Stream.of(NearestNeighbors.fit(e, targets, 3), SimilarityWeightedRanking.fit(e, battles, "big", "small"),
        mf.scorer("big", "small"), LengthAwareNeighbors.fit(PROMPTS, e, targets, 3, 0.5),
        LexicalNeighbors.of(NearestNeighbors.fit(e, targets, 3), LexicalRidge.fit(PROMPTS, targets, 1),
            new double[] {0.2, 0.5, 0.7}, new double[] {0.1, 0.6, 0.9}, 0.5),
        LinearRegressionScorer.fit(PROMPTS, e, targets, null, 0.1));
  }

  @ParameterizedTest
  @MethodSource("scorers")
  void save_thenLoad_givesSameScoresModelsAndThreshold(EmbeddingScorer scorer) {
    TrainedRouter trained = new TrainedRouter(EmbeddingPredictor.of(EMBEDDER, scorer), "big", "small",
        OptionalDouble.empty()).withThreshold(0.42);
    Path file = dir.resolve(scorer.kind() + ".safetensors");

    trained.save(file);
    TrainedRouter back = TrainedRouter.load(file, EMBEDDER);

    assertThat(back.strongModel()).isEqualTo("big");
    assertThat(back.weakModel()).isEqualTo("small");
    assertThat(back.threshold()).hasValue(0.42);
    assertThat(back.predictor().name()).isEqualTo(scorer.kind());
    List<String> queries = List.of("iota", "kappa", "alpha beta", "one two three four five six seven");
    assertThat(back.predictor().scoreAll(queries)).containsExactly(trained.predictor().scoreAll(queries),
        org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void save_thenLoad_namedPredictor_keepsItsNameBesideTheKind() {
    EmbeddingScorer knn = scorers().findFirst().orElseThrow();
    Path file = dir.resolve("groups.safetensors");
    new TrainedRouter(EmbeddingPredictor.of(EMBEDDER, knn).named("knn-groups"), "big", "small",
        OptionalDouble.empty()).save(file);

    TrainedRouter back = TrainedRouter.load(file, EMBEDDER);

    assertThat(back.predictor().name()).isEqualTo("knn-groups");
    assertThat(RouterFile.read(file).kind()).isEqualTo(knn.kind());
    assertThatThrownBy(() -> EmbeddingPredictor.of(EMBEDDER, knn).named(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void load_withAnotherEmbedder_saysWhichWasExpected() {
    Path file = dir.resolve("r.safetensors");
    scorers().findFirst().map(s -> new TrainedRouter(EmbeddingPredictor.of(EMBEDDER, s), "big", "small",
        OptionalDouble.empty())).orElseThrow().save(file);

    assertThatThrownBy(() -> TrainedRouter.load(file, new FakeEmbedder("other/16", DIM)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("trained with embedder 'fake/16' (16 dimensions)")
        .hasMessageContaining("'other/16' (16 dimensions)");
    assertThatThrownBy(() -> TrainedRouter.load(file, new FakeEmbedder("fake/16", 8)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("(8 dimensions)");
  }

  @Test
  void load_unknownKind_listsKnownKinds() {
    Path file = dir.resolve("r.safetensors");
    RouterFile.builder().kind("bert").embedder("fake/16", DIM).models("a", "b").build().write(file);

    assertThatThrownBy(() -> TrainedRouter.load(file, EMBEDDER)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("unknown router kind 'bert'")
        .hasMessageContaining("[knn, knn-length, knn-lexical, linear, mf, sw]");
  }

  @Test
  void embeddingPredictor_dimensionMismatch_isConfigurationError() {
    EmbeddingScorer knn = NearestNeighbors.fit(List.of(new float[4]), new double[] {0.5}, 1);

    assertThatThrownBy(() -> EmbeddingPredictor.of(EMBEDDER, knn)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("16-dimensional").hasMessageContaining("expects 4");
  }

  private static RouterFile fileOf(EmbeddingScorer scorer) {
    return new TrainedRouter(EmbeddingPredictor.of(EMBEDDER, scorer), "big", "small", OptionalDouble.empty())
        .toRouterFile();
  }

  private static Tensor withValue(Tensor t, int index, float value) {
    float[] v = t.values();
    v[index] = value;
    return Tensor.of(v, t.shape());
  }

  /** Every tensor of every kind: a NaN or infinity anywhere fails the load, naming the file and the tensor. */
  @ParameterizedTest
  @MethodSource("scorers")
  void load_nonFiniteValueInAnyTensor_isInvalidFileNamingFileAndTensor(EmbeddingScorer scorer) {
    RouterFile good = fileOf(scorer);
    assertThat(good.tensors()).isNotEmpty();
    for (String name : good.tensors().keySet()) {
      Tensor t = good.tensors().get(name);
      float bad = t.size() % 2 == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
      Path file = dir.resolve(scorer.kind() + "-" + name + ".safetensors");
      good.toBuilder().tensor(name, withValue(t, t.size() - 1, bad)).build().write(file);

      assertThatThrownBy(() -> TrainedRouter.load(file, EMBEDDER)).as("tensor %s of %s", name, scorer.kind())
          .isInstanceOf(InvalidFileException.class)
          .hasMessageStartingWith(file + ": ")
          .hasMessageContaining("tensor '" + name + "' holds a non-finite value " + bad + " at index "
              + (t.size() - 1));
    }
  }

  @Test
  void load_knnTargetOutsideUnitInterval_isInvalidFile() {
    RouterFile good = fileOf(scorers().findFirst().orElseThrow());
    Tensor targets = good.tensors().get(NearestNeighbors.TARGETS);
    RouterFile bad = good.toBuilder().tensor(NearestNeighbors.TARGETS, withValue(targets, 2, 7f)).build();

    assertThatThrownBy(() -> TrainedRouter.load(bad, EMBEDDER)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("tensor 'targets' entry 2 must be a win rate in [0, 1] but was 7.0");
  }

  @Test
  void load_swWithBadIndexAmountOrTiers_isInvalidFileNamingTheField() {
    EmbeddingScorer sw = scorers().filter(s -> s.kind().equals(SimilarityWeightedRanking.KIND)).findFirst()
        .orElseThrow();
    RouterFile good = fileOf(sw);
    Tensor prompts = good.tensors().get(SimilarityWeightedRanking.ENTRY_PROMPT);
    Tensor amounts = good.tensors().get(SimilarityWeightedRanking.ENTRY_AMOUNT);

    assertThatThrownBy(() -> TrainedRouter.load(good.toBuilder().tensor(SimilarityWeightedRanking.ENTRY_PROMPT,
        withValue(prompts, 0, 1000f)).build(), EMBEDDER)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("tensor 'entry_prompt' entry 0 must be an index in [0, ");
    assertThatThrownBy(() -> TrainedRouter.load(good.toBuilder().tensor(SimilarityWeightedRanking.ENTRY_AMOUNT,
        withValue(amounts, 1, -2f)).build(), EMBEDDER)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("tensor 'entry_amount' entry 1 must be a win count >= 0 but was -2.0");
    assertThatThrownBy(() -> TrainedRouter.load(good.toBuilder().parameter(SimilarityWeightedRanking.TIERS, "-1")
        .build(), EMBEDDER)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("parameter 'tiers' must be in [2, ");
  }

  @Test
  void load_unsortedReferenceScores_isInvalidFile() {
    EmbeddingScorer lengthAware = scorers().filter(s -> s.kind().equals(LengthAwareNeighbors.KIND)).findFirst()
        .orElseThrow();
    RouterFile good = fileOf(lengthAware);
    Tensor q = good.tensors().get(LengthAwareNeighbors.LENGTH_QUANTILES);
    RouterFile bad = good.toBuilder().tensor(LengthAwareNeighbors.LENGTH_QUANTILES, withValue(q, 0, 1e6f)).build();

    assertThatThrownBy(() -> TrainedRouter.load(bad, EMBEDDER)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("tensor 'length_quantiles' must be sorted ascending but entry 1");
  }

  @Test
  void checkModels_samePair_true() {
    TrainedRouter trained = new TrainedRouter(EmbeddingPredictor.of(EMBEDDER, NearestNeighbors.fit(
        List.of(EMBEDDER.embed("a"), EMBEDDER.embed("b")), new double[] {0, 1}, 1)), "big", "small",
        OptionalDouble.empty());
    assertThat(trained.checkModels("big", "small", ModelPairPolicy.FAIL)).isTrue();
  }

  @Test
  void checkModels_otherPair_failNamesBothPairsOrWarnReturnsFalse() {
    TrainedRouter trained = new TrainedRouter(EmbeddingPredictor.of(EMBEDDER, NearestNeighbors.fit(
        List.of(EMBEDDER.embed("a"), EMBEDDER.embed("b")), new double[] {0, 1}, 1)), "big", "small",
        OptionalDouble.empty());
    assertThatThrownBy(() -> trained.checkModels("gpt-4o", "small", ModelPairPolicy.FAIL))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("trained to choose between strong 'big' and weak 'small'")
        .hasMessageContaining("routing between strong 'gpt-4o' and weak 'small'");
    assertThat(trained.checkModels("small", "big", ModelPairPolicy.WARN)).isFalse();
  }
}
