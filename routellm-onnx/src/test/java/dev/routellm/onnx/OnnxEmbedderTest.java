package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnnxEmbedderTest {
  private static OnnxEmbedder minilm;

  @TempDir Path tmp;

  @BeforeAll
  static void load() {
    minilm = OnnxEmbedder.allMiniLmL6V2();
  }

  @AfterAll
  static void close() {
    minilm.close();
  }

  static List<String> prompts() {
    return List.of(
        "What is the capital of France?",
        "Prove that there are infinitely many primes.",
        "hi",
        "Write a haiku about the sea at night, with the moon rising over the water and gulls asleep on the waves.",
        "Explain the difference between a process and a thread in an operating system, with examples in C and in Java,"
            + " and say when each is the better choice for a web server that handles many short requests.",
        "2 + 2 = ?",
        "Translate 'good morning' into German.",
        "Which is heavier, a kilogram of feathers or a kilogram of steel?");
  }

  @Test
  void allMiniLmL6V2_defaults_idNamesModelPoolingNormalisationAndLength() {
    assertThat(minilm.id()).isEqualTo("all-minilm-l6-v2-q/mean/l2/256");
    assertThat(minilm.dimension()).isEqualTo(384);
    assertThat(minilm.maxLength()).isEqualTo(256);
    assertThat(minilm.pooling()).isEqualTo(Pooling.MEAN);
    assertThat(minilm.provider()).isEqualTo(ExecutionProvider.cpu());
  }

  @Test
  void embed_anyText_returnsUnitVectorOfModelDimension() {
    float[] v = minilm.embed("What is the capital of France?");
    assertThat(v).hasSize(384);
    assertThat(Fixtures.norm(v)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void embed_paraphrases_closerThanUnrelatedText() {
    float[] a = minilm.embed("How do I bake bread at home?");
    float[] b = minilm.embed("What is a simple recipe for homemade bread?");
    float[] c = minilm.embed("The stock market fell sharply on Tuesday.");
    assertThat(Fixtures.cosine(a, b)).isGreaterThan(Fixtures.cosine(a, c) + 0.3);
  }

  @Test
  void embedAll_shuffledListsWithOtherTexts_bitIdenticalToEmbed() {
    List<String> texts = new ArrayList<>(prompts());
    List<float[]> alone = new ArrayList<>();
    for (String t : texts) {
      alone.add(minilm.embed(t));
    }
    for (long seed = 1; seed <= 3; seed++) {
      List<String> shuffled = new ArrayList<>(texts);
      Collections.shuffle(shuffled, new Random(seed));
      List<float[]> vectors = minilm.embedAll(shuffled);
      for (int i = 0; i < shuffled.size(); i++) {
        assertThat(vectors.get(i)).isEqualTo(alone.get(texts.indexOf(shuffled.get(i))));
      }
    }
  }

  @Test
  void embedAll_batchSizeAboveOne_withinDocumentedCosineOfSingleRuns() {
    try (OnnxEmbedder batched =
        OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).batchSize(4).build()) {
      List<float[]> vectors = batched.embedAll(prompts());
      for (int i = 0; i < prompts().size(); i++) {
        assertThat(Fixtures.cosine(vectors.get(i), minilm.embed(prompts().get(i)))).isGreaterThan(0.98);
      }
      assertThat(batched.id()).isEqualTo(minilm.id());
    }
  }

  @Test
  void embedAll_emptyList_returnsEmptyList() {
    assertThat(minilm.embedAll(List.of())).isEmpty();
  }

  @Test
  void embed_textLongerThanMaxLength_truncatedToMaxLengthTokens() {
    String longText = "word ".repeat(1000);
    String exactlyMax = "word ".repeat(254); // + [CLS] and [SEP] = 256 tokens
    assertThat(minilm.exceedsMaxLength(longText)).isTrue();
    assertThat(minilm.exceedsMaxLength(exactlyMax)).isFalse();
    assertThat(minilm.embed(longText)).isEqualTo(minilm.embed(exactlyMax));
    assertThat(minilm.embed(longText)).isNotEqualTo(minilm.embed("word ".repeat(200)));
  }

  @Test
  void embed_tooLongWithRejectPolicy_throwsNamingLimitAndModel() {
    try (OnnxEmbedder strict =
        OnnxEmbedder.builder()
            .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
            .maxLength(32)
            .longInputs(LongInputPolicy.REJECT)
            .build()) {
      assertThat(strict.embed("word ".repeat(30))).hasSize(384);
      assertThatThrownBy(() -> strict.embedAll(List.of("fine", "word ".repeat(31))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("text at index 1")
          .hasMessageContaining("32 tokens")
          .hasMessageContaining("all-minilm-l6-v2-q");
    }
  }

  @Test
  void maxLength_setExplicitly_changesIdAndLongVectors() {
    try (OnnxEmbedder short128 =
        OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).maxLength(128).build()) {
      assertThat(short128.id()).isEqualTo("all-minilm-l6-v2-q/mean/l2/128");
      String longText = String.join(" ", Collections.nCopies(60, "routing between strong and weak models"));
      assertThat(short128.embed(longText)).isNotEqualTo(minilm.embed(longText));
      assertThat(short128.embed("short text")).isEqualTo(minilm.embed("short text"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\n\t  "})
  void embed_emptyOrBlankText_throwsIllegalArgument(String text) {
    assertThatThrownBy(() -> minilm.embed(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void embedAll_blankTextInList_messageNamesIndex() {
    assertThatThrownBy(() -> minilm.embedAll(List.of("a", "b", "  ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 2");
  }

  @Test
  void embed_null_throwsNullPointer() {
    assertThatThrownBy(() -> minilm.embed(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> minilm.embedAll(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> minilm.embedAll(Arrays.asList("a", null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("index 1");
  }

  @Test
  void bgeSmallEnV15_defaults_clsPoolingUnitVectors() {
    try (OnnxEmbedder bge = OnnxEmbedder.bgeSmallEnV15()) {
      assertThat(bge.id()).isEqualTo("bge-small-en-v1.5-q/cls/l2/512");
      assertThat(bge.dimension()).isEqualTo(384);
      float[] v = bge.embed("What is the capital of France?");
      assertThat(Fixtures.norm(v)).isCloseTo(1.0, within(1e-5));
      float[] w = bge.embed("Name the capital city of France.");
      float[] u = bge.embed("Bananas are rich in potassium.");
      assertThat(Fixtures.cosine(v, w)).isGreaterThan(Fixtures.cosine(v, u));
    }
  }

  @Test
  void poolingAndNormalisation_changed_changeIdAndVectors() {
    try (OnnxEmbedder cls =
            OnnxEmbedder.builder()
                .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
                .pooling(Pooling.CLS)
                .build();
        OnnxEmbedder raw =
            OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).normalize(false).build()) {
      assertThat(cls.id()).isEqualTo("all-minilm-l6-v2-q/cls/l2/256");
      assertThat(raw.id()).isEqualTo("all-minilm-l6-v2-q/mean/raw/256");
      String text = "What is the capital of France?";
      assertThat(cosineOf(cls.embed(text), minilm.embed(text))).isLessThan(0.999);
      float[] unnormalised = raw.embed(text);
      double norm = Fixtures.norm(unnormalised);
      assertThat(norm).isNotCloseTo(1.0, within(1e-3));
      float[] normalised = minilm.embed(text);
      for (int d = 0; d < 384; d++) {
        assertThat(unnormalised[d] / norm).isCloseTo(normalised[d], within(1e-5));
      }
    }
  }

  private static double cosineOf(float[] a, float[] b) {
    return Fixtures.cosine(a, b);
  }

  @Test
  void modelDirectory_sentenceTransformersLayout_readsConfigAndMatchesBuiltIn() throws Exception {
    Path dir = tmp.resolve("my-minilm");
    Fixtures.copyResource(Fixtures.MINILM.modelResource(), dir.resolve("onnx/model.onnx"));
    Fixtures.copyResource(Fixtures.MINILM.tokenizerResource(), dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 256, \"do_lower_case\": false}");
    Files.createDirectories(dir.resolve("1_Pooling"));
    Files.writeString(
        dir.resolve("1_Pooling/config.json"),
        "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": false, \"pooling_mode_mean_tokens\": true}");
    try (OnnxEmbedder fromDir = OnnxEmbedder.builder().modelDirectory(dir).build()) {
      assertThat(fromDir.id()).matches("my-minilm@[0-9a-f]{8}/mean/l2/256");
      assertThat(fromDir.pooling()).isEqualTo(Pooling.MEAN);
      for (String p : prompts()) {
        assertThat(fromDir.embed(p)).isEqualTo(minilm.embed(p));
      }
    }
  }

  @Test
  void modelDirectory_withoutPoolingOrLength_buildFailsSayingWhatToSet() {
    Path dir = tmp.resolve("bare");
    Fixtures.copyResource(Fixtures.MINILM.modelResource(), dir.resolve("model.onnx"));
    Fixtures.copyResource(Fixtures.MINILM.tokenizerResource(), dir.resolve("tokenizer.json"));
    assertThatThrownBy(() -> OnnxEmbedder.builder().modelDirectory(dir).maxLength(256).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pooling is not set");
    assertThatThrownBy(() -> OnnxEmbedder.builder().modelDirectory(dir).pooling(Pooling.MEAN).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxLength is not set");
  }

  @Test
  void modelFiles_sameModelTwiceUnderDifferentNames_fingerprintEqual() {
    Path model = Fixtures.copyResource(Fixtures.MINILM.modelResource(), tmp.resolve("a/model.onnx"));
    Path tokenizer = Fixtures.copyResource(Fixtures.MINILM.tokenizerResource(), tmp.resolve("a/tokenizer.json"));
    try (OnnxEmbedder e =
        OnnxEmbedder.builder()
            .modelFiles(model, tokenizer)
            .name("minilm")
            .pooling(Pooling.MEAN)
            .maxLength(256)
            .build()) {
      assertThat(e.id()).startsWith("minilm@").endsWith("/mean/l2/256");
      assertThat(e.embed("hello")).isEqualTo(minilm.embed("hello"));
    }
  }

  @Test
  void modelDirectory_missing_throwsInvalidFileNamingPath() {
    Path missing = tmp.resolve("no-such-model");
    assertThatThrownBy(() -> OnnxEmbedder.builder().modelDirectory(missing).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void modelDirectory_withoutModelFile_listsOnnxFilesFound() throws Exception {
    Path dir = tmp.resolve("odd");
    Files.createDirectories(dir.resolve("onnx"));
    Files.write(dir.resolve("onnx/model_quantized.onnx"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> OnnxEmbedder.builder().modelDirectory(dir).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("no model.onnx")
        .hasMessageContaining("model_quantized.onnx")
        .hasMessageContaining("modelFiles(model, tokenizer)");
  }

  @Test
  void modelDirectory_unsupportedPoolingFile_explicitPoolingWins_withoutItTheFileIsNamed() throws Exception {
    Path dir = tmp.resolve("max-pooled");
    Fixtures.copyResource(Fixtures.MINILM.modelResource(), dir.resolve("model.onnx"));
    Fixtures.copyResource(Fixtures.MINILM.tokenizerResource(), dir.resolve("tokenizer.json"));
    Files.createDirectories(dir.resolve("1_Pooling"));
    Files.writeString(dir.resolve("1_Pooling/config.json"),
        "{\"pooling_mode_cls_token\": false, \"pooling_mode_mean_tokens\": false, \"pooling_mode_max_tokens\": true}");

    try (OnnxEmbedder e = OnnxEmbedder.builder().modelDirectory(dir).pooling(Pooling.MEAN).maxLength(256).build()) {
      assertThat(e.pooling()).isEqualTo(Pooling.MEAN);
      assertThat(e.embed("hello")).isEqualTo(minilm.embed("hello"));
    }
    assertThatThrownBy(() -> OnnxEmbedder.builder().modelDirectory(dir).maxLength(256).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(dir.resolve("1_Pooling/config.json").toString())
        .hasMessageContaining("set pooling(...) explicitly");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "1.5", "\"256\""})
  void modelDirectory_maxSeqLengthNotPositiveInteger_invalidFileNamingFileAndField(String value) throws Exception {
    Path dir = tmp.resolve("bad-length");
    Fixtures.copyResource(Fixtures.MINILM.modelResource(), dir.resolve("model.onnx"));
    Fixtures.copyResource(Fixtures.MINILM.tokenizerResource(), dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("sentence_bert_config.json"), "{\"max_seq_length\": " + value + "}");

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelDirectory(dir).pooling(Pooling.MEAN).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(dir.resolve("sentence_bert_config.json").toString())
        .hasMessageContaining("'max_seq_length' must be a positive integer but was " + value);
    try (OnnxEmbedder e = OnnxEmbedder.builder().modelDirectory(dir).pooling(Pooling.MEAN).maxLength(128).build()) {
      assertThat(e.maxLength()).isEqualTo(128);
    }
  }

  @Test
  void modelFiles_tokenizerMissing_throwsInvalidFileNamingTokenizer() {
    Path model = Fixtures.copyResource(Fixtures.MINILM.modelResource(), tmp.resolve("m/model.onnx"));
    Path tokenizer = tmp.resolve("m/tokenizer.json");
    assertThatThrownBy(
            () -> OnnxEmbedder.builder().modelFiles(model, tokenizer).pooling(Pooling.MEAN).maxLength(64).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(tokenizer.toString())
        .hasMessageContaining("tokenizer file not found");
  }

  @Test
  void modelFiles_corruptModel_throwsInvalidFileNamingModel() throws Exception {
    Path model = tmp.resolve("c/model.onnx");
    Files.createDirectories(model.getParent());
    Files.write(model, "this is not a protobuf".getBytes(StandardCharsets.UTF_8));
    Path tokenizer = Fixtures.copyResource(Fixtures.MINILM.tokenizerResource(), tmp.resolve("c/tokenizer.json"));
    assertThatThrownBy(
            () -> OnnxEmbedder.builder().modelFiles(model, tokenizer).pooling(Pooling.MEAN).maxLength(64).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(model.toString())
        .hasMessageContaining("not an ONNX model");
  }

  @Test
  void modelFiles_corruptTokenizer_throwsInvalidFileNamingTokenizer() throws Exception {
    Path model = Fixtures.copyResource(Fixtures.MINILM.modelResource(), tmp.resolve("t/model.onnx"));
    Path tokenizer = tmp.resolve("t/tokenizer.json");
    Files.writeString(tokenizer, "{\"model\": {\"type\": \"WordPiece\"");
    assertThatThrownBy(
            () -> OnnxEmbedder.builder().modelFiles(model, tokenizer).pooling(Pooling.MEAN).maxLength(64).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(tokenizer.toString())
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void modelFiles_classifierInsteadOfEncoder_throwsNamingMissingOutput() {
    Path dir = Fixtures.bertClassifierDirectory(tmp);
    assertThatThrownBy(
            () -> OnnxEmbedder.builder().modelDirectory(dir).pooling(Pooling.MEAN).maxLength(128).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("last_hidden_state")
        .hasMessageContaining("logits float[-1, 3]");
  }

  @Test
  void maxLength_moreThanModelPositions_throwsConfigurationSayingLimit() {
    assertThatThrownBy(
            () ->
                OnnxEmbedder.builder()
                    .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
                    .maxLength(600)
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("maxLength 600")
        .hasMessageContaining("at most 512 tokens");
  }

  @Test
  void builder_secondModelSource_rejectedAtOnce() {
    OnnxEmbedder.Builder b = OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q);
    assertThatThrownBy(() -> b.modelDirectory(tmp)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> OnnxEmbedder.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no model");
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 1, 65_537})
  void builder_maxLengthOutOfRange_rejected(int maxLength) {
    assertThatThrownBy(() -> OnnxEmbedder.builder().maxLength(maxLength))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was " + maxLength);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 4097})
  void builder_batchSizeOutOfRange_rejected(int batchSize) {
    assertThatThrownBy(() -> OnnxEmbedder.builder().batchSize(batchSize))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was " + batchSize);
  }

  @Test
  void close_calledTwice_idempotentAndLaterCallsFail() {
    OnnxEmbedder e = OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).maxLength(64).build();
    assertThat(e.embed("before")).hasSize(384);
    e.close();
    e.close();
    assertThatThrownBy(() -> e.embed("after"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> e.embedAll(List.of("after"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> e.exceedsMaxLength("after")).isInstanceOf(IllegalStateException.class);
  }
}
