package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.cost.CostModel;
import dev.routellm.cost.ModelPrice;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one table of list prices, and how a model name finds its entry. */
class DefaultPricesTest {
  @ParameterizedTest
  @CsvSource({
    "mistralai/Mixtral-8x7B-Instruct-v0.1, " + CostModel.MIXTRAL,
    "Mixtral-8x7B-Instruct-v0.1, " + CostModel.MIXTRAL,
    "GPT-4o, gpt-4o",
    "openai/gpt-4o-mini, gpt-4o-mini",
    "meta-llama/Llama-3-8B, llama-3-8b"
  })
  void of_nameWithOrgPrefixOrOtherCase_findsTheListPrice(String name, String listed) {
    ModelPrice expected = DefaultPrices.LIST.get(listed);

    assertThat(expected).isNotNull();
    assertThat(DefaultPrices.of(name)).hasValue(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-4o-2024-08-06", "mixtral-8x22b", "llama3.1:8b", "gpt-4o/"})
  void of_otherModel_hasNoPrice(String name) {
    assertThat(DefaultPrices.of(name)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void require_unknownModel_namesTheOptionTheModelAndTheMatchingRule() {
    assertThatThrownBy(() -> DefaultPrices.require("--weak-price", "acme/foo", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--weak-price is required for model 'acme/foo'")
        .hasMessageContaining("ignoring case and an 'org/' prefix");
  }
}
