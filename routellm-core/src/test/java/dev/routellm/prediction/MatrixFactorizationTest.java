package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.Safetensors;
import dev.routellm.checkpoint.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatrixFactorizationTest {
  static final int MODELS = 64;
  static final int DIM = 128;
  static final int TEXT = 1536;
  static final String GPT4 = "gpt-4-1106-preview";
  static final String MIXTRAL = "mixtral-8x7b-instruct-v0.1";

  @TempDir Path dir;
  float[] p;
  float[] w1;
  float[] w2;

  /** Writes a checkpoint exactly as RouteLLM publishes it: one model.safetensors, no config, no metadata. */
  @BeforeEach
  void writeRouteLlmCheckpoint() {
    Random r = new Random(7);
    p = gaussian(r, MODELS * DIM, 1.0);
    w1 = gaussian(r, DIM * TEXT, 0.02);
    w2 = gaussian(r, DIM, 0.1);
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("P.weight", Tensor.of(p, MODELS, DIM));
    t.put("text_proj.0.weight", Tensor.of(w1, DIM, TEXT));
    t.put("classifier.0.weight", Tensor.of(w2, 1, DIM));
    Safetensors.write(dir.resolve("model.safetensors"), t, Map.of());
  }

  static float[] gaussian(Random r, int n, double sigma) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * sigma);
    }
    return v;
  }

  static float[] unitEmbedding(Random r, int n) {
    return Vectors.normalized(gaussian(r, n, 1));
  }

  /** RouteLLM's uncollapsed formula, written out with plain loops. */
  double uncollapsed(int model, float[] e) {
    double norm = 0;
    for (int k = 0; k < DIM; k++) {
      norm += (double) p[model * DIM + k] * p[model * DIM + k];
    }
    norm = Math.sqrt(norm);
    double d = 0;
    for (int k = 0; k < DIM; k++) {
      double proj = 0;
      for (int j = 0; j < TEXT; j++) {
        proj += (double) w1[k * TEXT + j] * e[j];
      }
      d += w2[k] * (p[model * DIM + k] / norm) * proj;
    }
    return d;
  }

  @Test
  void load_routeLlmLayout_scoresMatchUncollapsedFormula() {
    MatrixFactorization mf = MatrixFactorization.load(dir);
    EmbeddingScorer scorer = mf.scorer(GPT4, MIXTRAL);
    Random r = new Random(11);

    assertThat(mf.models()).hasSize(64).element(24).isEqualTo(GPT4);
    assertThat(mf.textDimension()).isEqualTo(TEXT);
    for (int q = 0; q < 5; q++) {
      float[] e = unitEmbedding(r, TEXT);
      double expected = 1 / (1 + Math.exp(-(uncollapsed(24, e) - uncollapsed(36, e))));
      // The collapsed vector is float32: agreement to about 1e-6 of the score.
      assertThat(scorer.score(e)).isCloseTo(expected, within(1e-6));
      assertThat(mf.modelScore(GPT4, e)).isCloseTo(uncollapsed(24, e), within(1e-9));
    }
  }

  @Test
  void scorer_swappedPair_givesComplement() {
    MatrixFactorization mf = MatrixFactorization.load(dir.resolve("model.safetensors"));
    float[] e = unitEmbedding(new Random(3), TEXT);

    double s = mf.scorer(GPT4, MIXTRAL).score(e);

    assertThat(mf.scorer(MIXTRAL, GPT4).score(e)).isCloseTo(1 - s, within(1e-6));
  }

  @Test
  void scorer_unknownModel_listsTheKnownOnes() {
    MatrixFactorization mf = MatrixFactorization.load(dir);

    assertThatThrownBy(() -> mf.scorer("gpt-5", MIXTRAL)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown model 'gpt-5'").hasMessageContaining("knows 64 models")
        .hasMessageContaining("RWKV-4-Raven-14B").hasMessageContaining("zephyr-7b-beta");
    assertThatThrownBy(() -> mf.scorer(GPT4, GPT4)).hasMessageContaining("must differ");
  }

  @Test
  void score_wrongDimension_saysWhichDimensionIsExpected() {
    EmbeddingScorer scorer = MatrixFactorization.load(dir).scorer(GPT4, MIXTRAL);

    assertThatThrownBy(() -> scorer.score(new float[384])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dimension 1536 but has 384");
  }

  @Test
  void load_configContradictingTensors_isInvalidFile() throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"dim\":128,\"num_models\":64,\"text_dim\":384}");

    assertThatThrownBy(() -> MatrixFactorization.load(dir)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("config.json").hasMessageContaining("text_dim");
  }

  @Test
  void load_matchingConfig_loads() throws IOException {
    Files.writeString(dir.resolve("config.json"),
        "{\"dim\":128,\"num_models\":64,\"text_dim\":1536,\"num_classes\":1,\"use_proj\":true}");

    assertThat(MatrixFactorization.load(dir).hiddenDimension()).isEqualTo(DIM);
  }

  @Test
  void load_emptyDirectory_saysWhatIsExpected() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));

    assertThatThrownBy(() -> MatrixFactorization.load(empty)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("model.safetensors");
  }

  @Test
  void load_unnamedRowsOtherThan64_isInvalidFile() {
    Path other = dir.resolve("other");
    Safetensors.write(other.resolve("model.safetensors"), Map.of("P.weight", Tensor.of(new float[6], 3, 2),
        "classifier.0.weight", Tensor.of(new float[2], 1, 2)), Map.of());

    assertThatThrownBy(() -> MatrixFactorization.load(other)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("has 3 rows");
  }

  @Test
  void save_thenLoad_keepsModelNamesAndScores() {
    Random r = new Random(5);
    MatrixFactorization mf = MatrixFactorization.fromTensors(List.of("big", "small"),
        Tensor.of(gaussian(r, 2 * 4, 1), 2, 4), Tensor.of(gaussian(r, 4 * 6, 1), 4, 6),
        Tensor.of(gaussian(r, 4, 1), 1, 4));
    float[] e = unitEmbedding(r, 6);

    mf.save(dir.resolve("trained"));
    MatrixFactorization back = MatrixFactorization.load(dir.resolve("trained"));

    assertThat(back.models()).containsExactly("big", "small");
    assertThat(back.scorer("big", "small").score(e)).isCloseTo(mf.scorer("big", "small").score(e), within(1e-6));
  }

  @Test
  void load_duplicateModelNames_isInvalidFileNamingTheFile() {
    Path file = dir.resolve("dup.safetensors");
    Safetensors.write(file, Map.of("P.weight", Tensor.of(new float[] {1, 0, 0, 1}, 2, 2),
        "classifier.0.weight", Tensor.of(new float[] {1, 1}, 1, 2)), Map.of("models", "[\"x\",\"x\"]"));

    assertThatThrownBy(() -> MatrixFactorization.load(file)).isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContaining("model names must be distinct");
  }

  @Test
  void load_nonFiniteWeight_isInvalidFileNamingFileAndTensor() {
    Path file = dir.resolve("nan.safetensors");
    Safetensors.write(file, Map.of("P.weight", Tensor.of(new float[] {1, 0, 0, 1}, 2, 2),
        "classifier.0.weight", Tensor.of(new float[] {1, Float.NaN}, 1, 2)), Map.of("models", "[\"x\",\"y\"]"));

    assertThatThrownBy(() -> MatrixFactorization.load(file)).isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContaining("classifier.0.weight holds a non-finite value NaN at index 1");
  }

  @Test
  void fromTensors_nonFiniteWeight_rejectedNamingTensorAndIndex() {
    Tensor p2 = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
    Tensor w2 = Tensor.of(new float[] {1, 1}, 1, 2);
    float[] projection = new float[2 * 3];
    projection[4] = Float.NEGATIVE_INFINITY;

    assertThatThrownBy(() -> MatrixFactorization.fromTensors(List.of("a", "b"), p2, Tensor.of(projection, 2, 3), w2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("text_proj.0.weight holds a non-finite value -Infinity at index 4 (of 6)");
    assertThatThrownBy(() -> MatrixFactorization.fromTensors(List.of("a", "b"),
        Tensor.of(new float[] {Float.NaN, 0, 0, 1}, 2, 2), null, w2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("P.weight holds a non-finite value NaN");
  }
}
