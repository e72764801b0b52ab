package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.data.Dataset;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.prediction.WinRatePredictor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoutingMethodsTest {
  private static final Dataset FOUR = TestDatasets.of(new double[] {1, 1, 0, 1}, new double[] {0, 1, 0, 0});
  private static final FitContext CONTEXT = new FitContext(9, ProgressListener.NONE);

  @Test
  void defaults_holdRandomAndOracle() {
    assertThat(RoutingMethods.defaults().names()).containsExactly("oracle", "random");
  }

  @Test
  void get_unknownName_throwsListingTheKnownOnes() {
    assertThatThrownBy(() -> RoutingMethods.defaults().get("mf"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("router must be one of [oracle, random] but was 'mf'");
  }

  @Test
  void toBuilder_addLearnedMethod_isFoundByName() {
    RoutingMethod knn = new RoutingMethod() {
      @Override
      public String name() {
        return "knn";
      }

      @Override
      public Scorer fit(Dataset train, FitContext context) {
        return e -> train.size();
      }
    };

    RoutingMethods methods = RoutingMethods.defaults().toBuilder().add(knn).build();

    assertThat(methods.get("knn")).isSameAs(knn);
    assertThat(methods.names()).containsExactly("knn", "oracle", "random");
    assertThat(RoutingMethods.defaults().contains("knn")).isFalse();
  }

  @Test
  void add_takenName_throws() {
    assertThatThrownBy(() -> RoutingMethods.defaults().toBuilder().add(RoutingMethod.random()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a router named 'random' is already registered");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "My Router", "-x", "KNN"})
  void add_badName_throws(String name) {
    RoutingMethod bad = RoutingMethod.pretrained(new WinRatePredictor() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public double score(String prompt) {
        return 0;
      }
    });

    assertThatThrownBy(() -> RoutingMethods.builder().add(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a router name must be lower-case letters");
  }

  @Test
  void random_fit_scoresPromptsWithTheSeededPredictor() {
    Scorer scorer = RoutingMethod.random().fit(FOUR, CONTEXT);

    assertThat(scorer.score(FOUR.example(2))).isEqualTo(RandomPredictor.withSeed(9).score("prompt 2"));
  }

  @Test
  void oracle_fit_scoresTheStrongModelsGain() {
    Scorer scorer = RoutingMethod.oracle().fit(FOUR, CONTEXT);

    assertThat(FOUR.examples().stream().mapToDouble(scorer::score).toArray()).containsExactly(1, 0, 0, 1);
  }

  @Test
  void pretrained_scoreAll_batchesPromptsAndReportsProgress() {
    List<Integer> batches = new ArrayList<>();
    WinRatePredictor lengths = new WinRatePredictor() {
      @Override
      public String name() {
        return "length";
      }

      @Override
      public double score(String prompt) {
        return prompt.length();
      }

      @Override
      public double[] scoreAll(List<String> prompts) {
        batches.add(prompts.size());
        return WinRatePredictor.super.scoreAll(prompts);
      }
    };
    List<Long> done = new ArrayList<>();

    double[] scores = RoutingMethod.pretrained(lengths).fit(FOUR, CONTEXT)
        .scoreAll(FOUR.examples(), "scoring", (stage, d, total) -> done.add(d));

    assertThat(scores).containsExactly(8, 8, 8, 8);
    assertThat(batches).containsExactly(4);
    assertThat(done).containsExactly(4L);
  }
}
