package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.cascade.CalibrationMethod;
import dev.routellm.cascade.LogprobConfidenceModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class CascadeCommandTest {
  /**
   * Six answers; Alamere confidences 0.991, 0.932, 0.813, 0.754, 0.576, 0.338. 100 prompt + 100 completion tokens
   * each: at $1 and $10 per million, a weak call costs $0.0002 and a strong one $0.002.
   */
  private static final String SIX =
      """
      {"correct": true,  "features": {"sum": -5},  "strong_correct": true,  "prompt_tokens": 100, "completion_tokens": 100}
      {"correct": true,  "features": {"sum": -10}, "strong_correct": true,  "prompt_tokens": 100, "completion_tokens": 100}
      {"correct": false, "features": {"sum": -20}, "strong_correct": true,  "prompt_tokens": 100, "completion_tokens": 100}
      {"correct": true,  "features": {"sum": -25}, "strong_correct": false, "prompt_tokens": 100, "completion_tokens": 100}
      {"correct": false, "features": {"sum": -40}, "strong_correct": true,  "prompt_tokens": 100, "completion_tokens": 100}
      {"correct": false, "features": {"sum": -60}, "strong_correct": false, "prompt_tokens": 100, "completion_tokens": 100}
      """;

  @TempDir Path dir;

  @Test
  void cascade_alamereOnSixAnswers_printsTheHandComputedTable() throws IOException {
    Path data = write("six.jsonl", SIX);

    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--weak-price", "1", "--strong-price", "10",
        "--target-accuracy", "60", "--budget", "0.0005", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("answers").asInt()).isEqualTo(6);
    assertThat(json.get("model").asString()).isEqualTo("alamere");
    JsonNode at08 = rowAt(json.get("table"), 0.8);
    // escalates -25, -40, -60; kept: T T F, escalated strong: F T F -> 3 of 6 right
    assertThat(at08.get("escalated_share").asDouble()).isEqualTo(0.5);
    assertThat(at08.get("accuracy").asDouble()).isEqualTo(0.5);
    assertThat(at08.get("cost_per_request").asDouble()).isCloseTo(0.0002 + 0.5 * 0.002, within(1e-12));
    assertThat(at08.get("cost_per_million_tokens").asDouble()).isCloseTo(1 + 0.5 * 10, within(1e-9));
    // 60%: first reached by escalating -60 and -40 (kept T T F T, strong F T): 4 of 6, at the confidence of -25
    JsonNode target = json.get("target");
    assertThat(target.get("threshold").asDouble()).isCloseTo(0.01186387 * -25 + 1.05021634, within(1e-12));
    assertThat(target.get("escalated_share").asDouble()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(target.get("accuracy").asDouble()).isCloseTo(4.0 / 6, within(1e-12));
    // one escalation costs 0.002 / 6 more than the 0.0002 every request pays: over a 0.0005 budget
    assertThat(json.get("budget").get("escalated_share").asDouble()).isZero();
    // correct answers outrank incorrect ones in 8 of 9 pairs (0.754 < 0.813)
    assertThat(json.get("calibration").get("auroc").asDouble()).isCloseTo(8.0 / 9, within(1e-12));
    assertThat(run.err()).contains("Calibration: binned r^2", "threshold", "escalated");
  }

  @Test
  void cascade_fitLogisticWithSave_savesAModelThatLoads() throws IOException {
    Path data = write("six.jsonl", SIX);
    Path model = dir.resolve("out/model.json");

    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--fit", "logistic", "--folds", "2", "--save",
        model.toString(), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("method").asString()).isEqualTo("logistic");
    assertThat(run.json().get("features").toString()).isEqualTo("[\"sum\"]");
    LogprobConfidenceModel loaded = LogprobConfidenceModel.load(model);
    assertThat(loaded.method()).isEqualTo(CalibrationMethod.LOGISTIC);
  }

  @Test
  void cascade_rowWithoutStrongCorrect_exitsTwoNamingTheLine() throws IOException {
    Path data = write("a.jsonl", "{\"correct\": true, \"features\": {\"sum\": -5}}\n");

    CliRun run = CliRun.of("cascade", "--data", data.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: " + data + " line 1: no 'strong_correct'; give it in the file or"
        + " pass --strong-accuracy");
  }

  @Test
  void cascade_strongAccuracyAssumed_saysHowManyRows() throws IOException {
    Path data = write("a.jsonl", "{\"correct\": true, \"features\": {\"sum\": -5}}\n"
        + "{\"correct\": false, \"features\": {\"sum\": -50}}\n");

    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--strong-accuracy", "93");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Strong correctness assumed 93.0% for 2 rows", "Token counts assumed 95 prompt");
  }

  @Test
  void cascade_modelUsesFeatureTheFileLacks_exitsTwoNamingLineAndFeature() throws IOException {
    Path data = write("a.jsonl", "{\"correct\": true, \"features\": {\"mean\": -0.5}, \"strong_correct\": true}\n");

    CliRun run = CliRun.of("cascade", "--data", data.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("line 1: feature 'sum' is not available");
  }

  @Test
  void cascade_plotPng_writesAnImage() throws IOException {
    Path data = write("six.jsonl", SIX);
    Path png = dir.resolve("tradeoff.png");

    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--plot", png.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
  }

  @Test
  void cascade_modelAndFit_exitsTwo() throws IOException {
    Path data = write("six.jsonl", SIX);

    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--model", "alamere", "--fit", "ols");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--model and --fit are exclusive");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cheap", "-1", "1,2,3", "1,-2", "Infinity"})
  void cascade_badPrice_exitsTwoNamingFlagValueAndFormat(String price) throws IOException {
    Path data = write("six.jsonl", SIX);

    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--weak-price", price);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("routellm: Invalid value for option '--weak-price': expected dollars per million"
        + " tokens as IN,OUT").contains("but was '" + price + "'").doesNotContain("inputPerMillion");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1,3", "1:3"})
  void cascade_weakPriceInAndOut_takesTheSameFormatAsTheOtherCommands(String price) throws IOException {
    Path data = write("six.jsonl", SIX);

    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--weak-price", price, "--strong-price", "10",
        "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    // nothing escalated at threshold 0: every request pays the weak call, 100 * $1 + 100 * $3 per million
    assertThat(rowAt(run.json().get("table"), 0.0).get("cost_per_request").asDouble())
        .isCloseTo(0.0004, within(1e-12));
    assertThat(run.err()).contains("Prices ($/M tokens): llama-3-8b 1,3, llama-3-70b 10");
  }

  @Test
  void cascade_fewerAnswersThanABin_saysWhyBinnedR2IsMissing() throws IOException {
    Path data = write("six.jsonl", SIX);

    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("calibration").get("binned_r2").isNull()).isTrue();
    assertThat(run.err()).contains("binned r^2 n/a (needs more than 100 answers, bins of 100), AUROC 0.889")
        .doesNotContain("NaN");
  }

  @Test
  void cascade_logprobAboveZero_exitsTwoNamingFileLineAndField() throws IOException {
    Path data = write("a.jsonl", "{\"correct\": true, \"logprobs\": [-0.1], \"strong_correct\": true}\n"
        + "{\"correct\": true, \"logprobs\": [0.5], \"strong_correct\": true}\n");

    CliRun run = CliRun.of("cascade", "--data", data.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: " + data + " line 2: field 'logprobs[0]' must be a"
        + " log-probability, finite and <= 0, but was 0.5");
  }

  @Test
  void cascade_csvHeaderWithUnknownColumn_namesLineOne() throws IOException {
    Path data = write("mine.csv", "prompt,correct,logprobs\nhi,true,-0.5\n");

    CliRun run = CliRun.of("cascade", "--data", data.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("routellm: " + data + " line 1: unknown column 'prompt' in the header");
  }

  private static JsonNode rowAt(JsonNode table, double threshold) {
    for (JsonNode r : table) {
      if (Math.abs(r.get("threshold").asDouble() - threshold) < 1e-9) {
        return r;
      }
    }
    throw new AssertionError("no row at " + threshold + " in " + table);
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }
}
