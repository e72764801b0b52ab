package dev.routellm.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.data.NwayData;
import dev.routellm.data.PoolDataset;
import dev.routellm.data.PoolExample;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerExtractorsTest {
  /** The five models whose answer texts the shared data has. */
  static final List<String> WITH_TEXTS = List.of("gpt-4o-mini-2024-07-18", "gemini-1.5-flash",
      "claude-3-haiku-20240307", "gemma-2-9b-it", "Meta-Llama-3.1-8B-Instruct");

  private static Optional<String> number(String text) {
    return AnswerExtractors.number().extract("q", text);
  }

  private static Optional<String> math(String text) {
    return AnswerExtractors.math().extract("q", text);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "The total is $1,250.00.|1250",
      "```json\\n{\\n  \"reasoning\": \"3 + 4 = 7 eggs, 16 - 7 = 9, 9 * 2 = 18\",\\n  \"answer\": \"18\"\\n}\\n```|18",
      "{\"reasoning\": \"costs $1.40 x 4\", \"answer\": -21}|-21",
      "{\"reasoning\": \"...\", \"answer\": \"$70,000\"}|70000",
      "{\"reasoning\": \"...\", \"answer\": \"18 dollars\"}|18",
      "{\"reasoning\": \"...\", \"answer\": \"5/4\"}|1.25",
      "{\"reasoning\": \"...\", \"answer\": \"1/3 of the cake\"}|1/3",
      "{\"reasoning\": \"...\", \"answer\": \"50%\"}|50",
      "{\"reasoning\": \"...\", \"answer\": \"3.50\"}|3.5",
      "{\"reasoning\": \"...\", \"answer\": \"\\u22125\"}|-5",
      "So she makes 9 * 2 = 18 dollars.\\nThe answer is 18.|18",
      "We get $\\boxed{36}$ in the end, after 12 steps|36",
      "It takes 5 hours, then 10 more: 15|15",
      "0.50|0.5",
      "# 18|18",
      "-0.0|0"
  })
  void number_findsTheFinalNumberInItsNormalForm(String text, String expected) {
    assertThat(number(text.replace("\\n", "\n"))).contains(expected);
  }

  @Test
  void number_textWithoutNumbers_isEmptyAndNeverAgrees() {
    assertThat(number("I cannot answer that.")).isEmpty();
    assertThat(number("{\"reasoning\": \"unknown\", \"answer\": \"none\"}")).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{\"reasoning\": \"...\", \"answer\": \"B\"}|B",
      "{\"reasoning\": \"...\", \"answer\": \"(c) Paris\"}|C",
      "{\"reasoning\": \"...\", \"answer\": \"D. Both of the above\"}|D",
      "Let us think. The answer is (A).|A",
      "Answer: option b|B",
      "Option (A) is wrong, (C) fits best.|C",
      "After checking each option, **D** is correct.|D",
      "The correct choice:\\nE|E"
  })
  void choiceLetter_findsTheChosenLetter(String text, String expected) {
    assertThat(AnswerExtractors.choiceLetter().extract("q", text.replace("\\n", "\n"))).contains(expected);
  }

  @Test
  void choiceLetter_withoutALetter_isEmpty() {
    assertThat(AnswerExtractors.choiceLetter().extract("q", "I am not sure about this one.")).isEmpty();
  }

  @Test
  void code_sameProgramInAnotherLayout_compareEqual() {
    String a = "Here is my solution:\n```python\n# add two numbers\ndef add(a, b):\n    return a + b\n```\nDone.";
    String b = "```json\n{\"x\": 1}\n```\n```py\n\n    def add(a,  b):   \n        return a + b  # sum\n\n```";
    String c = "```python\ndef add(a, b):\n    return b - a\n```";

    Optional<String> first = AnswerExtractors.code().extract("q", a);

    assertThat(first).contains("def add(a, b):\n    return a + b");
    assertThat(AnswerExtractors.code().extract("q", b)).as("layout and a trailing comment differ")
        .hasValueSatisfying(code -> assertThat(code).startsWith("def add(a, b):\n    return a + b"));
    assertThat(AnswerExtractors.code().extract("q", c)).isNotEqualTo(first);
    assertThat(AnswerExtractors.code().extract("q", "no code here")).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{\"reasoning\": \"...\", \"answer\": \"The Eiffel Tower.\"}|eiffel tower",
      "I think it was built in Paris.\\nFinal answer: PARIS!|paris",
      "Many people say so.\\n  An Apple  |apple",
      "Caf\u00e9 au lait|café au lait"
  })
  void text_normalisesCasePunctuationAndArticles(String text, String expected) {
    assertThat(AnswerExtractors.text().extract("q", text.replace("\\n", "\n"))).contains(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "so the result is $\\boxed{\\dfrac{5}{4}}$.|1.25",
      "\\boxed{\\frac12}|0.5",
      "{\"reasoning\": \"...\", \"answer\": \"\\\\frac{2}{6}\"}|1/3",
      "The answer is $x = 5$|5",
      "\\boxed{-\\frac{1}{3}}|-1/3",
      "\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}|(3,\\frac{\\pi}{2})",
      "\\boxed{2\\sqrt2}|2\\sqrt{2}",
      "\\boxed{90^\\circ}|90",
      "\\boxed{10\\%}|10",
      "\\boxed{5 \\text{ cm}}|5",
      "\\boxed{\\$1,000.00}|1000",
      "\\boxed{.5}|0.5",
      "\\boxed{\\text{(B)}}|(B)"
  })
  void math_normalisesLatexAnswers(String text, String expected) {
    assertThat(math(text)).contains(expected);
  }

  /**
   * On ZeroEval's GSM8K answers of the five models with texts, "the extracted answer equals the reference's" must
   * agree with ZeroEval's own grading on almost every answer (6,595 answers).
   */
  @Test
  void number_onZeroEvalGsm8k_agreesWithZeroEvalsGradingOnEveryAnswer() {
    double agreement = agreementWithGrading(NwayData.gsm8k(), AnswerExtractors.number());

    assertThat(agreement).isGreaterThanOrEqualTo(0.999);
  }

  /**
   * MATH level 5 (3,605 answers): ZeroEval grades by the first number of the answer, so it counts {@code 5/4} right
   * when the reference is 5; a normaliser that reads the fraction disagrees there, on about 0.5% of answers.
   */
  @Test
  void mathAndNumber_onZeroEvalMathL5_agreeWithZeroEvalsGrading() {
    PoolDataset data = NwayData.mathL5();

    assertThat(agreementWithGrading(data, AnswerExtractors.math())).isGreaterThanOrEqualTo(0.99);
    assertThat(agreementWithGrading(data, AnswerExtractors.number())).isGreaterThanOrEqualTo(0.99);
  }

  /**
   * Two cheap models' answers agree (same extracted number) far more often when both are right: the signal an
   * agreement cascade relies on. On GSM8K, gpt-4o-mini and gemini-1.5-flash agree on most questions and are then
   * right on at least 98% of them.
   */
  @Test
  void number_agreementOfTwoCheapModelsOnGsm8k_isMostlyRight() {
    PoolDataset data = NwayData.gsm8k();
    int agree = 0;
    int agreeRight = 0;
    for (PoolExample e : data.examples()) {
      Optional<String> a = AnswerExtractors.number().extract(e.prompt(),
          e.outcome("gpt-4o-mini-2024-07-18").response().orElseThrow());
      Optional<String> b = AnswerExtractors.number().extract(e.prompt(),
          e.outcome("gemini-1.5-flash").response().orElseThrow());
      if (a.isPresent() && a.equals(b)) {
        agree++;
        agreeRight += (int) e.outcome("gpt-4o-mini-2024-07-18").score();
      }
    }

    assertThat(agree).isBetween(1_150, 1_250);
    assertThat((double) agreeRight / agree).isGreaterThanOrEqualTo(0.98);
  }

  private static double agreementWithGrading(PoolDataset data, AnswerExtractor extractor) {
    int same = 0;
    int total = 0;
    for (PoolExample e : data.examples()) {
      Optional<String> reference = extractor.extract(e.prompt(), e.reference().orElseThrow());
      assertThat(reference).as("reference of %s", e.id()).isPresent();
      for (String model : WITH_TEXTS) {
        Optional<String> answer = extractor.extract(e.prompt(), e.outcome(model).response().orElseThrow());
        boolean right = answer.equals(reference);
        same += right == (e.outcome(model).score() == 1.0) ? 1 : 0;
        total++;
      }
    }
    assertThat(total).isEqualTo(5 * data.size());
    return (double) same / total;
  }
}
