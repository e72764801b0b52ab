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
  void eval_learnedRouterTwoFolds_runs() {
    CliRun run = CliRun.of("eval", "--benchmark", data.toString(), "--router", "knn", "--folds", "2", "--cache",
        cache.toString(), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("router").asString()).isEqualTo("knn");
  }
}
