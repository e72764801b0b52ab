package dev.routellm.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ModelPriceTest {
  @Test
  void parse_inAndOutOrOneNumber_prices() {
    assertThat(ModelPrice.parse("2.50,10.00")).isEqualTo(new ModelPrice(2.5, 10));
    assertThat(ModelPrice.parse(" 0.24 ")).isEqualTo(ModelPrice.flat(0.24));
    assertThat(ModelPrice.parse("0")).isEqualTo(ModelPrice.flat(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "cheap", "1,2,3", "-1", "1,NaN", "Infinity"})
  void parse_malformed_rejectedQuotingTheText(String text) {
    assertThatThrownBy(() -> ModelPrice.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was '" + text + "'");
  }
}
