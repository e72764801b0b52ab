package dev.routellm.labelling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerdictsTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Rating: [[7]]|7.0",
      "Good. [[ 8.5 ]]|8.5",
      "[[10]] and again [[10]]|10.0",
      "Rating: [[1]]|1.0"})
  void rating_verdictPresent_isRead(String judgement, double expected) {
    assertThat(Verdicts.rating(judgement)).hasValue(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Rating: 7",
      "Rating: [7]",
      "[[7]] no wait [[8]]",
      "Rating: [[11]]",
      "Rating: [[0]]",
      "[[A]]"})
  void rating_noSingleValidVerdict_isUnparseable(String judgement) {
    assertThat(Verdicts.rating(judgement)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"Final verdict: [[A]]|A", "[[B]]|B", "It is a tie [[C]]. [[C]]|C"})
  void pairwise_oneVerdict_isRead(String judgement, Verdicts.Pairwise expected) {
    assertThat(Verdicts.pairwise(judgement)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"A is better", "[A]", "[[A]] or maybe [[B]]", "[[D]]", "[[7]]"})
  void pairwise_noneOrSeveral_isUnparseable(String judgement) {
    assertThat(Verdicts.pairwise(judgement)).isNull();
  }

  @Test
  void substitute_placeholdersInsideValues_stayAsWritten() {
    assertThat(JudgePrompts.substitute("Q: {question} A: {answer} {unknown}",
        Map.of("question", "say {answer}", "answer", "$1 \\ {question}")))
        .isEqualTo("Q: say {answer} A: $1 \\ {question} {unknown}");
  }
}
