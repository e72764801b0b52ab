package dev.routellm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.prediction.Battle;
import dev.routellm.routing.Tier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BattleSetTest {
  @Test
  void fromOutcomes_threeModels_battlesEveryPairThatAnswered() {
    Map<String, double[]> outcomes = new LinkedHashMap<>();
    outcomes.put("a", new double[] {1, 0});
    outcomes.put("b", new double[] {0, 0});
    outcomes.put("c", new double[] {1, Double.NaN});

    BattleSet set = BattleSet.fromOutcomes(List.of("p", "q"), outcomes);

    assertThat(set.battles()).containsExactly(
        new Battle(0, "a", "b", Battle.Winner.MODEL_A),
        new Battle(0, "a", "c", Battle.Winner.TIE),
        new Battle(0, "b", "c", Battle.Winner.MODEL_B),
        new Battle(1, "a", "b", Battle.Winner.TIE));
  }

  @Test
  void fromOutcomes_dataset_isStrongAgainstWeakPerExample_asRouteLlm() {
    Dataset data = Dataset.builder().name("d").unit(QualityUnit.SCORE).strongModel("s").weakModel("w")
        .examples(List.of(
            Example.builder().id("1").prompt("x").strong(Outcome.judged(9)).weak(Outcome.judged(7)).build(),
            Example.builder().id("2").prompt("y").strong(Outcome.judged(5)).weak(Outcome.judged(5)).build(),
            Example.builder().id("3").prompt("x").strong(Outcome.judged(2)).weak(Outcome.judged(6)).build()))
        .build();

    BattleSet set = BattleSet.fromOutcomes(data);

    assertThat(set.prompts()).containsExactly("x", "y");
    assertThat(set.battles()).containsExactly(
        new Battle(0, "s", "w", Battle.Winner.MODEL_A),
        new Battle(1, "s", "w", Battle.Winner.TIE),
        new Battle(0, "s", "w", Battle.Winner.MODEL_B));
    Dataset back = set.toDataset("back", "s", "w");
    assertThat(back.unit()).isEqualTo(QualityUnit.SCORE);
    assertThat(back.scores(Tier.STRONG)).containsExactly(5.5, 5.0);
    assertThat(back.scores(Tier.WEAK)).containsExactly(6.5, 5.0);
    assertThat(set.scores(0)).hasValueSatisfying(v -> assertThat(v).containsExactly(9, 7));
  }

  @Test
  void fromOutcomes_badInput_isRejectedWithTheModel() {
    assertThatThrownBy(() -> BattleSet.fromOutcomes(List.of("p"), Map.of("a", new double[] {1})))
        .hasMessageContaining("at least two models");
    Map<String, double[]> shortRow = new LinkedHashMap<>();
    shortRow.put("a", new double[] {1});
    shortRow.put("b", new double[] {1, 0});
    assertThatThrownBy(() -> BattleSet.fromOutcomes(List.of("p", "q"), shortRow))
        .hasMessage("model 'a' has 1 outcomes but there are 2 prompts");
    Map<String, double[]> infinite = new LinkedHashMap<>();
    infinite.put("a", new double[] {Double.POSITIVE_INFINITY});
    infinite.put("b", new double[] {1});
    assertThatThrownBy(() -> BattleSet.fromOutcomes(List.of("p"), infinite))
        .hasMessageContaining("outcome of model 'a' on prompt 0 must be finite or NaN");
  }

  @Test
  void toDataset_usesOnlyThePairsBattlesInEitherOrder() {
    BattleSet set = BattleSet.of(List.of("p", "q", "r"), List.of(
        new Battle(0, "big", "small", Battle.Winner.MODEL_A),
        new Battle(0, "small", "big", Battle.Winner.MODEL_A),
        new Battle(1, "big", "other", Battle.Winner.MODEL_A),
        new Battle(2, "small", "big", Battle.Winner.TIE)));

    Dataset d = set.toDataset("d", "big", "small");

    assertThat(d.prompts()).containsExactly("p", "r");
    assertThat(d.scores(Tier.STRONG)).containsExactly(0.5, 0.5);
    assertThatThrownBy(() -> set.toDataset("d", "small", "other"))
        .hasMessageContaining("'small' and 'other' never battle each other");
  }

  @Test
  void strongerFirst_twoModels_ordersByShareWon_andRefusesOtherCounts() {
    BattleSet two = BattleSet.of(List.of("p"), List.of(
        new Battle(0, "a", "b", Battle.Winner.MODEL_B), new Battle(0, "a", "b", Battle.Winner.TIE)));
    assertThat(two.strongerFirst()).containsExactly("b", "a");
    BattleSet even = BattleSet.of(List.of("p"), List.of(new Battle(0, "a", "b", Battle.Winner.TIE)));
    assertThatThrownBy(even::strongerFirst).hasMessageContaining("win equally often");
    BattleSet three = BattleSet.of(List.of("p"), List.of(
        new Battle(0, "a", "b", Battle.Winner.TIE), new Battle(0, "a", "c", Battle.Winner.TIE)));
    assertThatThrownBy(three::strongerFirst).hasMessageContaining("3 models");
  }

  @Test
  void plus_mapsSharedPromptsToOneIndex() {
    BattleSet a = BattleSet.of(List.of("p", "q"), List.of(new Battle(1, "x", "y", Battle.Winner.MODEL_A)));
    BattleSet b = BattleSet.of(List.of("q", "r"), List.of(new Battle(0, "x", "z", Battle.Winner.MODEL_B),
        new Battle(1, "x", "y", Battle.Winner.TIE)));

    BattleSet both = a.plus(b);

    assertThat(both.prompts()).containsExactly("p", "q", "r");
    assertThat(both.battles()).containsExactly(new Battle(1, "x", "y", Battle.Winner.MODEL_A),
        new Battle(1, "x", "z", Battle.Winner.MODEL_B), new Battle(2, "x", "y", Battle.Winner.TIE));
  }

  @Test
  void toDataset_someBattlesWithoutScores_fallsBackToShareWon() {
    BattleSet set = BattleSet.of(List.of("p", "q"), List.of(new Battle(0, "a", "b", Battle.Winner.MODEL_A),
        new Battle(1, "a", "b", Battle.Winner.TIE)), new double[] {8, Double.NaN}, new double[] {3, Double.NaN});

    Dataset d = set.toDataset("d", "a", "b");

    assertThat(d.unit()).isEqualTo(BattleSet.WIN_RATE_PERCENT);
    assertThat(d.scores(Tier.STRONG)).containsExactly(1.0, 0.5);
    assertThat(set.scores(1)).isEmpty();
    assertThatThrownBy(() -> BattleSet.of(List.of("p"), List.of(new Battle(0, "a", "b", Battle.Winner.TIE)),
        new double[] {1}, new double[] {Double.NaN})).hasMessage("battle 0 must have two finite scores or none but had"
        + " 1.0 and NaN");
  }

  @Test
  void of_repeatedPromptOrMissingIndex_isRejected() {
    assertThatThrownBy(() -> BattleSet.of(List.of("p", "p"), List.of()))
        .hasMessage("prompts must be distinct but prompt 1 repeats prompt 0");
    assertThatThrownBy(() -> BattleSet.of(List.of("p"), List.of(new Battle(1, "a", "b", Battle.Winner.TIE))))
        .hasMessage("a battle refers to prompt 1 but there are only 1 prompts");
  }
}
