package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.checkpoint.RouterFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code routellm train} and {@code routellm calibrate} on a small labelled file, with the real local MiniLM. */
class TrainCalibrateCommandTest {
  @TempDir Path tmp;
  Path data;
  Path cache;

  /** Math questions the weak model gets wrong, small talk both get right. */
  @BeforeEach
  void writeData() throws IOException {
    StringBuilder csv = new StringBuilder("prompt,strong,weak\n");
    String[] math = {"Solve the integral of x squared times sine x", "Prove that there are infinitely many primes",
        "Find the eigenvalues of a 3 by 3 rotation matrix", "Compute the derivative of arctan of x squared",
        "Show that the square root of two is irrational", "Solve the recurrence T(n) = 2T(n/2) + n",
        "Integrate e to the minus x squared over the real line", "Find all primes p such that p squared plus 2 is prime"};
    String[] chat = {"Hi, how are you today?", "What is your favourite colour?", "Tell me a fun fact about cats",
        "Good morning! Any plans for the weekend?", "Say hello in French", "What's a nice name for a dog?",
        "Recommend a cozy movie for tonight", "How do I say thank you in Spanish?"};
    for (String m : math) {
      csv.append('"').append(m).append("\",true,false\n");
    }
    for (String c : chat) {
      csv.append('"').append(c).append("\",true,true\n");
    }
    data = tmp.resolve("mine.csv");
    Files.writeString(data, csv, StandardCharsets.UTF_8);
    cache = tmp.resolve("cache");
  }

  private CliRun train(String... extra) {
    String[] base = {"train", "--benchmark", data.toString(), "--cache", cache.toString(), "--out",
        tmp.resolve("router.safetensors").toString(), "--json"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return CliRun.of(all);
  }

  @Test
  void train_userCsv_writesALoadableRouterFileWithItsThreshold() {
    CliRun run = train("--router", "knn", "--strong-share", "0.5");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("router").asString()).isEqualTo("knn");
    assertThat(json.get("examples").asInt()).isEqualTo(16);
    assertThat(json.get("embedder").asString()).startsWith("all-minilm-l6-v2-q/");
    RouterFile file = RouterFile.read(tmp.resolve("router.safetensors"));
    assertThat(file.kind()).isEqualTo("knn");
    assertThat(file.dimension()).isEqualTo(384);
    assertThat(file.strongModel()).isEqualTo("strong");
    assertThat(file.threshold()).hasValue(json.get("threshold").asDouble());
    assertThat(json.get("strong_share").asDouble()).isEqualTo(0.5);
    assertThat(json.get("requested_strong_share").asDouble()).isEqualTo(0.5);
    assertThat(json.get("warnings")).isEmpty();
    assertThat(run.err()).contains("sends 50% of the training prompts (8 of 16) to the strong model.");
  }

  @Test
  void trainAndCalibrate_allScoresTied_reportTheShareDeliveredAndWarnThatTheTargetIsUnreachable() throws IOException {
    // Both models right on every prompt (a judge rating every answer alike): every prompt scores the same.
    Path tied = tmp.resolve("tied.csv");
    Files.writeString(tied, Files.readString(data).replace(",true,false\n", ",true,true\n"));
    Path router = tmp.resolve("tied.safetensors");

    CliRun train = CliRun.of("train", "--benchmark", tied.toString(), "--router", "knn", "--cache", cache.toString(),
        "--out", router.toString(), "--strong-share", "0.3", "--json");
    Path prompts = tmp.resolve("prompts.txt");
    Files.writeString(prompts, String.join("\n", Files.readAllLines(tied).subList(1, 17)).replace("\"", "")
        .replace(",true,true", "") + "\n");
    CliRun calibrate = CliRun.of("calibrate", "--router", router.toString(), "--prompts", prompts.toString(),
        "--cache", cache.toString(), "--strong-share", "0.3", "--json");

    assertThat(train.exitCode()).as(train.err()).isZero();
    JsonNode json = train.json();
    assertThat(json.get("requested_strong_share").asDouble()).isEqualTo(0.3);
    assertThat(json.get("strong_share").asDouble()).as("what the threshold really does").isEqualTo(1.0);
    assertThat(json.get("warnings")).hasSize(1);
    String warning = json.get("warnings").get(0).asString();
    assertThat(warning).startsWith("no threshold sends 30% of the training prompts to the strong model: 16"
        + " of the 16 score exactly 0.500000").endsWith("the nearest shares a threshold reaches are 0% (threshold just above 0.500000) and 100% (threshold"
            + " 0.500000)");
    assertThat(train.err()).contains("sends 100% of the training prompts (16 of 16) to the strong model (asked for"
        + " 30%).").contains("routellm: warning: " + warning).doesNotContainPattern("Threshold [0-9.]+ sends 30%");

    assertThat(calibrate.exitCode()).as(calibrate.err()).isZero();
    assertThat(calibrate.json().get("strong_share").asDouble()).isEqualTo(1.0);
    assertThat(calibrate.json().get("requested_strong_share").asDouble()).isEqualTo(0.3);
    assertThat(calibrate.json().get("warnings").get(0).asString()).startsWith("no threshold sends 30% of the prompts"
        + " to the strong model: 16 of the 16 score exactly");
    assertThat(calibrate.err()).contains("routellm: warning: no threshold sends 30%");
    assertThat(calibrate.err()).contains("100.0% of the prompts (16 of 16) to the strong model (asked for 30%).");
  }

  @Test
  void calibrate_labelledPrompts_reachesTheQualityAndWritesTheThreshold() {
    assertThat(train("--router", "knn").exitCode()).isZero();
    Path router = tmp.resolve("router.safetensors");

    CliRun run = CliRun.of("calibrate", "--router", router.toString(), "--prompts", data.toString(), "--cache",
        cache.toString(), "--quality", "90", "--write", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("quality").asDouble()).isGreaterThanOrEqualTo(90);
    // The router learned that math needs the strong model: reaching 90% takes few strong calls beyond the math half.
    assertThat(json.get("strong_share").asDouble()).isLessThan(0.75);
    assertThat(RouterFile.read(router).threshold()).hasValue(json.get("threshold").asDouble());
  }

  @Test
  void calibrate_plainPromptsForAShare_givesThatShareAndACost() throws IOException {
    assertThat(train("--router", "knn-groups").exitCode()).isZero();
    Path prompts = tmp.resolve("traffic.txt");
    Files.writeString(prompts, "What is 17 times 23?\nHello there!\nDerive the quadratic formula\nWhat's up?\n");

    CliRun run = CliRun.of("calibrate", "--router", tmp.resolve("router.safetensors").toString(), "--prompts",
        prompts.toString(), "--cache", cache.toString(), "--strong-share", "0.5", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("strong_share").asDouble()).isCloseTo(0.5, within(1e-9));
    assertThat(json.get("quality").isNull()).isTrue();
    assertThat(json.get("cost_per_request").asDouble()).isBetween(json.get("all_weak_cost_per_request").asDouble(),
        json.get("all_strong_cost_per_request").asDouble());
  }

  @Test
  void calibrate_routerOfTheBenchmarksHuggingFaceNames_findsTheListPricesForABudget() throws IOException {
    // The shipped GSM8K data names its weak model mistralai/Mixtral-8x7B-Instruct-v0.1; the list says
    // mixtral-8x7b-instruct-v0.1.
    Path named = tmp.resolve("named.csv");
    Files.writeString(named, Files.readString(data).replace("prompt,strong,weak\n",
        "prompt,strong,weak,strong_model,weak_model\n").replace(",true,false\n", ",true,false,gpt-4-1106-preview,"
        + "mistralai/Mixtral-8x7B-Instruct-v0.1\n").replace(",true,true\n", ",true,true,gpt-4-1106-preview,"
        + "mistralai/Mixtral-8x7B-Instruct-v0.1\n"));
    Path router = tmp.resolve("named.safetensors");
    CliRun train = CliRun.of("train", "--benchmark", named.toString(), "--router", "knn", "--cache", cache.toString(),
        "--out", router.toString());
    assertThat(train.exitCode()).as(train.err()).isZero();

    CliRun run = CliRun.of("calibrate", "--router", router.toString(), "--prompts", named.toString(), "--cache",
        cache.toString(), "--budget", "0.005", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    // 264 answer tokens at the paper's Mixtral price (0.24 per million both ways) bound the all-weak cost from below.
    assertThat(json.get("all_weak_cost_per_request").asDouble()).isGreaterThan(264 * 0.24 / 1e6);
    assertThat(json.get("cost_per_request").asDouble()).isLessThanOrEqualTo(0.005);
    assertThat(run.err()).doesNotContain("Cost not reported");
  }

  @Test
  void calibrate_builtInRouter_reportsAThresholdForTheTrafficAndRefusesToWriteIt() throws IOException {
    Path prompts = tmp.resolve("traffic.txt");
    Files.writeString(prompts, "What is 17 times 23?\nHello there!\nDerive the quadratic formula\nWhat's up?\n");

    CliRun run = CliRun.of("calibrate", "--router", "topics", "--prompts", prompts.toString(), "--cache",
        cache.toString(), "--strong-share", "0.5", "--json");
    CliRun write = CliRun.of("calibrate", "--router", "topics", "--prompts", prompts.toString(), "--strong-share",
        "0.5", "--write");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("router").asString()).isEqualTo("topics");
    assertThat(run.json().get("strong_share").asDouble()).isEqualTo(0.5);
    assertThat(run.json().get("threshold").asDouble()).isBetween(0.0, 1.0);
    assertThat(write.exitCode()).isEqualTo(2);
    assertThat(write.err()).startsWith("routellm: --write cannot change the built-in router 'topics'")
        .contains("--threshold").hasLineCount(1);
  }

  @Test
  void calibrate_qualityWithoutLabels_exitsTwo() throws IOException {
    assertThat(train("--router", "knn").exitCode()).isZero();
    Path prompts = tmp.resolve("traffic.txt");
    Files.writeString(prompts, "Hello\n");

    CliRun run = CliRun.of("calibrate", "--router", tmp.resolve("router.safetensors").toString(), "--prompts",
        prompts.toString(), "--cache", cache.toString(), "--quality", "80");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--quality needs labelled prompts");
  }

  @Test
  void train_unknownRouter_exitsTwoListingTheLearners() {
    CliRun run = train("--router", "bert");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("knn-groups").contains("topic-centroids").contains("'bert'");
  }

  @Test
  void eval_learnedRouterWithoutFolds_crossValidatesOnFiveFolds_untrainedOnesOnOne() {
    CliRun learned = CliRun.of("eval", "--benchmark", data.toString(), "--router", "knn", "--cache",
        cache.toString(), "--json");
    CliRun random = CliRun.of("eval", "--benchmark", data.toString(), "--router", "random", "--json");

    assertThat(learned.exitCode()).as(learned.err()).isZero();
    assertThat(learned.json().get("folds").asInt()).isEqualTo(5);
    assertThat(learned.json().get("per_fold")).hasSize(5);
    assertThat(random.exitCode()).as(random.err()).isZero();
    assertThat(random.json().get("folds").asInt()).isEqualTo(1);
    assertThat(CliRun.of("eval", "--help").out().replaceAll("\\s+", " "))
        .contains("(default: 5 for a router that learns from the data");
  }

  @Test
  void train_nModelFileWithoutPrices_saysItIsOneAndToGivePrices() {
    Path gsm8k = Path.of(System.getProperty("routellm.nway.data"), "zeroeval", "gsm8k.jsonl");

    CliRun run = CliRun.of("train", "--benchmark", gsm8k.toString(), "--out", tmp.resolve("r.safetensors").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("routellm: --benchmark " + gsm8k + ": this is an N-model file")
        .contains("give --prices FILE").doesNotContain("unknown field");
  }

  @Test
  void eval_learnedRouterTwoFolds_runs() {
    CliRun run = CliRun.of("eval", "--benchmark", data.toString(), "--router", "knn", "--folds", "2", "--cache",
        cache.toString(), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("router").asString()).isEqualTo("knn");
  }
}
