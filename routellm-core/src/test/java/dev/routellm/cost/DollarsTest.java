package dev.routellm.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.chat.Usage;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DollarsTest {
  @ParameterizedTest
  @CsvSource({
    "1.25E-6, $0.00000125",
    "0.0000013, $0.0000013",
    "0, $0",
    "-0.0, $0",
    "12.5, $12.5",
    "0.0009500000000000001, $0.00095",
    "1.0E-13, $0",
    "-0.3, -$0.3",
    "123456.789, $123456.789"
  })
  void format_amounts_plainDecimalWithSign(double dollars, String expected) {
    assertThat(Dollars.format(dollars)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "0.03855540182, $0.03856",
    "1.573891205459, $1.574",
    "38.5554018, $38.56",
    "12345.678, $12346",
    "0.0000012549, $0.000001255",
    "0.25, $0.25",
    "0, $0",
    "-0.0, $0",
    "1.0E-14, $0",
    "-0.123456, -$0.1235"
  })
  void format_significantDigits_roundsForATableAndKeepsTheIntegerPart(double dollars, String expected) {
    assertThat(Dollars.format(dollars, 4)).isEqualTo(expected);
  }

  @Test
  void format_zeroSignificantDigits_isRejected() {
    assertThatThrownBy(() -> Dollars.format(1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("significantDigits must be >= 1 but was 0");
  }

  @Test
  void decimal_nonFinite_rejectedWithValue() {
    assertThatThrownBy(() -> Dollars.decimal(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a dollar amount must be finite but was NaN");
    assertThat(Dollars.plain(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
  }

  @Test
  void toString_costValues_neverScientific() {
    ModelPrice price = new ModelPrice(0.15, 0.6);
    double cost = price.cost(1, 0);
    CostSnapshot snapshot = new CostSnapshot(1, 0, 0, cost, cost,
        Map.of("m", new CostSnapshot.ModelTotals(1, 1, 0, cost)));
    assertThat(String.valueOf(cost)).contains("E-");
    assertThat(price.toString()).isEqualTo("ModelPrice[inputPerMillion=$0.15, outputPerMillion=$0.6]");
    assertThat(snapshot.toString()).doesNotContain("E-").contains("cost=$0.00000015");
    assertThat(CostModel.builder().price("m", price).build().cost("m", Usage.of(1_000_000, 0))).isEqualTo(0.15);
  }
}
