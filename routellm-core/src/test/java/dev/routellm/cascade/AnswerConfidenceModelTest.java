package dev.routellm.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.InvalidFileException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswerConfidenceModelTest {
  private static final String QUESTION =
      "Janet's ducks lay 16 eggs per day. She eats 3 and bakes with 4. She sells the rest for $2 each. How much does"
          + " she make?";
  private static final String GOOD =
      "She has 16 - 3 - 4 = 9 eggs left.\nShe makes 9 * $2 = $18.\n#### 18";
  private static final String CUT_OFF = "She has 16 - 3 - 4 = 9 eggs left.\nShe sells them for 9 * $2 = $<<9*2=18>>1";

  @TempDir Path dir;

  @Test
  void features_derivedAnswer_matchHandValues() {
    double[] f = AnswerFeatures.of(QUESTION, GOOD, false, List.of(AnswerCheck.arithmetic()));

    assertThat(AnswerFeatures.names(List.of(AnswerCheck.arithmetic())))
        .containsExactly("log_chars", "final_stated", "final_repeated", "final_non_integer", "truncated", "hedges",
            "equations", "question_coverage", "question_log_chars", "arithmetic_errors");
    assertThat(f[0]).isCloseTo(Math.log1p(GOOD.length()), within(1e-12));
    assertThat(f[1]).isEqualTo(1); // "#### 18"
    assertThat(f[2]).isEqualTo(1); // 18 appears before the final line
    assertThat(f[3]).isZero();
    assertThat(f[4]).isZero();
    assertThat(f[5]).isZero();
    assertThat(f[6]).isCloseTo(Math.log1p(2), within(1e-12)); // two equalities
    assertThat(f[7]).isCloseTo(4.0 / 4, within(1e-12)); // 16, 3, 4, 2 all used
    assertThat(f[9]).isZero();
  }

  @Test
  void features_cutOffAnswer_isTruncatedWithoutFinal() {
    double[] f = AnswerFeatures.of(QUESTION, CUT_OFF, false, List.of());

    assertThat(f[1]).isZero();
    assertThat(f[4]).isEqualTo(1);
  }

  @Test
  void features_serverSaysLength_isTruncatedEvenWithClosingPunctuation() {
    assertThat(AnswerFeatures.of(QUESTION, "She has 9 eggs.", false, List.of())[4]).isZero();
    assertThat(AnswerFeatures.of(QUESTION, "She has 9 eggs.", true, List.of())[4]).isEqualTo(1);
  }

  @Test
  void features_hedgingAndDecimalFinal_areCounted() {
    double[] f =
        AnswerFeatures.of(QUESTION, "Assuming she sells approximately half, however... The answer is 4.5", false,
            List.of());

    assertThat(f[1]).isEqualTo(1);
    assertThat(f[2]).isZero();
    assertThat(f[3]).isEqualTo(1);
    assertThat(f[5]).isEqualTo(3); // assuming, approximately, however
  }

  @Test
  void fit_separatesDerivedFromCutOffAnswers_andCrossValidates() {
    List<String> q = new ArrayList<>();
    List<String> a = new ArrayList<>();
    List<Boolean> y = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      q.add(QUESTION);
      boolean good = i % 2 == 0;
      a.add(good ? GOOD.replace("18", "18") : (i % 4 == 1 ? CUT_OFF : "She makes 9 * 2 = 20.\n#### 20"));
      y.add(good);
    }

    AnswerConfidenceModel m = AnswerConfidenceModel.fit(q, a, y, List.of(AnswerCheck.arithmetic()));
    double[] cv = AnswerConfidenceModel.crossValidate(q, a, y, List.of(AnswerCheck.arithmetic()), 5, 1);

    assertThat(m.confidence(QUESTION, GOOD)).isGreaterThan(0.8);
    assertThat(m.confidence(QUESTION, CUT_OFF)).isLessThan(0.2);
    for (int i = 0; i < cv.length; i++) {
      assertThat(cv[i] > 0.5).as("answer %d", i).isEqualTo(y.get(i));
    }
    assertThat(m.requiresLogprobs()).isFalse();
  }

  @Test
  void confidence_chatResponseCutAtLength_scoresAsTruncated() {
    AnswerConfidenceModel m = trained();
    ChatResponse full = ChatResponse.builder().model("w").text(GOOD).usage(Usage.of(1, 1)).finishReason("stop").build();
    ChatResponse cut = full.toBuilder().finishReason("length").build();

    double whole = m.confidence(ChatRequest.of(QUESTION), full);
    double truncated = m.confidence(ChatRequest.of(QUESTION), cut);

    assertThat(whole).isEqualTo(m.confidence(QUESTION, GOOD));
    assertThat(truncated).isLessThan(whole);
  }

  @Test
  void saveThenLoad_givesTheSameConfidences() {
    AnswerConfidenceModel m = trained();
    Path file = dir.resolve("answer.json");

    m.save(file);
    ConfidenceModel loaded = ConfidenceModel.load(file);

    assertThat(loaded).isInstanceOf(AnswerConfidenceModel.class);
    assertThat(((AnswerConfidenceModel) loaded).confidence(QUESTION, CUT_OFF)).isEqualTo(m.confidence(QUESTION, CUT_OFF));
    assertThat(loaded.name()).isEqualTo("answer-text");
  }

  @Test
  void load_customCheckNotSupplied_namesIt() throws IOException {
    AnswerCheck units = check("mentions_units", (question, answer) -> answer.contains("eggs") ? 1 : 0);
    Path file = dir.resolve("custom.json");
    AnswerConfidenceModel.fit(List.of(QUESTION, QUESTION, QUESTION), List.of(GOOD, CUT_OFF, "#### 7"),
        List.of(true, false, false), List.of(units)).save(file);

    assertThatThrownBy(() -> AnswerConfidenceModel.load(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("field 'checks[0]': check 'mentions_units' is not built in");
    assertThat(AnswerConfidenceModel.load(file, List.of(units)).checks()).containsExactly(units);
  }

  @Test
  void load_featuresFromAnotherVersion_isRejected() throws IOException {
    Path file = dir.resolve("old.json");
    Files.writeString(file, "{\"format\":\"routellm-confidence-model\",\"version\":1,\"type\":\"answer-text\","
        + "\"name\":\"a\",\"method\":\"logistic\",\"features\":[\"log_chars\"],\"checks\":[],\"intercept\":0,"
        + "\"coefficients\":[1]}");

    assertThatThrownBy(() -> ConfidenceModel.load(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("field 'features' must be [log_chars, final_stated");
  }

  @Test
  void fit_checkNamedLikeATextFeature_isRejected() {
    AnswerCheck clash = check("truncated", (question, answer) -> 0);

    assertThatThrownBy(() -> AnswerConfidenceModel.fit(List.of("q"), List.of("a"), List.of(true), List.of(clash)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("taken by a text feature");
  }

  private static AnswerCheck check(String name, java.util.function.ToDoubleBiFunction<String, String> f) {
    return new AnswerCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public double check(String question, String answer) {
        return f.applyAsDouble(question, answer);
      }
    };
  }

  private static AnswerConfidenceModel trained() {
    List<String> q = new ArrayList<>();
    List<String> a = new ArrayList<>();
    List<Boolean> y = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      q.add(QUESTION);
      a.add(i % 2 == 0 ? GOOD : CUT_OFF);
      y.add(i % 2 == 0);
    }
    return AnswerConfidenceModel.fit(q, a, y, List.of(AnswerCheck.arithmetic()));
  }
}
