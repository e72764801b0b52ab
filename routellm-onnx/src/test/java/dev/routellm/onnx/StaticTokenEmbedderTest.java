package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.Safetensors;
import dev.routellm.checkpoint.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticTokenEmbedderTest {
  static final BuiltInEmbeddingModel MINILM = BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q;

  @TempDir Path tmp;

  @Test
  void vocabulary_ofMiniLm_isBertsWordPieceVocabularyById() {
    List<String> vocab = StaticTokenEmbedder.vocabulary(MINILM.source().tokenizerBytes(), "minilm");

    assertThat(vocab).hasSize(30522);
    assertThat(vocab.get(0)).isEqualTo("[PAD]");
    assertThat(vocab.get(101)).isEqualTo("[CLS]");
    assertThat(vocab.get(102)).isEqualTo("[SEP]");
  }

  @Test
  void tokenText_stripsContinuationMarks_andSkipsSpecialTokens() {
    assertThat(StaticTokenEmbedder.tokenText("##ing")).isEqualTo("ing");
    assertThat(StaticTokenEmbedder.tokenText("paris")).isEqualTo("paris");
    assertThat(StaticTokenEmbedder.tokenText("[CLS]")).isNull();
    assertThat(StaticTokenEmbedder.tokenText("[unused7]")).isNull();
    assertThat(StaticTokenEmbedder.tokenText("##")).isNull();
  }

  /**
   * A hand-made table (token i has a one-hot vector on axis i % 384) instead of a distilled one: the embedding of a
   * text is then the normalised count of its tokens per axis, which the test computes from the tokenizer's ids.
   */
  @Test
  void embed_isUnitMeanOfTheTokensVectors() {
    int v = 30522;
    int d = MINILM.dimension();
    float[] table = new float[v * d];
    for (int i = 0; i < v; i++) {
      table[i * d + i % d] = 1;
    }
    Path file = tmp.resolve("table.safetensors");
    Safetensors.write(file, Map.of(StaticTokenEmbedder.TABLE, Tensor.of(table, v, d)),
        Map.of(StaticTokenEmbedder.TEACHER, MINILM.modelName() + "/mean/l2/256"));

    try (StaticTokenEmbedder e = StaticTokenEmbedder.of(MINILM, file);
        TextTokenizer tokenizer = TextTokenizer.load(MINILM.source().tokenizerBytes(), "t", MINILM.maxLength())) {
      String text = "the cat sat on the mat";
      float[] expected = new float[d];
      for (long id : tokenizer.encode(text).ids()) {
        if (id != 101 && id != 102) {
          expected[(int) id % d]++;
        }
      }
      double norm = 0;
      for (float x : expected) {
        norm += x * x;
      }
      float[] actual = e.embed(text);
      for (int i = 0; i < d; i++) {
        assertThat((double) actual[i]).isCloseTo(expected[i] / Math.sqrt(norm), within(1e-6));
      }
      assertThat(e.id()).isEqualTo(MINILM.modelName() + "/mean/l2/256/static");
      assertThatThrownBy(() -> e.embed("   ")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private Path oneHotTable() {
    int v = 30522;
    int d = MINILM.dimension();
    float[] table = new float[v * d];
    for (int i = 0; i < v; i++) {
      table[i * d + i % d] = 1;
    }
    Path file = tmp.resolve("onehot.safetensors");
    Safetensors.write(file, Map.of(StaticTokenEmbedder.TABLE, Tensor.of(table, v, d)),
        Map.of(StaticTokenEmbedder.TEACHER, MINILM.modelName() + "/mean/l2/256"));
    return file;
  }

  @Test
  void of_tableWithNaN_isInvalidFileNamingFileTensorAndToken() {
    int d = MINILM.dimension();
    float[] table = new float[30522 * d];
    table[7592 * d + 3] = Float.NaN; // token 7592 is 'hello' in BERT's vocabulary
    Path file = tmp.resolve("nan.safetensors");
    Safetensors.write(file, Map.of(StaticTokenEmbedder.TABLE, Tensor.of(table, 30522, d)),
        Map.of(StaticTokenEmbedder.TEACHER, MINILM.modelName() + "/mean/l2/256"));

    assertThatThrownBy(() -> StaticTokenEmbedder.of(MINILM, file)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("tensor '" + StaticTokenEmbedder.TABLE + "'")
        .hasMessageContaining("NaN")
        .hasMessageContaining("token 7592 'hello', component 3");
  }

  @Test
  void embed_afterClose_throwsIllegalStateNamingTheEmbedder() {
    StaticTokenEmbedder e = StaticTokenEmbedder.of(MINILM, oneHotTable());
    assertThat(e.embed("hello")).hasSize(MINILM.dimension());
    e.close();
    e.close();

    assertThatThrownBy(() -> e.embed("hello")).isInstanceOf(IllegalStateException.class)
        .hasMessage("static embedder " + e.id() + " is closed");
    assertThatThrownBy(() -> e.embedAll(List.of("hello"))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void embed_longTextWithoutTokens_messageQuotesOnlyItsStart() {
    try (StaticTokenEmbedder e = StaticTokenEmbedder.of(MINILM, oneHotTable())) {
      String blank = " ".repeat(100_000);

      assertThatThrownBy(() -> e.embed(blank)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(100000 characters)")
          .satisfies(t -> assertThat(t.getMessage().length()).isLessThan(250));
    }
  }

  @Test
  void embedAll_badElement_messageNamesItsIndex() {
    try (StaticTokenEmbedder e = StaticTokenEmbedder.of(MINILM, oneHotTable())) {
      assertThatThrownBy(() -> e.embedAll(List.of("a", "b", "  "))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("texts[2]: ");
      assertThatThrownBy(() -> e.embedAll(java.util.Arrays.asList("a", null)))
          .isInstanceOf(NullPointerException.class).hasMessage("texts[1]");
      assertThat(e.embedAll(List.of("hello", "world"))).hasSize(2);
    }
  }

  @Test
  void of_tableOfAnotherModel_isInvalidFile() {
    Path file = tmp.resolve("table.safetensors");
    Safetensors.write(file, Map.of(StaticTokenEmbedder.TABLE, Tensor.of(new float[30522 * 384], 30522, 384)),
        Map.of(StaticTokenEmbedder.TEACHER, "bge-small-en-v1.5-q/cls/l2/512"));

    assertThatThrownBy(() -> StaticTokenEmbedder.of(MINILM, file)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("bge-small-en-v1.5-q");
  }
}
