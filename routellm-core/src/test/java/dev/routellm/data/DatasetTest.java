package dev.routellm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.routing.Tier;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetTest {
  private static Example example(String id, boolean strong, boolean weak) {
    return Example.builder().id(id).prompt("prompt " + id).strong(Outcome.correct(strong))
        .weak(Outcome.correct(weak)).build();
  }

  private static final Dataset DATA = Dataset.builder().name("d").unit(QualityUnit.ACCURACY_PERCENT)
      .strongModel("S").weakModel("W")
      .examples(List.of(example("a", true, false), example("b", true, true), example("c", false, false)))
      .build();

  @Test
  void quality_booleanOutcomes_isAccuracyInPercent() {
    assertThat(DATA.quality(Tier.STRONG)).isCloseTo(200.0 / 3, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(DATA.quality(Tier.WEAK)).isCloseTo(100.0 / 3, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(DATA.scores(Tier.STRONG)).containsExactly(1, 1, 0);
  }

  @Test
  void subset_indices_keepsTheirOrderAndTheDatasetsModels() {
    Dataset sub = DATA.subset(new int[] {2, 0});

    assertThat(sub.examples()).extracting(Example::id).containsExactly("c", "a");
    assertThat(sub.scores(Tier.WEAK)).containsExactly(0, 0);
    assertThat(sub.strongModel()).isEqualTo("S");
    assertThat(sub.name()).isEqualTo("d");
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 3})
  void subset_indexOutOfRange_throws(int index) {
    assertThatThrownBy(() -> DATA.subset(new int[] {index}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("index must be in [0, 3) but was " + index + " (dataset 'd')");
  }

  @Test
  void subset_repeatedIndex_throws() {
    assertThatThrownBy(() -> DATA.subset(new int[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("index 1 is repeated (dataset 'd')");
  }

  @Test
  void filter_predicate_keepsMatchingExamples() {
    assertThat(DATA.filter(e -> e.gain() > 0).examples()).extracting(Example::id).containsExactly("a");
  }

  @Test
  void quality_emptyDataset_throws() {
    Dataset empty = DATA.subset(new int[0]);

    assertThat(empty.isEmpty()).isTrue();
    assertThatThrownBy(() -> empty.quality(Tier.STRONG))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("dataset 'd' is empty: it has no quality");
  }

  @Test
  void build_duplicateId_throws() {
    assertThatThrownBy(() -> DATA.toBuilder().examples(List.of(example("a", true, true), example("a", false, true)))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("example id 'a' appears twice in dataset 'd'");
  }

  @Test
  void build_sameModelTwice_throws() {
    assertThatThrownBy(() -> DATA.toBuilder().weakModel("S").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("strong and weak model must differ but both were 'S'");
  }

  @Test
  void build_missingUnit_throws() {
    assertThatThrownBy(() -> Dataset.builder().name("x").strongModel("S").weakModel("W").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a dataset needs a unit but it was not set");
  }

  @Test
  void outcome_severalJudgements_scoresTheirMean() {
    Outcome o = Outcome.judged(8, 9.5).withResponse("answer");

    assertThat(o.score()).isEqualTo(8.75);
    assertThat(o.judgementCount()).isEqualTo(2);
    assertThat(o.response()).contains("answer");
    assertThat(o.usage()).isEmpty();
    assertThat(o.cost()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY})
  void outcome_nonFiniteJudgement_throws(double judgement) {
    assertThatThrownBy(() -> Outcome.judged(1, judgement)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.01, Double.NaN, Double.POSITIVE_INFINITY})
  void outcome_badCost_throws(double cost) {
    assertThatThrownBy(() -> Outcome.correct(true).withCost(cost))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cost must be finite and >= 0 but was");
  }

  @Test
  void example_missingWeakOutcome_throwsNamingIt() {
    assertThatThrownBy(() -> Example.builder().id("q").prompt("p").strong(Outcome.correct(true)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an example needs an id, a prompt and both outcomes but the weak outcome was not set (example 'q')");
  }

  @Test
  void example_turns_routesOnTheFirst() {
    Example e = Example.builder().id("m").turns(List.of("one", "two")).strong(Outcome.judged(9, 8))
        .weak(Outcome.judged(7, 8)).build();

    assertThat(e.prompt()).isEqualTo("one");
    assertThat(e.gain()).isEqualTo(1.0);
    assertThat(e.outcome(Tier.WEAK).score()).isEqualTo(7.5);
  }
}
