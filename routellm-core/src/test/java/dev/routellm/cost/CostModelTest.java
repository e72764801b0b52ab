package dev.routellm.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.chat.Usage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CostModelTest {
  @Test
  void paperDefaults_gpt4AtPaperAverageTokens_costsAbout24Point7PerMillion() {
    // The paper: GPT-4 at $10 in / $30 out is about $24.7 per million tokens at 95 in / 264 out.
    double perCall = CostModel.paperDefaults().cost(CostModel.GPT_4, Usage.of(95, 264));
    assertThat(perCall / (95 + 264) * 1e6).isCloseTo(24.7, within(0.05));
  }

  @Test
  void cost_unknownModel_isAnErrorListingPricedModels() {
    assertThatThrownBy(() -> CostModel.paperDefaults().cost("gpt-5", Usage.of(1, 1)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("no price for model 'gpt-5'; priced models: [gpt-4-1106-preview, mixtral-8x7b-instruct-v0.1]");
  }

  @ParameterizedTest
  @ValueSource(doubles = {-1.0, Double.NaN, Double.POSITIVE_INFINITY})
  void price_invalid_rejectedWithFieldAndValue(double value) {
    assertThatThrownBy(() -> new ModelPrice(value, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inputPerMillion must be a finite price >= 0 but was " + value);
  }

  @Test
  void tracker_snapshot_sumsPerModel() {
    CostTracker t = new CostTracker();
    t.recordCall("a", Usage.of(10, 20), 0.5);
    t.recordCall("a", Usage.of(1, 2), 0.25);
    t.recordRequest(true, 0.75, 1.0);
    CostSnapshot s = t.snapshot();
    assertThat(s.models().get("a")).isEqualTo(new CostSnapshot.ModelTotals(2, 11, 22, 0.75));
    assertThat(s.savingShare()).isCloseTo(0.25, within(1e-12));
    assertThat(new CostTracker().snapshot().strongShare()).isZero();
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.01, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  void tracker_badCost_rejectedNamingArgumentAndValue(double bad) {
    CostTracker t = new CostTracker();

    assertThatThrownBy(() -> t.recordCall("a", Usage.of(1, 1), bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("callCost must be finite and >= 0 but was " + bad);
    assertThatThrownBy(() -> t.recordRequest(true, bad, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requestCost must be finite and >= 0 but was " + bad);
    assertThatThrownBy(() -> t.recordRequest(true, 1.0, bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allStrongCost must be finite and >= 0 but was " + bad);
    assertThatThrownBy(() -> t.recordFailedRequest(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requestCost must be finite and >= 0 but was " + bad);
    assertThat(t.snapshot()).isEqualTo(new CostTracker().snapshot());
  }

  @Test
  void tracker_failedRequest_addsItsCostWithoutCountingARequest() {
    CostTracker t = new CostTracker();
    t.recordCall("weak", Usage.of(10, 20), 0.5);
    t.recordFailedRequest(0.5);
    t.recordCall("weak", Usage.of(1, 1), 0.25);
    t.recordRequest(false, 0.25, 2.0);

    CostSnapshot s = t.snapshot();
    assertThat(s.requests()).isEqualTo(1);
    assertThat(s.failedRequests()).isEqualTo(1);
    assertThat(s.cost()).isEqualTo(0.75);
    assertThat(s.cost()).isEqualTo(s.models().get("weak").cost());
    assertThat(s.saving()).isEqualTo(1.25);
    assertThat(s.strongShare()).isZero();
  }
}
