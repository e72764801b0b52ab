package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.cascade.AnswerExtractors;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.PriceTable;
import dev.routellm.data.NwayData;
import dev.routellm.data.Outcome;
import dev.routellm.data.PoolDataset;
import dev.routellm.data.PoolExample;
import dev.routellm.data.QualityUnit;
import dev.routellm.prediction.QualityPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolEvaluatorTest {
  static final PriceTable NO_PRICES = CostModel.builder().build();
  static final String GPT_4O = "gpt-4o-2024-08-06";
  static final String MINI = "gpt-4o-mini-2024-07-18";
  static final String FLASH = "gemini-1.5-flash";

  private static Outcome outcome(boolean correct, double cost, String answer) {
    Outcome o = Outcome.correct(correct).withCost(cost);
    return answer == null ? o : o.withResponse(answer);
  }

  /**
   * Models a (cost 1), b (cost 2), c (cost 10); a and b have answer texts.
   *
   * <pre>
   *   q1: a right "4", b right "4", c right   -> a and b agree: a's answer, cost 3
   *   q2: a wrong "5", b wrong "6", c right   -> disagree: c, cost 13
   *   q3: a wrong "7", b wrong "7", c wrong   -> agree (wrongly): cost 3
   *   q4: a right "8", b wrong "none", c right -> b has no number: c, cost 13
   * </pre>
   */
  static PoolDataset fourQuestions() {
    boolean[][] right = {{true, true, true}, {false, false, true}, {false, false, false}, {true, false, true}};
    String[][] texts = {{"it is 4", "4"}, {"5", "6"}, {"7", "seven: 7"}, {"8", "none"}};
    List<PoolExample> examples = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      examples.add(PoolExample.builder().id("q" + (i + 1)).prompt("question " + (i + 1))
          .outcome("a", outcome(right[i][0], 1, texts[i][0]))
          .outcome("b", outcome(right[i][1], 2, texts[i][1]))
          .outcome("c", outcome(right[i][2], 10, null)).build());
    }
    return PoolDataset.builder().name("four").unit(QualityUnit.ACCURACY_PERCENT).models(List.of("a", "b", "c"))
        .examples(examples).build();
  }

  private static PoolEvaluation evaluate(PoolDataset data, QualityMethod method, PoolPolicy policy, int folds,
      List<PoolCalibration.Target> targets) {
    return PoolEvaluator.builder().folds(folds).seed(42).build()
        .evaluate(PoolCosts.of(data, NO_PRICES), method, policy, targets);
  }

  @Test
  void evaluate_agreementCascade_scoresAgreedAnswersAndEscalatesTheRest() {
    PoolEvaluation e = evaluate(fourQuestions(), null,
        PoolPolicies.cascade(PoolPolicies.Chain.parse("a+b>c"), AnswerExtractors.number()), 1, List.of());

    OperatingPoint p = e.points().get(0);
    assertThat(e.points()).hasSize(1);
    assertThat(p.setting()).isEqualTo("a+b > c");
    assertThat(p.quality()).isEqualTo(75.0);
    assertThat(p.cost()).isEqualTo(8.0);
    assertThat(p.calls()).isEqualTo(2.5);
    PoolEvaluation.Summary s = e.summary();
    assertThat(s.singles()).extracting(PoolEvaluation.SingleModel::quality).containsExactly(50.0, 25.0, 75.0);
    assertThat(s.bestSingle().model()).isEqualTo("c");
    assertThat(s.frontier().points()).containsExactly(new CostQualityPoint(1, 50), new CostQualityPoint(10, 75));
    assertThat(s.oracle()).as("a on q1, q3 (all wrong: cheapest), q4; c on q2")
        .isEqualTo(new CostQualityPoint(3.25, 75));
    assertThat(s.frontierArea()).isCloseTo(62.5, within(1e-12));
    assertThat(s.routerArea()).isCloseTo((7 * 62.5 + 2 * 75) / 9, within(1e-12));
    assertThat(s.costShareAtBestQuality()).isCloseTo(0.8, within(1e-12));
  }

  /** Predicts every model's true outcome: with it, "cheapest reaching 0.5" is the oracle. */
  static final class PerfectPredictor implements QualityMethod {
    private final PoolDataset all;

    PerfectPredictor(PoolDataset all) {
      this.all = all;
    }

    @Override
    public String name() {
      return "perfect";
    }

    @Override
    public QualityPredictor fit(PoolDataset train, FitContext context) {
      return new QualityPredictor() {
        @Override
        public String name() {
          return "perfect";
        }

        @Override
        public List<String> models() {
          return all.models();
        }

        @Override
        public double[] predict(String prompt) {
          int i = all.prompts().indexOf(prompt);
          double[] q = new double[all.models().size()];
          for (int m = 0; m < q.length; m++) {
            q[m] = all.score(i, m);
          }
          return q;
        }
      };
    }
  }

  @Test
  void evaluate_perfectPredictor_cheapestReachingIsTheOracleAndQualityCostSpansTheModels() {
    PoolDataset data = fourQuestions();
    PerfectPredictor perfect = new PerfectPredictor(data);

    PoolEvaluation cheapest = evaluate(data, perfect, PoolPolicies.cheapestReaching(), 2, List.of());
    PoolEvaluation qualityCost = evaluate(data, perfect, PoolPolicies.qualityCost(), 2, List.of());

    OperatingPoint half = cheapest.points().stream().filter(p -> p.parameters().get("target") == 0.5).findFirst()
        .orElseThrow();
    assertThat(half.point()).isEqualTo(cheapest.summary().oracle());
    assertThat(cheapest.router()).isEqualTo("perfect + cheapest-reaching");
    List<OperatingPoint> points = qualityCost.points();
    assertThat(points.get(0).parameters().get("lambda")).isZero();
    assertThat(points.get(0).point()).as("lambda 0: a right model, the cheaper on ties").isEqualTo(
        cheapest.summary().oracle());
    assertThat(points.get(points.size() - 1).point()).as("lambda 1000: the cheapest model")
        .isEqualTo(new CostQualityPoint(1, 50));
    assertThat(qualityCost.foldResults()).hasSize(2);
  }

  @Test
  void evaluate_calibration_picksTheSettingForEachTargetAndMeasuresItHeldOut() {
    PoolDataset gsm8k = NwayData.gsm8k();
    PoolCosts costs = PoolCosts.of(gsm8k.withModels(pricedModels(gsm8k)), NwayData.zeroEvalPrices());
    List<PoolCalibration.Target> targets = List.of(PoolCalibration.Target.quality(96.2),
        PoolCalibration.Target.costShare(0.2), PoolCalibration.Target.budget(0.0002));

    PoolEvaluation e = PoolEvaluator.builder().folds(5).seed(42).build().evaluate(costs, null,
        PoolPolicies.cascade(PoolPolicies.Chain.parse(MINI + "+" + FLASH), AnswerExtractors.number()), targets);

    PoolCalibration.Result quality = e.calibrations().get(0);
    assertThat(quality.met()).isTrue();
    assertThat(quality.setting().quality()).isGreaterThanOrEqualTo(96.2);
    assertThat(e.points()).filteredOn(p -> p.quality() >= 96.2)
        .allSatisfy(p -> assertThat(p.cost()).isGreaterThanOrEqualTo(quality.setting().cost()));
    assertThat(quality.foldSettings()).hasSize(5);
    assertThat(quality.heldOut().quality()).isBetween(95.5, 97.5);
    double gpt4oCost = e.summary().bestSingle().cost();
    PoolCalibration.Result share = e.calibrations().get(1);
    assertThat(share.setting().cost()).isLessThanOrEqualTo(0.2 * gpt4oCost);
    assertThat(e.points()).filteredOn(p -> p.cost() <= 0.2 * gpt4oCost)
        .allSatisfy(p -> assertThat(p.quality()).isLessThanOrEqualTo(share.setting().quality()));
    PoolCalibration.Result budget = e.calibrations().get(2);
    assertThat(budget.setting().cost()).isLessThanOrEqualTo(0.0002);
    assertThat(budget.heldOut().cost()).isLessThan(0.00025);
  }

  /**
   * REFERENCE.md section 7, measured on ZeroEval GSM8K with list prices and estimated tokens: "gpt-4o-mini and
   * gemini-1.5-flash answer; if their final numbers agree, keep that answer, else ask gpt-4o" reaches 96.7% at 19.4%
   * of gpt-4o's cost; the oracle 99.2% at 2.6%.
   */
  @Test
  void evaluate_zeroEvalGsm8kCascade_reproducesTheReferenceFigures() {
    PoolDataset gsm8k = NwayData.gsm8k();
    PoolCosts costs = PoolCosts.of(gsm8k.withModels(pricedModels(gsm8k)), NwayData.zeroEvalPrices());

    PoolEvaluation e = PoolEvaluator.builder().build().evaluate(costs, null,
        PoolPolicies.cascade(PoolPolicies.Chain.parse(MINI + "+" + FLASH + ">" + GPT_4O), AnswerExtractors.number()),
        List.of());

    PoolEvaluation.Summary s = e.summary();
    assertThat(e.models()).hasSize(21);
    assertThat(costs.bases()).containsExactly(PoolCosts.Basis.ESTIMATED_TOKENS);
    assertThat(s.bestSingle().model()).isEqualTo(GPT_4O);
    assertThat(s.bestSingle().quality()).isCloseTo(96.21, within(0.005));
    OperatingPoint cascade = e.points().get(0);
    assertThat(cascade.quality()).isCloseTo(96.7, within(0.05));
    assertThat(cascade.cost() / s.bestSingle().cost()).isCloseTo(0.194, within(0.0005));
    assertThat(s.oracle().quality()).isCloseTo(99.2, within(0.05));
    assertThat(s.oracle().cost() / s.bestSingle().cost()).isCloseTo(0.026, within(0.0005));
    assertThat(s.costShareAtBestQuality()).isLessThanOrEqualTo(0.2);
    assertThat(s.routerArea()).isGreaterThan(s.frontierArea());
  }

  /**
   * A one-model step checked by its answer text's confidence (no log-probabilities): the threshold trades gemini's
   * answers for gpt-4o's, and the confidence is informative: halfway up the thresholds, the answers kept are right far
   * more often than gemini is on average.
   */
  @Test
  void evaluate_textConfidenceStep_sweepsItsThresholdFromTheCheapModelToTheStrongOne() {
    PoolDataset gsm8k = NwayData.gsm8k();
    PoolCosts costs = PoolCosts.of(gsm8k.withModels(pricedModels(gsm8k)), NwayData.zeroEvalPrices());

    PoolEvaluation e = PoolEvaluator.builder().build().evaluate(costs, null,
        PoolPolicies.cascade(PoolPolicies.Chain.parse(FLASH + ">" + GPT_4O), AnswerExtractors.number()), List.of());

    List<OperatingPoint> points = e.points();
    assertThat(points).hasSize(PoolPolicies.CONFIDENCE_THRESHOLDS.length);
    assertThat(points.get(0).setting()).isEqualTo(FLASH + " > " + GPT_4O + ", confidence >= 0.05000");
    for (int i = 1; i < points.size(); i++) {
      assertThat(points.get(i).cost()).as("a higher threshold escalates more").isGreaterThanOrEqualTo(
          points.get(i - 1).cost());
    }
    double flash = e.summary().singles().get(gsm8k.withModels(pricedModels(gsm8k)).modelIndex(FLASH)).quality();
    assertThat(points.get(0).quality()).isCloseTo(flash, within(1.0));
    assertThat(points.get(points.size() - 1).quality()).isGreaterThan(95.0);
    assertThat(e.summary().routerArea()).isGreaterThan(e.summary().frontierArea() - 1);
  }

  /** LLMRouter's 9 open models on 14 tasks: a lexical kNN picking by quality and cost beats the frontier. */
  @Test
  void evaluate_llmRouterLexicalKnn_routerAreaIsAboveTheFrontiers() {
    PoolCosts costs = PoolCosts.of(NwayData.llmRouter(), NwayData.llmRouterPrices());

    PoolEvaluation e = PoolEvaluator.builder().folds(5).seed(42).build().evaluate(costs,
        QualityMethods.knnLexical(), PoolPolicies.qualityCost(), List.of());

    assertThat(costs.bases()).containsExactly(PoolCosts.Basis.ASSUMED);
    assertThat(e.summary().routerArea()).isGreaterThan(e.summary().frontierArea() + 2);
    assertThat(e.summary().costShareAtBestQuality()).isBetween(0.1, 0.8);
  }

  @Test
  void evaluate_misuse_saysWhatIsWrong() {
    PoolDataset data = fourQuestions();
    PoolEvaluator one = PoolEvaluator.builder().build();
    PoolCosts costs = PoolCosts.of(data, NO_PRICES);

    assertThatThrownBy(() -> one.evaluate(costs, null, PoolPolicies.qualityCost(), List.of()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("give it a quality method");
    assertThatThrownBy(() -> one.evaluate(costs, new PerfectPredictor(data), PoolPolicies.qualityCost(), List.of()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("--folds 2 or more");
    assertThatThrownBy(() -> one.evaluate(costs, null,
        PoolPolicies.cascade(PoolPolicies.Chain.parse("a+z>c"), AnswerExtractors.number()), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no model 'z'");
    assertThatThrownBy(() -> one.evaluate(costs, null,
        PoolPolicies.cascade(PoolPolicies.Chain.parse("a+c"), AnswerExtractors.number()), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model 'c' of a checked step has no answer"
            + " texts");
    assertThatThrownBy(() -> PoolCosts.of(data.toBuilder().examples(List.of(PoolExample.builder().id("x").prompt("p")
        .outcome("a", Outcome.correct(true)).outcome("b", Outcome.correct(true)).outcome("c", Outcome.correct(true))
        .build())).build(), NO_PRICES))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("model 'a' of dataset 'four' has no price");
  }

  @Test
  void chain_parsesStepsAndTheLastModel() {
    PoolPolicies.Chain fixed = PoolPolicies.Chain.parse(" a + b > c+d > e ");
    PoolPolicies.Chain swept = PoolPolicies.Chain.parse("a+b");

    assertThat(fixed.checkSteps()).containsExactly(List.of("a", "b"), List.of("c", "d"));
    assertThat(fixed.last()).contains("e");
    assertThat(fixed).hasToString("a+b>c+d>e");
    assertThat(swept.last()).isEqualTo(Optional.empty());
    assertThat(PoolPolicies.Chain.parse("a>b").checkSteps()).containsExactly(List.of("a"));
    assertThat(PoolPolicies.Chain.parse("a>b").last()).contains("b");
    assertThat(PoolPolicies.Chain.parse("a>").last()).isEmpty();
    assertThat(PoolPolicies.Chain.parse("a+b>").checkSteps()).containsExactly(List.of("a", "b"));
    assertThatThrownBy(() -> PoolPolicies.Chain.parse("a")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no checked step");
    assertThatThrownBy(() -> PoolPolicies.Chain.parse("a++b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty model name");
    assertThatThrownBy(() -> PoolPolicies.cascade(PoolPolicies.Chain.parse("a+b>a"), AnswerExtractors.number()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("also in a checked step");
    assertThat(PoolPolicies.Chain.cheapestWithTexts(PoolCosts.of(fourQuestions(), NO_PRICES)).checkSteps())
        .containsExactly(List.of("a", "b"));
  }

  static List<String> pricedModels(PoolDataset data) {
    PriceTable prices = NwayData.zeroEvalPrices();
    return data.models().stream().filter(prices::hasPrice).toList();
  }
}
