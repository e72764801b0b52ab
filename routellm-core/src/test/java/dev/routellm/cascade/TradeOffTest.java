package dev.routellm.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class TradeOffTest {
  // confidence, weak correct, strong correct; weak call $1, strong call $10, 100 tokens each
  private static final TradeOff FOUR =
      TradeOff.of(
          List.of(
              new TradeOff.Outcome(0.9, true, 1, 1, 10, 100),
              new TradeOff.Outcome(0.2, false, 1, 1, 10, 100),
              new TradeOff.Outcome(0.7, false, 0, 1, 10, 100),
              new TradeOff.Outcome(0.5, true, 1, 1, 10, 100)));

  @Test
  void at_threshold06_escalatesTheTwoLeastConfident() {
    TradeOff.Row r = FOUR.at(0.6);

    assertThat(r.escalatedShare()).isEqualTo(0.5);
    // strong right on both escalated, weak wrong at 0.7, right at 0.9
    assertThat(r.accuracy()).isEqualTo(0.75);
    assertThat(r.costPerRequest()).isEqualTo((4 * 1 + 2 * 10) / 4.0);
    assertThat(r.costPerMillionTokens()).isCloseTo(24.0 / 400 * 1e6, within(1e-6));
  }

  @Test
  void at_confidenceEqualToThreshold_keepsTheAnswer() {
    assertThat(FOUR.at(0.5).escalatedShare()).isEqualTo(0.25);
  }

  @Test
  void at_extremes_areWeakOnlyAndAlwaysEscalate() {
    assertThat(FOUR.at(0.0)).isEqualTo(new TradeOff.Row(0.0, 0.0, 0.5, 1.0, 1.0 / 100 * 1e6));
    assertThat(FOUR.at(1.0).accuracy()).isEqualTo(0.75);
    assertThat(FOUR.at(1.0).costPerRequest()).isEqualTo(11.0);
  }

  @Test
  void cheapestReaching_target_picksLeastEscalation() {
    TradeOff.Row r = FOUR.cheapestReaching(0.75).orElseThrow();

    assertThat(r.threshold()).isEqualTo(0.5);
    assertThat(r.costPerRequest()).isEqualTo(3.5);
    assertThat(FOUR.cheapestReaching(0.8)).isEmpty();
  }

  @Test
  void bestWithinBudget_picksMostAccurateAffordable() {
    assertThat(FOUR.bestWithinBudget(3.0).orElseThrow().accuracy()).isEqualTo(0.5);
    assertThat(FOUR.bestWithinBudget(4.0).orElseThrow().threshold()).isEqualTo(0.5);
    assertThat(FOUR.bestWithinBudget(0.5)).isEmpty();
  }

  @Test
  void table_quarterSteps_hasFiveRows() {
    assertThat(FOUR.table(0.25)).extracting(TradeOff.Row::threshold).containsExactly(0.0, 0.25, 0.5, 0.75, 1.0);
  }

  @Test
  void table_alamereFlatPrices_costPerMillionIsWeakPlusEscalatedShareOfStrong() {
    CostModel prices = CostModel.builder().price("small", 0.07, 0.07).price("big", 0.80, 0.80).build();
    Usage usage = Usage.of(50, 50);
    TradeOff t =
        TradeOff.of(
            List.of(
                TradeOff.Outcome.priced(0.3, false, 1, prices, "small", usage, "big", usage),
                TradeOff.Outcome.priced(0.9, true, 1, prices, "small", usage, "big", usage)));

    assertThat(t.at(0.5).costPerMillionTokens()).isCloseTo(0.07 + 0.5 * 0.80, within(1e-12));
  }

  @Test
  void of_empty_isRejected() {
    assertThatThrownBy(() -> TradeOff.of(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void outcome_strongCorrectOutsideUnitInterval_isRejected() {
    assertThatThrownBy(() -> new TradeOff.Outcome(0.5, true, 1.5, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strongCorrect");
  }
}
