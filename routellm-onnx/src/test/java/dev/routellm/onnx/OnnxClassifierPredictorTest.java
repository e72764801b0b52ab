package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.cost.CostModel;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxClassifierPredictorTest {
  /** ONNX Runtime sums in another order than numpy; scores agree far closer than this. */
  private static final double TOLERANCE = 1e-5;

  @TempDir Path tmp;

  private OnnxClassifierPredictor bert() {
    return OnnxClassifierPredictor.builder().modelDirectory(Fixtures.bertClassifierDirectory(tmp)).build();
  }

  private OnnxClassifierPredictor xlmr() {
    return OnnxClassifierPredictor.builder().modelDirectory(Fixtures.xlmrClassifierDirectory(tmp)).build();
  }

  @Test
  void score_bertWithWordPieceTokenizer_matchesNumpyReference() {
    try (OnnxClassifierPredictor bert = bert()) {
      assertThat(bert.name()).isEqualTo("bert");
      assertThat(bert.maxLength()).isEqualTo(512);
      for (Fixtures.Reference r : Fixtures.reference("bert-tiny")) {
        assertThat(bert.score(r.text())).as(r.text()).isCloseTo(r.strongWinRate(), within(TOLERANCE));
      }
    }
  }

  @Test
  void score_hardPromptVersusSmallTalk_hardOneFavoursStrongModel() {
    try (OnnxClassifierPredictor bert = bert()) {
      double hard = bert.score("Prove the theorem about the integral.");
      double easy = bert.score("Hello, thanks!");
      assertThat(hard).isGreaterThan(easy + 0.2);
    }
  }

  @Test
  void score_xlmrWithUnigramTokenizer_idsAndScoresMatchIndependentReference() {
    Path dir = Fixtures.xlmrClassifierDirectory(tmp);
    try (OnnxClassifierPredictor xlmr = xlmr();
        TextTokenizer tokenizer =
            TextTokenizer.load(Files.readAllBytes(dir.resolve("tokenizer.json")), "xlmr tokenizer", 512)) {
      for (Fixtures.Reference r : Fixtures.reference("xlmr-tiny")) {
        assertThat(tokenizer.encode(r.text()).ids()).as(r.text()).isEqualTo(r.ids());
        assertThat(xlmr.score(r.text())).as(r.text()).isCloseTo(r.strongWinRate(), within(TOLERANCE));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void score_bertTokenizer_idsMatchVocabularyLookup() throws Exception {
    try (TextTokenizer tokenizer =
        TextTokenizer.load(Files.readAllBytes(Fixtures.minilmTokenizer(tmp)), "minilm tokenizer", 512)) {
      for (Fixtures.Reference r : Fixtures.reference("bert-tiny")) {
        assertThat(tokenizer.encode(r.text()).ids()).as(r.text()).isEqualTo(r.ids());
      }
    }
  }

  @Test
  void labels_sigmoidOnSingleLogitModel_matchesReference() {
    Path dir = Fixtures.xlmrClassifierDirectory(tmp);
    Path binary = Fixtures.copyResource("classifier/xlmr-tiny/binary.onnx", dir.resolve("binary.onnx"));
    try (OnnxClassifierPredictor p =
        OnnxClassifierPredictor.builder()
            .modelFiles(binary, dir.resolve("tokenizer.json"))
            .labels(LabelMapping.sigmoid())
            .name("binary")
            .build()) {
      assertThat(p.name()).isEqualTo("binary");
      for (Fixtures.Reference r : Fixtures.reference("xlmr-tiny-binary")) {
        assertThat(p.score(r.text())).as(r.text()).isCloseTo(r.strongWinRate(), within(TOLERANCE));
      }
    }
  }

  @Test
  void labels_weightedSoftmax_isWeightedSumOfProbabilities() {
    Path dir = Fixtures.xlmrClassifierDirectory(tmp);
    try (OnnxClassifierPredictor tieHalf =
        OnnxClassifierPredictor.builder().modelDirectory(dir).labels(LabelMapping.softmax(1, 0.5, 0)).build()) {
      for (Fixtures.Reference r : Fixtures.reference("xlmr-tiny")) {
        double[] p = softmax(r.logits());
        assertThat(tieHalf.score(r.text())).isCloseTo(p[0] + 0.5 * p[1], within(TOLERANCE));
      }
    }
  }

  private static double[] softmax(double[] z) {
    double max = Math.max(z[0], Math.max(z[1], z[2]));
    double[] e = new double[z.length];
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      e[i] = Math.exp(z[i] - max);
      sum += e[i];
    }
    for (int i = 0; i < z.length; i++) {
      e[i] /= sum;
    }
    return e;
  }

  @Test
  void scoreAll_manyPrompts_bitIdenticalToScore() {
    List<String> prompts = new ArrayList<>();
    for (Fixtures.Reference r : Fixtures.reference("bert-tiny")) {
      prompts.add(r.text());
    }
    prompts.add("A longer prompt that asks the model to derive the complexity of merge sort and prove it.");
    try (OnnxClassifierPredictor bert = bert()) {
      double[] all = bert.scoreAll(prompts);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(all[i]).isEqualTo(bert.score(prompts.get(i)));
      }
    }
  }

  @Test
  void predictor_inRouterBuilder_decidesWithClassifierScore() {
    try (OnnxClassifierPredictor bert = bert()) {
      Router router =
          Router.builder()
              .strong(new NoCallBackend(CostModel.GPT_4))
              .weak(new NoCallBackend(CostModel.MIXTRAL))
              .predictor(bert)
              .threshold(0.3)
              .costModel(CostModel.paperDefaults())
              .build();
      RoutingDecision hard = router.route(ChatRequest.of("prove the theorem about the integral"));
      RoutingDecision easy = router.route(ChatRequest.of("hello thanks"));
      assertThat(hard.router()).isEqualTo("bert");
      assertThat(hard.score()).isEqualTo(bert.score("prove the theorem about the integral"));
      assertThat(hard.model()).isEqualTo(CostModel.GPT_4);
      assertThat(easy.model()).isEqualTo(CostModel.MIXTRAL);
    }
  }

  @Test
  void build_labelCountDiffersFromMapping_throwsNamingBoth() {
    Path dir = Fixtures.xlmrClassifierDirectory(tmp);
    Path binary = Fixtures.copyResource("classifier/xlmr-tiny/binary.onnx", dir.resolve("binary.onnx"));
    assertThatThrownBy(
            () -> OnnxClassifierPredictor.builder().modelFiles(binary, dir.resolve("tokenizer.json")).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(binary.toString())
        .hasMessageContaining("outputs 1 logits")
        .hasMessageContaining("expects 3");
  }

  @Test
  void build_modelWithoutInputIds_throwsListingItsInputs() {
    Path model = Fixtures.resourceFile("classifier/unknown-input.onnx", tmp);
    Path tokenizer = Fixtures.minilmTokenizer(tmp);
    assertThatThrownBy(() -> OnnxClassifierPredictor.builder().modelFiles(model, tokenizer).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(model.toString())
        .hasMessageContaining("no 'input_ids' input")
        .hasMessageContaining("tokens int64");
  }

  @Test
  void build_embeddingModelInsteadOfClassifier_throwsNamingMissingLogits() {
    Path model = Fixtures.copyResource(Fixtures.MINILM.modelResource(), tmp.resolve("minilm.onnx"));
    Path tokenizer = Fixtures.minilmTokenizer(tmp);
    assertThatThrownBy(() -> OnnxClassifierPredictor.builder().modelFiles(model, tokenizer).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("no output named logits")
        .hasMessageContaining("last_hidden_state");
  }

  @Test
  void build_tokenizerWithMoreIdsThanModelTable_throwsNamingBothSizes() {
    Path dir = Fixtures.xlmrClassifierDirectory(tmp);
    Path bertTokenizer = Fixtures.minilmTokenizer(tmp);
    assertThatThrownBy(
            () -> OnnxClassifierPredictor.builder().modelFiles(dir.resolve("model.onnx"), bertTokenizer).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(bertTokenizer.toString())
        .hasMessageContaining("up to 30521")
        .hasMessageContaining("53 rows")
        .hasMessageContaining("does not belong");
  }

  @Test
  void build_tokenizerMuchSmallerThanModelTable_throwsMismatch() {
    Path bertDir = Fixtures.bertClassifierDirectory(tmp);
    Path xlmrTokenizer =
        Fixtures.copyResource("classifier/xlmr-tiny/tokenizer.json", tmp.resolve("xlmr-tokenizer.json"));
    assertThatThrownBy(
            () -> OnnxClassifierPredictor.builder().modelFiles(bertDir.resolve("model.onnx"), xlmrTokenizer).build())
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(xlmrTokenizer.toString())
        .hasMessageContaining("has 53 token ids")
        .hasMessageContaining("does not belong");
  }

  @Test
  void build_maxLengthBeyondPositions_throwsConfigurationWithLimit() {
    Path dir = Fixtures.xlmrClassifierDirectory(tmp);
    assertThatThrownBy(() -> OnnxClassifierPredictor.builder().modelDirectory(dir).maxLength(1000).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("at most 512 tokens");
  }

  @Test
  void score_emptyPrompt_throwsIllegalArgument() {
    try (OnnxClassifierPredictor xlmr = xlmr()) {
      assertThatThrownBy(() -> xlmr.score(" ")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> xlmr.score(null)).isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void score_promptLongerThanMaxLength_truncated() {
    try (OnnxClassifierPredictor xlmr =
        OnnxClassifierPredictor.builder().modelDirectory(Fixtures.xlmrClassifierDirectory(tmp)).maxLength(10).build()) {
      String base = "prove the theorem about the integral hello world";
      assertThat(xlmr.exceedsMaxLength(base + " hi thanks")).isTrue();
      // 8 words + <s> + </s> = 10 tokens: anything after the eighth word is cut
      assertThat(xlmr.score(base + " hi thanks")).isEqualTo(xlmr.score(base));
    }
  }

  @Test
  void close_twice_idempotentAndLaterScoresFail() {
    OnnxClassifierPredictor xlmr = xlmr();
    xlmr.close();
    xlmr.close();
    assertThatThrownBy(() -> xlmr.score("hello")).isInstanceOf(IllegalStateException.class);
  }

  /** A backend that is never called: {@link Router#route} decides without calling models. */
  private record NoCallBackend(String model) implements ModelBackend {
    @Override
    public Capabilities capabilities() {
      return Capabilities.ALL;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      throw new AssertionError("route() must not call a model");
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      throw new AssertionError("route() must not call a model");
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      throw new AssertionError("route() must not call a model");
    }

    @Override
    public void close() {}
  }
}
