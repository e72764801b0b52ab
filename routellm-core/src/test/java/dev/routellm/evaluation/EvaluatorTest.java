package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.SharedData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EvaluatorTest {
  private static final Dataset FOUR = TestDatasets.of(new double[] {1, 1, 0, 1}, new double[] {0, 0, 0, 1});

  /** Records what each fit was trained on and what its scorer scored. */
  private static final class RecordingMethod implements RoutingMethod {
    final List<Set<String>> trainPrompts = new ArrayList<>();
    final List<Set<String>> trainIds = new ArrayList<>();
    final List<List<Example>> scored = new ArrayList<>();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public Scorer fit(Dataset train, FitContext context) {
      trainPrompts.add(train.examples().stream().flatMap(e -> e.turns().stream()).collect(Collectors.toSet()));
      trainIds.add(train.examples().stream().map(Example::id).collect(Collectors.toSet()));
      List<Example> mine = new ArrayList<>();
      scored.add(mine);
      return example -> {
        mine.add(example);
        return example.prompt().length();
      };
    }
  }

  @Test
  void evaluate_fiveFoldsOnMmlu_neverLetsAHeldOutPromptReachTraining() {
    Dataset mmlu = SharedData.mmlu();
    Set<String> distinctPrompts = new HashSet<>(mmlu.prompts());
    assertThat(distinctPrompts).as("MMLU repeats some prompts, which must not straddle folds").hasSizeLessThan(
        mmlu.size());
    RecordingMethod method = new RecordingMethod();

    Evaluation evaluation = Evaluator.builder().folds(5).seed(7).build().evaluate(mmlu, method);

    assertThat(method.scored).hasSize(5);
    Map<String, Integer> timesScored = new HashMap<>();
    for (int f = 0; f < 5; f++) {
      Set<String> train = method.trainPrompts.get(f);
      List<Example> heldOut = method.scored.get(f);
      assertThat(heldOut).isNotEmpty();
      Set<String> trainIds = method.trainIds.get(f);
      List<String> leaked = heldOut.stream()
          .filter(e -> trainIds.contains(e.id()) || e.turns().stream().anyMatch(train::contains))
          .map(Example::id)
          .toList();
      assertThat(leaked).as("fold %d: held-out examples whose id or prompt was in training", f + 1).isEmpty();
      heldOut.forEach(e -> timesScored.merge(e.id(), 1, Integer::sum));
      assertThat(method.trainIds.get(f).size() + heldOut.size()).isEqualTo(mmlu.size());
      assertThat(evaluation.foldResults().get(f).trainSize()).isEqualTo(method.trainIds.get(f).size());
    }
    assertThat(timesScored).hasSize(mmlu.size()).allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
    // Pooled scores line up with the dataset: the recording scorer scores by prompt length.
    double[] scores = evaluation.scores();
    for (int i = 0; i < mmlu.size(); i += 997) {
      assertThat(scores[i]).isEqualTo(mmlu.example(i).prompt().length());
    }
  }

  @Test
  void split_sameSeed_isDeterministicAndBalanced() {
    Dataset gsm8k = SharedData.gsm8k();

    int[][] a = Evaluator.split(gsm8k, 5, 3);
    int[][] b = Evaluator.split(gsm8k, 5, 3);
    int[][] c = Evaluator.split(gsm8k, 5, 4);

    assertThat(a).isDeepEqualTo(b);
    assertThat(a[0]).isNotEqualTo(c[0]);
    assertThat(Arrays.stream(a).mapToInt(f -> f.length).boxed().toList()).allSatisfy(
        size -> assertThat(size).isBetween(261, 262)); // 1,307 distinct prompts in 5 folds
    assertThat(a[0]).isSorted();
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 100})
  void evaluate_moreFoldsThanDistinctPrompts_throws(int folds) {
    assertThatThrownBy(() -> Evaluator.builder().folds(folds).build().evaluate(FOUR, RoutingMethod.random()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("folds must be in [2, 4] (the number of distinct prompts of dataset 'tiny') but was " + folds);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void folds_lessThanOne_throws(int folds) {
    assertThatThrownBy(() -> Evaluator.builder().folds(folds))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("folds must be >= 1 but was " + folds);
  }

  @Test
  void evaluate_oneFold_fitsOnNothingAndScoresEverything() {
    RecordingMethod method = new RecordingMethod();

    Evaluation evaluation = Evaluator.defaults().evaluate(FOUR, method);

    assertThat(method.trainIds).containsExactly(Set.of());
    assertThat(method.scored.get(0)).containsExactlyElementsOf(FOUR.examples());
    assertThat(evaluation.foldResults()).isEmpty();
    assertThat(evaluation.foldSummary()).isEmpty();
  }

  @Test
  void evaluate_methodThatNeedsTrainingOnOneFold_propagatesItsConfigurationError() {
    RoutingMethod learned = new RoutingMethod() {
      @Override
      public String name() {
        return "learned";
      }

      @Override
      public Scorer fit(Dataset train, FitContext context) {
        if (train.isEmpty()) {
          throw new ConfigurationException("router 'learned' needs training data: use 2 or more folds");
        }
        return e -> 0;
      }
    };

    assertThatThrownBy(() -> Evaluator.defaults().evaluate(FOUR, learned))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("use 2 or more folds");
  }

  @Test
  void evaluate_scorerReturningNaN_throwsNamingRouterAndExample() {
    RoutingMethod broken = new RoutingMethod() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public Scorer fit(Dataset train, FitContext context) {
        return e -> e.id().equals("e2") ? Double.NaN : 0.5;
      }
    };

    assertThatThrownBy(() -> Evaluator.defaults().evaluate(FOUR, broken))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("router 'broken' scored example 'e2' NaN: scores must be finite");
  }

  @Test
  void evaluate_progressListener_hearsEveryFold() {
    List<String> stages = new ArrayList<>();

    Evaluator.builder().folds(2).progress((stage, done, total) -> {
      if (done == total) {
        stages.add(stage);
      }
    }).build().evaluate(FOUR, RoutingMethod.random());

    assertThat(stages).containsExactly("fold 1/2: scoring", "fold 2/2: scoring");
  }

  @ParameterizedTest(name = "{0}: random routing's mean APGR over {1} seeds")
  @CsvSource({"mmlu, 20", "gsm8k, 200", "mt-bench, 1000"})
  void evaluate_randomRouter_hasApgrNearOneHalfOnAverage(String benchmark, int seeds) {
    // One seed's APGR varies (std 0.008 on MMLU, 0.023 on GSM8K, 0.07 on MT-Bench's 72 questions), so the claim is
    // about the mean; the number of seeds keeps the mean's own standard error under 0.003.
    Dataset data = SharedData.load(benchmark);
    double[] fine = new double[seeds];
    double[] routeLlm = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      Evaluation e = Evaluator.builder().seed(s).build().evaluate(data, RoutingMethod.random());
      fine[s] = e.metrics().apgr();
      routeLlm[s] = e.routeLlmMetrics().apgr();
    }

    assertThat(Spread.of(fine).mean()).isCloseTo(0.5, within(0.02));
    assertThat(Spread.of(routeLlm).mean()).isCloseTo(0.5, within(0.02));
  }

  @Test
  void evaluate_randomRouterWithDefaultSeedOnMmlu_hasApgrNearOneHalf() {
    Evaluation e = Evaluator.defaults().evaluate(SharedData.mmlu(), RoutingMethod.random());

    assertThat(e.metrics().apgr()).isCloseTo(0.5, within(0.02));
    assertThat(e.routeLlmMetrics().apgr()).isCloseTo(0.5, within(0.02));
    assertThat(e.metrics().cpt50()).isCloseTo(0.5, within(0.03));
  }

  @Test
  void evaluate_oracleRouterOnMmlu_reachesHalfTheGapWithRouteLlmsOracleShare() {
    Evaluation e = Evaluator.defaults().evaluate(SharedData.mmlu(), RoutingMethod.oracle());

    assertThat(100 * e.metrics().cpt50()).isCloseTo(6.25, within(0.005));
    assertThat(e.costSavingVsRandom(0.5)).isCloseTo(0.5 / e.metrics().cpt50(), within(1e-9)).isGreaterThan(7.9);
  }

  @Test
  void costSavingVsRandom_handMadeCurve_isRandomCptOverRouterCpt() {
    // PGR at shares 0, 0.25, 0.75, 1: 0, 0.5, 1, 1 -> CPT(50%) = 0.25, CPT(80%) = 0.55.
    Evaluation e = Evaluation.ofScores(FOUR, "hand", new double[] {1, 0.5, 0.5, 0});

    assertThat(e.metrics().cpt50()).isCloseTo(0.25, within(1e-12));
    assertThat(e.costSavingVsRandom(0.5)).isCloseTo(2.0, within(1e-12));
    assertThat(e.costSavingVsRandom(0.8)).isCloseTo(0.8 / 0.55, within(1e-12));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, -0.5, 1.01, Double.NaN})
  void costSavingVsRandom_levelOutsideUnitInterval_throws(double pgr) {
    Evaluation e = Evaluation.ofScores(FOUR, "hand", new double[] {1, 0.5, 0.5, 0});

    assertThatThrownBy(() -> e.costSavingVsRandom(pgr))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pgr must be in (0, 1] but was " + pgr);
  }

  @Test
  void evaluate_kFold_reportsEveryFoldAndTheirSpread() {
    Evaluation e = Evaluator.builder().folds(4).seed(1).build().evaluate(SharedData.gsm8k(), RoutingMethod.random());

    assertThat(e.foldResults()).extracting(FoldResult::fold).containsExactly(1, 2, 3, 4);
    assertThat(e.foldResults()).extracting(FoldResult::testSize).allSatisfy(n -> assertThat(n).isBetween(326, 327));
    double[] apgrs = e.foldResults().stream().mapToDouble(f -> f.metrics().apgr()).toArray();
    FoldSummary summary = e.foldSummary().orElseThrow();
    assertThat(summary.apgr()).isEqualTo(Spread.of(apgrs));
    assertThat(summary.apgr().std()).isPositive();
  }
}
