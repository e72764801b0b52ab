package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class EvalCommandTest {
  private static final String DATA = System.getProperty("routellm.data");

  @TempDir Path tmp;

  private static CliRun eval(String... args) {
    List<String> all = new ArrayList<>(List.of("eval"));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void eval_mmluRandomJson_printsRouteLlmFiguresAndTheCurve() {
    CliRun run = eval("--benchmark", "mmlu", "--data", DATA, "--router", "random", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("benchmark").asString()).isEqualTo("mmlu");
    assertThat(json.get("router").asString()).isEqualTo("random");
    assertThat(json.get("questions").asInt()).isEqualTo(14_037);
    assertThat(json.get("quality_unit").asString()).isEqualTo("accuracy %");
    assertThat(json.get("weak_quality").asDouble()).isCloseTo(68.0915, within(0.00005));
    assertThat(json.get("strong_quality").asDouble()).isCloseTo(80.5870, within(0.00005));
    assertThat(json.get("apgr").asDouble()).isCloseTo(0.5, within(0.02));
    for (String key : List.of("cpt20", "cpt50", "cpt80")) {
      assertThat(json.get(key).asDouble()).as(key).isBetween(0.0, 1.0);
    }
    JsonNode curve = json.get("curve");
    assertThat(curve).hasSize(101);
    assertThat(curve.get(0).get("strong_share").asDouble()).isZero();
    assertThat(curve.get(0).get("quality").asDouble()).isCloseTo(68.0915, within(0.00005));
    assertThat(curve.get(100).get("strong_share").asDouble()).isEqualTo(1.0);
    assertThat(curve.get(100).get("quality").asDouble()).isCloseTo(80.5870, within(0.00005));
    assertThat(json.get("routellm_11_point").get("apgr").asDouble()).isCloseTo(0.5, within(0.02));
    assertThat(json.get("random").get("apgr").asDouble()).isCloseTo(0.5, within(1e-12));
    assertThat(json.get("oracle").get("cpt50").asDouble()).isCloseTo(0.0625, within(0.00005));
    assertThat(json.get("oracle").get("routellm_11_point").get("apgr").asDouble()).isCloseTo(1.290, within(0.0005));
    assertThat(json.get("cost_saving_vs_random").get("at_50").asDouble())
        .isCloseTo(0.5 / json.get("cpt50").asDouble(), within(1e-9));
    assertThat(json.has("per_fold")).isFalse();
    assertThat(run.err()).as("human text goes to stderr").contains("Benchmark: mmlu, 14,037 questions");
  }

  @Test
  void eval_mtBenchThreeFoldsJson_reportsEveryFoldAndTheSpread() {
    CliRun run = eval("--benchmark", "mt-bench", "--data", DATA, "--router", "oracle", "--folds", "3", "--seed", "5",
        "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("questions").asInt()).isEqualTo(72);
    assertThat(json.get("quality_unit").asString()).isEqualTo("judge score");
    assertThat(json.get("folds").asInt()).isEqualTo(3);
    assertThat(json.get("seed").asLong()).isEqualTo(5);
    JsonNode folds = json.get("per_fold");
    assertThat(folds).hasSize(3);
    int tested = 0;
    double sum = 0;
    for (JsonNode fold : folds) {
      tested += fold.get("test_questions").asInt();
      assertThat(fold.get("train_questions").asInt() + fold.get("test_questions").asInt()).isEqualTo(72);
      sum += fold.get("apgr").asDouble();
      assertThat(fold.get("routellm_11_point").has("apgr")).isTrue();
    }
    assertThat(tested).isEqualTo(72);
    JsonNode spread = json.get("fold_spread").get("apgr");
    assertThat(spread.get("mean").asDouble()).isCloseTo(sum / 3, within(1e-12));
    assertThat(spread.get("std").asDouble()).isGreaterThanOrEqualTo(0);
    assertThat(spread.get("min").asDouble()).isLessThanOrEqualTo(spread.get("max").asDouble());
  }

  @Test
  void eval_userCsv_evaluatesTheFile() throws IOException {
    Path file = tmp.resolve("mine.csv");
    Files.writeString(file, "prompt,strong,weak\n\"Hi, there\",true,true\nhard one,true,false\n"
        + "\"multi\nline\",false,false\nlast,true,false\n", StandardCharsets.UTF_8);

    CliRun run = eval("--benchmark", file.toString(), "--router", "oracle", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("benchmark").asString()).isEqualTo("mine.csv");
    assertThat(json.get("questions").asInt()).isEqualTo(4);
    assertThat(json.get("weak_quality").asDouble()).isEqualTo(25.0);
    assertThat(json.get("strong_quality").asDouble()).isEqualTo(75.0);
    // The oracle sends the two questions only the strong model answers first: half the gap at 25% strong calls.
    assertThat(json.get("cpt50").asDouble()).isCloseTo(0.25, within(1e-12));
    assertThat(json.get("weak_not_worse_than_strong").asBoolean()).isFalse();
    assertThat(json.get("warnings")).isEmpty();
    assertThat(run.err()).doesNotContain("Warning");
    JsonNode cost = json.get("cost");
    assertThat(cost.get("prices").asString()).as("no costs or tokens in the file").isEqualTo("paper");
    assertThat(cost.get("prices_basis").asString()).contains("the data has no costs or token counts");
    assertThat(cost.get("strong_per_request").asDouble()).isCloseTo((95 * 10.0 + 264 * 30.0) / 1e6, within(1e-15));
    assertThat(run.err()).contains("Cost per request from the paper's prices and average request, as the data has"
        + " no costs or token counts (strong $0.00887,");
  }

  /** The four questions of {@link #eval_userCsv_evaluatesTheFile} (oracle CPT50 = 25%), with extra JSON fields. */
  private Path jsonl(String name, String... extras) throws IOException {
    String[] outcomes = {"\"strong\": true, \"weak\": true", "\"strong\": true, \"weak\": false",
        "\"strong\": false, \"weak\": false", "\"strong\": true, \"weak\": false"};
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < outcomes.length; i++) {
      text.append("{\"prompt\": \"q").append(i).append("\", ").append(outcomes[i]).append(extras[i]).append("}\n");
    }
    Path file = tmp.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void eval_userJsonlWithCosts_pricesFromTheFile() throws IOException {
    Path file = jsonl("mine.jsonl",
        ", \"strong_cost\": 0.01, \"weak_cost\": 0.001, \"strong_input_tokens\": 9, \"strong_output_tokens\": 9,"
            + " \"weak_input_tokens\": 9, \"weak_output_tokens\": 9",
        ", \"strong_cost\": 0.03, \"weak_cost\": 0.002",
        ", \"strong_cost\": 0.02, \"weak_cost\": 0.001",
        ", \"strong_cost\": 0.02, \"weak_cost\": 0.004");

    CliRun run = eval("--benchmark", file.toString(), "--router", "oracle", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("cpt50").asDouble()).isCloseTo(0.25, within(1e-12));
    JsonNode cost = json.get("cost");
    assertThat(cost.get("prices").asString()).isEqualTo("file");
    // Means: strong (0.01 + 0.03 + 0.02 + 0.02) / 4 = 0.02, weak (0.001 + 0.002 + 0.001 + 0.004) / 4 = 0.002;
    // recorded costs win over the tokens of the first row.
    assertThat(cost.get("strong_per_request").asDouble()).isCloseTo(0.02, within(1e-15));
    assertThat(cost.get("weak_per_request").asDouble()).isCloseTo(0.002, within(1e-15));
    // At CPT50 = 25% strong calls: 0.25 * 0.02 + 0.75 * 0.002.
    assertThat(cost.get("at_cpt50").asDouble()).isCloseTo(0.0065, within(1e-15));
    assertThat(run.err()).contains("Cost per request from the data's recorded costs (strong_cost, weak_cost), mean"
        + " per request (strong $0.02, weak $0.002 per request)").doesNotContain("paper");
  }

  @Test
  void eval_userCsvWithTokensOnly_pricesTheTokensAtThePapersPrices() throws IOException {
    Path file = tmp.resolve("tokens.csv");
    Files.writeString(file, "prompt,strong,weak,strong_input_tokens,strong_output_tokens,weak_input_tokens,"
        + "weak_output_tokens\na,true,true,1000,2000,1000,1000\nb,true,false,1000,2000,1000,1000\n"
        + "c,false,false,3000,0,0,3000\nd,true,false,1000,2000,1000,1000\n", StandardCharsets.UTF_8);

    CliRun run = eval("--benchmark", file.toString(), "--router", "oracle", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode cost = run.json().get("cost");
    assertThat(cost.get("prices").asString()).isEqualTo("file_tokens");
    // Strong at GPT-4's $10 in / $30 out per million: 0.07 on rows a, b, d and 0.03 on c; mean 0.06.
    // Weak at Mixtral's $0.24 per million: 2000 tokens = 0.00048 on rows a, b, d and 3000 = 0.00072 on c; mean 0.00054.
    assertThat(cost.get("strong_per_request").asDouble()).isCloseTo(0.06, within(1e-15));
    assertThat(cost.get("weak_per_request").asDouble()).isCloseTo(0.00054, within(1e-15));
    assertThat(cost.get("at_cpt50").asDouble()).isCloseTo(0.25 * 0.06 + 0.75 * 0.00054, within(1e-15));
    assertThat(cost.get("prices_basis").asString()).startsWith("the data's token counts at the paper's per-token"
        + " prices");
  }

  @Test
  void eval_userFileWithSomeCostsMissing_fallsBackToThePaperSayingWhy() throws IOException {
    Path file = jsonl("partial.jsonl", ", \"strong_cost\": 0.01, \"weak_cost\": 0.001",
        ", \"strong_cost\": 0.03, \"weak_cost\": 0.002", ", \"weak_cost\": 0.001",
        ", \"strong_cost\": 0.02, \"weak_cost\": 0.004");

    CliRun run = eval("--benchmark", file.toString(), "--router", "oracle", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode cost = run.json().get("cost");
    assertThat(cost.get("prices").asString()).isEqualTo("paper");
    assertThat(cost.get("prices_basis").asString()).isEqualTo("the paper's prices and average request, as 1 of 8"
        + " calls have neither a cost nor token counts (first: example '3', strong)");
    assertThat(cost.get("strong_per_request").asDouble()).isCloseTo((95 * 10.0 + 264 * 30.0) / 1e6, within(1e-15));
  }

  @Test
  void eval_weakBeatsStrong_warnsButStillEvaluates() throws IOException {
    Path file = tmp.resolve("upside-down.csv");
    Files.writeString(file, "prompt,strong,weak\na,true,true\nb,false,true\nc,false,false\n", StandardCharsets.UTF_8);

    CliRun text = eval("--benchmark", file.toString(), "--router", "oracle");
    CliRun json = eval("--benchmark", file.toString(), "--router", "oracle", "--json");

    assertThat(text.exitCode()).as(text.err()).isZero();
    assertThat(text.out()).contains("  Warning: the weak model scores higher than the strong one on this data (66.6667"
        + " vs 33.3333), so routing to the strong model cannot gain quality; APGR and CPT are not meaningful here");
    assertThat(text.out()).as("still computed").contains("Cost saving vs random");
    assertThat(json.exitCode()).as(json.err()).isZero();
    assertThat(json.json().get("weak_not_worse_than_strong").asBoolean()).isTrue();
    assertThat(json.json().get("warnings")).hasSize(1);
    assertThat(json.json().get("warnings").get(0).asString()).startsWith("the weak model scores higher than");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      mixed.jsonl | {"prompt": "a", "strong": true, "weak": 8}\\n{"prompt": "b", "strong": false, "weak": 3}\\n | line 1: field 'weak' must be true or false like the file's first outcome (line 1, field 'strong') but was '8'
      mixed.csv   | prompt,strong,weak\\na,TRUE,False\\nb,1,0\\n                                                | line 3: field 'strong' must be true or false like the file's first outcome (line 2, field 'strong') but was '1'
      scores.csv  | prompt,strong,weak\\na,1,0\\nb,true,0\\n                                                    | line 3: field 'strong' must be a number like the file's first outcome (line 2, field 'strong') but was 'true'
      """)
  void eval_userFileMixingOutcomeTypes_exitsTwoNamingLineAndField(String name, String content, String expected)
      throws IOException {
    Path file = tmp.resolve(name);
    Files.writeString(file, content.replace("\\n", "\n"), StandardCharsets.UTF_8);

    CliRun run = eval("--benchmark", file.toString(), "--json");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip()).isEqualTo("routellm: " + file + " " + expected
        + ": outcomes are all true/false or all numbers");
  }

  @Test
  void eval_unknownBenchmark_exitsTwoWithOneLine() {
    CliRun run = eval("--benchmark", "hellaswag", "--data", DATA);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: --benchmark must be one of [mmlu, gsm8k, mt-bench] or a .csv or"
        + " .jsonl file but was 'hellaswag'");
  }

  @Test
  void eval_missingDataDirectory_exitsTwoWithOneLine() {
    Path missing = tmp.resolve("no-such-dir");

    CliRun run = eval("--benchmark", "gsm8k", "--data", missing.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: --data must be a directory but '" + missing
        + "' does not exist");
  }

  @Test
  void eval_malformedUserFile_exitsTwoNamingFileAndLine() throws IOException {
    Path file = tmp.resolve("bad.csv");
    Files.writeString(file, "prompt,strong,weak\n\"a\nb\",true,false\nc,yes,false\n", StandardCharsets.UTF_8);

    CliRun run = eval("--benchmark", file.toString(), "--json");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip()).isEqualTo("routellm: " + file
        + " line 4: field 'strong' must be true, false or a finite number but was 'yes'");
  }

  @Test
  void eval_missingUserFile_exitsTwoNamingIt() {
    Path file = tmp.resolve("absent.jsonl");

    CliRun run = eval("--benchmark", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: " + file + ": no such file");
  }

  @Test
  void eval_unknownRouter_exitsTwoListingTheRouters() {
    CliRun run = eval("--benchmark", "mt-bench", "--data", DATA, "--router", "bert");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: router must be one of [cascade-text, knn, knn-groups, knn-length,"
        + " knn-lexical, linear, mf, oracle, random, sw, topic-centroids] but was 'bert'");
  }

  @Test
  void eval_learnedRouterWithoutFolds_exitsTwoSayingSo() {
    CliRun run = eval("--benchmark", "mt-bench", "--data", DATA, "--router", "mf");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: router 'mf' learns from data: evaluate it with --folds 2 or"
        + " more");
  }

  @Test
  void eval_gsm8kCascadeTextFiveFolds_beatsTheTargetAndCountsTheWeakCallInTheCost() {
    CliRun run = eval("--benchmark", "gsm8k", "--data", DATA, "--router", "cascade-text", "--folds", "5", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("router").asString()).isEqualTo("cascade-text");
    assertThat(json.get("apgr").asDouble()).isGreaterThanOrEqualTo(0.75);
    JsonNode cost = json.get("cost");
    assertThat(cost.get("weak_call_on_every_request").asBoolean()).isTrue();
    double weak = cost.get("weak_per_request").asDouble();
    double strong = cost.get("strong_per_request").asDouble();
    assertThat(cost.get("at_cpt50").asDouble())
        .isCloseTo(weak + json.get("cpt50").asDouble() * strong, within(1e-15));
  }

  @Test
  void eval_randomRouter_costMixesTheTwoModels() {
    CliRun run = eval("--benchmark", "gsm8k", "--data", DATA, "--router", "random", "--json");

    JsonNode cost = run.json().get("cost");
    double p = run.json().get("cpt50").asDouble();
    assertThat(cost.get("weak_call_on_every_request").asBoolean()).isFalse();
    assertThat(cost.get("at_cpt50").asDouble()).isCloseTo(
        p * cost.get("strong_per_request").asDouble() + (1 - p) * cost.get("weak_per_request").asDouble(),
        within(1e-15));
  }

  @Test
  void eval_cascadeTextWithoutFolds_exitsTwoSayingItNeedsTraining() {
    CliRun run = eval("--benchmark", "gsm8k", "--data", DATA, "--router", "cascade-text");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: router 'cascade-text' learns from the weak model's answers and"
        + " needs training data: use --folds 2 or more");
  }

  @Test
  void eval_cascadeTextOnDataWithoutAnswers_exitsTwoNamingTheExample() {
    CliRun run = eval("--benchmark", "mmlu", "--data", DATA, "--router", "cascade-text", "--folds", "2");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("reads the weak model's answer, but example 'mmlu/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-2"})
  void eval_foldsBelowOne_exitsTwo(String folds) {
    CliRun run = eval("--benchmark", "mt-bench", "--data", DATA, "--folds", folds);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: --folds must be >= 1 but was " + folds);
  }

  @Test
  void eval_moreFoldsThanQuestions_exitsTwo() {
    CliRun run = eval("--benchmark", "mt-bench", "--data", DATA, "--folds", "73");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("routellm: folds must be in [2, 72]");
  }

  @Test
  void eval_plotPng_writesAPngImage() throws IOException {
    Path png = tmp.resolve("curve.png");

    CliRun run = eval("--benchmark", "gsm8k", "--data", DATA, "--plot", png.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
    assertThat(bytes.length).isGreaterThan(10_000);
    assertThat(run.out()).contains("Plot: " + png);
  }

  @Test
  void eval_plotSvg_writesAnSvgDrawing() throws IOException {
    Path svg = tmp.resolve("curve.svg");

    CliRun run = eval("--benchmark", "mt-bench", "--data", DATA, "--router", "oracle", "--plot", svg.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    String text = Files.readString(svg);
    // VectorGraphics2D draws text as glyph outlines, so the drawing is checked by its frame and its many paths.
    assertThat(text).contains("<svg").contains("viewBox=\"0 0 1000 650\"");
    assertThat(text.split("<path", -1).length).isGreaterThan(50);
  }

  @Test
  void eval_plotWithOtherExtension_exitsTwoBeforeWorking() {
    CliRun run = eval("--benchmark", "mmlu", "--data", DATA, "--plot", tmp.resolve("curve.jpg").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: --plot must name a .png or .svg file but was '"
        + tmp.resolve("curve.jpg") + "'");
  }

  @Test
  void help_mentionsTheDefaultDataDirectoryAndTheRouters() {
    CliRun run = eval("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("../shared/data/routellm").contains("one of: cascade-text, knn,").contains("--folds")
        .contains("(20/50/80%) on a 1% grid");
    assertThat(run.err()).as("picocli format warnings").isEmpty();
  }

  @Test
  void defaultDataDirectory_existsUnderWorkingDirectory_isFound() throws IOException {
    Path work = Files.createDirectories(tmp.resolve("work"));
    assertThat(DatasetOptions.defaultDataDirectory(work)).isEmpty();

    Files.createDirectories(tmp.resolve("shared/data/routellm"));

    assertThat(DatasetOptions.defaultDataDirectory(work)).contains(tmp.resolve("shared/data/routellm"));
  }
}
