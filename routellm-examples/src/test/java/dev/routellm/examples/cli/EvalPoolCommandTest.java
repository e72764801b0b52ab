package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.evaluation.PoolCosts;
import dev.routellm.evaluation.PoolRouting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** {@code eval}'s N-model mode ({@code --prices}) on the shared ZeroEval data and on small files of our own. */
class EvalPoolCommandTest {
  private static final Path NWAY = Path.of(System.getProperty("routellm.nway.data"));
  private static final String GSM8K = NWAY.resolve("zeroeval/gsm8k.jsonl").toString();
  private static final String PRICES = NWAY.resolve("zeroeval/prices.csv").toString();
  private static final String CHAIN = "gpt-4o-mini-2024-07-18+gemini-1.5-flash";

  @TempDir Path tmp;

  private static CliRun eval(String... args) {
    List<String> all = new ArrayList<>(List.of("eval"));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void eval_zeroEvalCascadeJsonAndPlot_reportsTheCurveTheHeadlineFiguresAndDrawsThem() throws IOException {
    Path plot = tmp.resolve("gsm8k.png");

    CliRun run = eval("--benchmark", GSM8K, "--prices", PRICES, "--router", "cascade", "--chain", CHAIN, "--json",
        "--plot", plot.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("router").asString()).isEqualTo("cascade");
    assertThat(json.get("models")).hasSize(21);
    assertThat(json.get("cost_unit").asString()).isEqualTo("USD per 1000 requests");
    assertThat(json.get("costs_estimated").asBoolean()).isTrue();
    JsonNode best = json.get("best_single");
    assertThat(best.get("model").asString()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(best.get("quality").asDouble()).isCloseTo(96.21, within(0.005));
    assertThat(best.get("cost").asDouble()).isCloseTo(1.574, within(0.001));
    JsonNode curve = json.get("curve");
    assertThat(curve.size()).isGreaterThanOrEqualTo(2);
    for (int i = 1; i < curve.size(); i++) {
      assertThat(curve.get(i).get("cost").asDouble()).isGreaterThan(curve.get(i - 1).get("cost").asDouble());
      assertThat(curve.get(i).get("quality").asDouble()).isGreaterThan(curve.get(i - 1).get("quality").asDouble());
    }
    assertThat(json.get("router_auc").asDouble()).isGreaterThan(json.get("frontier_auc").asDouble());
    assertThat(json.get("oracle").get("quality").asDouble()).isCloseTo(99.17, within(0.005));
    assertThat(json.get("cost_share_at_best_quality").asDouble()).isBetween(0.05, 0.2);
    assertThat(json.get("single_models")).hasSize(21);
    assertThat(json.get("points")).hasSize(19);
    for (JsonNode point : json.get("points")) {
      assertThat(point.get("parameters").get("last_model").isString()).as("a model's name, not its index").isTrue();
      assertThat(json.get("models").valueStream().map(JsonNode::asString))
          .contains(point.get("parameters").get("last_model").asString());
    }
    assertThat(run.err()).contains("Single models (cost per 1,000 requests, quality)")
        .contains("left out (no price): Athene-70B").contains("estimated token counts x prices")
        .contains("Best single model: gpt-4o-2024-08-06, 96.21 at $1.574 per 1,000 requests; the router reaches its"
            + " quality at ")
        .doesNotContainPattern("\\$\\d+\\.\\d{6,}").doesNotContain("reaches it never");
    byte[] png = Files.readAllBytes(plot);
    assertThat(png.length).isGreaterThan(10_000);
    assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  @Test
  void eval_ownCsvWithLexicalKnnAndCalibration_reportsEveryTarget() throws IOException {
    StringBuilder csv = new StringBuilder("prompt,outcomes:cheap,outcomes:dear,costs:cheap,costs:dear\n");
    for (int i = 0; i < 40; i++) {
      boolean hard = i % 2 == 0;
      csv.append(hard ? "prove the theorem number " : "say hello to friend ").append(i)
          .append(',').append(!hard).append(",true,0.001,0.01\n");
    }
    Path file = tmp.resolve("pool.csv");
    Files.writeString(file, csv);
    Path prices = tmp.resolve("prices.csv");
    Files.writeString(prices, "model,input_usd_per_mtok,output_usd_per_mtok\ncheap,0.1,0.1\ndear,1,1\n");

    CliRun run = eval("--benchmark", file.toString(), "--prices", prices.toString(), "--router", "knn-lexical",
        "--folds", "2", "--quality", "99", "--budget", "0.006", "--cost-share", "0.5", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("cost_basis").asString()).isEqualTo("recorded costs");
    assertThat(json.get("best_single").get("model").asString()).isEqualTo("dear");
    // hard prompts need "dear", easy ones do with "cheap": the words tell them apart
    assertThat(json.get("cost_share_at_best_quality").asDouble()).isCloseTo(0.55, within(0.01));
    assertThat(json.get("router_auc").asDouble()).isGreaterThan(json.get("frontier_auc").asDouble() + 10);
    JsonNode calibration = json.get("calibration");
    assertThat(calibration).hasSize(3);
    assertThat(calibration.get(0).get("target").asString()).isEqualTo("budget");
    assertThat(calibration.get(0).get("in_sample").get("cost").asDouble()).isLessThanOrEqualTo(6.0);
    assertThat(calibration.get(1).get("target").asString()).isEqualTo("quality");
    assertThat(calibration.get(1).get("held_out").get("quality").asDouble()).isGreaterThanOrEqualTo(99);
    assertThat(calibration.get(2).get("target").asString()).isEqualTo("cost_share");
    assertThat(calibration.get(2).get("fold_settings")).hasSize(2);
    assertThat(json.get("per_fold")).hasSize(2);
  }

  @Test
  void eval_defaultRouterWithoutFolds_crossValidatesOnFiveFolds() throws IOException {
    Path[] files = ownPool();

    CliRun run = eval("--benchmark", files[0].toString(), "--prices", files[1].toString(), "--cache",
        tmp.resolve("cache").toString(), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("router").asString()).isEqualTo("knn");
    assertThat(run.json().get("folds").asInt()).isEqualTo(EvalCommand.DEFAULT_LEARNED_FOLDS).isEqualTo(5);
    assertThat(run.json().get("per_fold")).hasSize(5);
  }

  @Test
  void eval_budget_isStatedInTheReportsUnitBesideThePerRequestFigure() throws IOException {
    Path[] files = ownPool();

    CliRun run = eval("--benchmark", files[0].toString(), "--prices", files[1].toString(), "--router",
        "knn-lexical", "--budget", "0.006", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("Calibrated for a budget of $6 per 1,000 requests (--budget 0.006 per request): ");
    JsonNode budget = run.json().get("calibration").get(0);
    assertThat(budget.get("value").asDouble()).isEqualTo(0.006);
    assertThat(budget.get("value_unit").asString()).isEqualTo("USD per request");
  }

  @Test
  void eval_nModelFileWithoutPrices_saysItIsOneAndToGivePrices() {
    CliRun run = eval("--benchmark", GSM8K);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).startsWith("routellm: --benchmark " + GSM8K + ": this is an N-model file")
        .contains("give --prices FILE").contains(Path.of(PRICES).toAbsolutePath().normalize() + " is beside it")
        .doesNotContain("unknown field").hasLineCount(1);
  }

  /** A 40-prompt N-model CSV (hard prompts need "dear", easy ones do with "cheap") and its price file. */
  private Path[] ownPool() throws IOException {
    StringBuilder csv = new StringBuilder("prompt,outcomes:cheap,outcomes:dear,costs:cheap,costs:dear\n");
    for (int i = 0; i < 40; i++) {
      boolean hard = i % 2 == 0;
      csv.append(hard ? "prove the theorem number " : "say hello to friend ").append(i)
          .append(',').append(!hard).append(",true,0.001,0.01\n");
    }
    Path file = Files.writeString(tmp.resolve("pool.csv"), csv);
    Path prices = Files.writeString(tmp.resolve("pool-prices.csv"),
        "model,input_usd_per_mtok,output_usd_per_mtok\ncheap,0.1,0.1\ndear,1,1\n");
    return new Path[] {file, prices};
  }

  @Test
  void eval_modelsOption_choosesThePool() {
    CliRun run = eval("--benchmark", GSM8K, "--prices", PRICES, "--router", "cascade", "--models",
        "gpt-4o-mini-2024-07-18,gemini-1.5-flash,gpt-4o-2024-08-06,Mistral-Large-2", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("models")).hasSize(4);
    assertThat(run.json().get("points")).as("the last model is swept over the two not in the check").hasSize(2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown model|--models o9,gpt-4o-2024-08-06|--models: 'o9' is not a model of gsm8k.jsonl",
      "unpriced model|--models o1-mini-2024-09-12,gpt-4o-2024-08-06|'o1-mini-2024-09-12' has no price",
      "one-model pool|--models gpt-4o-2024-08-06|a pool needs at least two priced models",
      "unknown router|--router mf|router must be one of [knn, knn-lexical",
      "unknown extractor|--router cascade --extractor roman|answer extractor must be one of",
      "bad chain|--router cascade --chain gemini-1.5-flash|has no checked step",
      "chain of unknown models|--router cascade --chain a>b|has no model 'a'",
      "chain model without texts|--router cascade --chain gpt-4o-2024-08-06+gemini-1.5-flash|model"
          + " 'gpt-4o-2024-08-06' of a checked step has no answer texts",
      "learned with one fold|--router knn-lexical --folds 1|--folds 2 or more"
  })
  void eval_poolMisuse_exitsWithTwoAndSaysWhy(String what, String extra, String message) {
    List<String> args = new ArrayList<>(List.of("--benchmark", GSM8K, "--prices", PRICES));
    args.addAll(List.of(extra.split(" ")));

    CliRun run = eval(args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).contains(message);
  }

  @Test
  void eval_poolOptionsWithoutPrices_orTwoModelDataWithPrices_areErrors() {
    CliRun noPrices = eval("--benchmark", GSM8K, "--models", "a,b");
    CliRun twoModel = eval("--benchmark", "mmlu", "--prices", PRICES);

    assertThat(noPrices.exitCode()).isEqualTo(2);
    assertThat(noPrices.err()).contains("--models belong(s) to the N-model mode: give --prices FILE too");
    assertThat(twoModel.exitCode()).isEqualTo(2);
    assertThat(twoModel.err()).contains("--prices needs an N-model .csv or .jsonl --benchmark file but was 'mmlu'");
  }

  @Test
  void help_namesEveryNModelRouterAndTheDefaultAnswerLength() {
    CliRun run = CliRun.of("eval", "--help");

    assertThat(run.exitCode()).isZero();
    String help = run.out().replaceAll("\\s+", " ");
    for (String name : PoolRouting.NAMES) {
      assertThat(help).contains(name);
    }
    assertThat(help).contains("(default: " + PoolCosts.DEFAULT_OUTPUT_TOKENS + ", the RouteLLM paper's average)");
  }
}
