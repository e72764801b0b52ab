package dev.routellm.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArithmeticCheckTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "right sum | She has 16 - 3 = 13 eggs left. | 1 | 0",
        "wrong product in parentheses | his profit is ($40 - $20) x 4 = $60. | 1 | 1",
        "chain with precedence | 4 x 10 + 6 x 20 = 160 in total | 1 | 0",
        "chain continued by another equality | 14 x (6 + 2) = 14 x 8 = 112 | 1 | 0",
        "equality after an annotation checked once | 9 * $2 = $<<9*2=19>>19 | 1 | 1",
        "thousands and dollars | $1,200 * 3/4 = $900. | 1 | 0",
        "markdown-escaped star | 50 \\* 20/100 = 10 days | 1 | 0",
        "rounded money passes | 95 * 0.10 = 9.5 and 7 / 3 = 2.33 | 2 | 0",
        "fraction written as percent | (2000 - 1800) / 2000 = 10% less | 1 | 0",
        "annotation wrong | costs ($40 - $20) x 2 = $<<(40-20)*2=60>>60. | 1 | 1",
        "annotation right | so 9 * $2 = $<<9*2=18>>18 | 1 | 0",
        "unknown in equation skipped | x * 4 + 8 = 40 | 0 | 0",
        "negative first operand skipped | it was -6 + 3 = -3 degrees | 0 | 0",
        "equality without operator ignored | so x = 5 and 12 = 12 | 0 | 0",
        "two wrong | 2 + 2 = 5 and 3 * 3 = 10 | 2 | 2",
      })
  void scan_writtenArithmetic_countsCheckedAndWrong(String title, String answer, int checked, int wrong) {
    ArithmeticCheck.Scan scan = ArithmeticCheck.scan(answer);

    assertThat(scan.checked()).as("checked").isEqualTo(checked);
    assertThat(scan.wrong()).as("wrong: %s", scan.wrong()).hasSize(wrong);
  }

  @ParameterizedTest
  @CsvSource({"'1 + 1 = 3', 1", "'1 + 1 = 3, 2 + 2 = 5, 3 + 3 = 7', 2", "'1 + 1 = 2', 0"})
  void check_capsTheCountAtTwo(String answer, double expected) {
    assertThat(AnswerCheck.arithmetic().check("q", answer)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"'2+3*4', 14", "'(2+3)*4', 20", "'10/4', 2.5", "'7-2-1', 4", "'-(3)+5', 2", "'3 x 4', 12"})
  void evaluate_expressions_respectPrecedence(String text, double expected) {
    assertThat(ArithmeticCheck.Expression.evaluate(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"'2+'", "'(2+3'", "'2 apples'", "''"})
  void evaluate_notAnExpression_isNull(String text) {
    assertThat(ArithmeticCheck.Expression.evaluate(text)).isNull();
  }
}
