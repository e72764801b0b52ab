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
            new double[] {0.2, 0.5, 0.7}, new double[] {0.1, 0.6, 0.9}, 0.5));
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
        .hasMessageContaining("[knn, knn-length, knn-lexical, mf, sw]");
  }

  @Test
  void embeddingPredictor_dimensionMismatch_isConfigurationError() {
    EmbeddingScorer knn = NearestNeighbors.fit(List.of(new float[4]), new double[] {0.5}, 1);

    assertThatThrownBy(() -> EmbeddingPredictor.of(EMBEDDER, knn)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("16-dimensional").hasMessageContaining("expects 4");
  }
}
