package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CostAxisTest {
  @Test
  void paper_averageRequest_costsWhatThePaperAssumes() {
    CostAxis axis = CostAxis.paper();

    // GPT-4: 95 * $10/M + 264 * $30/M; about $24.7 per million of its 359 tokens.
    assertThat(axis.strongCostPerRequest()).isCloseTo(0.00887, within(1e-12));
    assertThat(axis.strongCostPerRequest() / 359 * 1e6).isCloseTo(24.7, within(0.05));
    assertThat(axis.weakCostPerRequest()).isCloseTo(359 * 0.24 / 1e6, within(1e-15));
  }

  @Test
  void ofCosts_knownCostsPerRequest_mixesThem() {
    CostAxis axis = CostAxis.ofCosts("big", "small", 0.01, 0.001);

    assertThat(axis.strongModel()).isEqualTo("big");
    assertThat(axis.costPerRequest(0.25)).isCloseTo(0.25 * 0.01 + 0.75 * 0.001, within(1e-15));
    assertThat(axis.cascadeCostPerRequest(0.25)).isCloseTo(0.001 + 0.25 * 0.01, within(1e-15));
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.001, Double.NaN, Double.POSITIVE_INFINITY})
  void ofCosts_badCost_throwsNamingIt(double bad) {
    assertThatThrownBy(() -> CostAxis.ofCosts("big", "small", 0.01, bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weakCostPerRequest must be finite and >= 0 but was " + bad);
  }

  @Test
  void costPerRequest_andStrongShare_areInverse() {
    CostAxis axis = CostAxis.paper();

    double cost = axis.costPerRequest(0.134);

    assertThat(cost).isCloseTo(0.134 * 0.00887 + 0.866 * 359 * 0.24 / 1e6, within(1e-15));
    assertThat(axis.strongShare(cost)).isCloseTo(0.134, within(1e-12));
  }

  @Test
  void cascadeCostPerRequest_paysTheWeakCallOnEveryRequest() {
    CostAxis axis = CostAxis.paper();

    assertThat(axis.cascadeCostPerRequest(0.0)).isEqualTo(axis.weakCostPerRequest());
    assertThat(axis.cascadeCostPerRequest(1.0))
        .isCloseTo(axis.strongCostPerRequest() + axis.weakCostPerRequest(), within(1e-15));
    assertThat(axis.cascadeCostPerRequest(0.134))
        .isCloseTo(359 * 0.24 / 1e6 + 0.134 * 0.00887, within(1e-15))
        .isGreaterThan(axis.costPerRequest(0.134));
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.1, 1.1, Double.NaN})
  void cascadeCostPerRequest_shareOutsideUnitInterval_throws(double share) {
    assertThatThrownBy(() -> CostAxis.paper().cascadeCostPerRequest(share))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("escalatedShare must be in [0, 1] but was");
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.1, 1.1, Double.NaN})
  void costPerRequest_shareOutsideUnitInterval_throws(double share) {
    assertThatThrownBy(() -> CostAxis.paper().costPerRequest(share))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("strongShare must be in [0, 1] but was");
  }

  @Test
  void of_unpricedModel_throwsConfigurationException() {
    assertThatThrownBy(() -> CostAxis.of(CostModel.paperDefaults(), "gpt-5", CostModel.MIXTRAL, Usage.of(1, 1)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("gpt-5");
  }
}
