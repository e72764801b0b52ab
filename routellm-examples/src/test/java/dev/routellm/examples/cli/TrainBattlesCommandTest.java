package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.checkpoint.RouterFile;
import dev.routellm.prediction.MatrixFactorization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code routellm train} on battle files, {@code eval} and {@code calibrate} on a two-model one, with MiniLM. */
class TrainBattlesCommandTest {
  @TempDir Path tmp;
  Path threeModels;
  Path twoModels;
  Path cache;

  static final String[] MATH = {"Solve the integral of x squared times sine x",
      "Prove that there are infinitely many primes", "Find the eigenvalues of a 3 by 3 rotation matrix",
      "Compute the derivative of arctan of x squared", "Show that the square root of two is irrational",
      "Solve the recurrence T(n) = 2T(n/2) + n"};
  static final String[] CHAT = {"Hi, how are you today?", "What is your favourite colour?",
      "Tell me a fun fact about cats", "Good morning! Any plans for the weekend?", "Say hello in French",
      "What's a nice name for a dog?"};

  /** The big model wins on math and ties on chat; a mid model loses to big on math and ties on chat. */
  @BeforeEach
  void writeBattles() throws IOException {
    StringBuilder three = new StringBuilder();
    StringBuilder two = new StringBuilder();
    for (String m : MATH) {
      two.append(line(m, "big", "small", "model_a"));
      three.append(line(m, "big", "small", "model_a")).append(line(m, "mid", "big", "model_b"))
          .append(line(m, "mid", "small", "model_a"));
    }
    for (String c : CHAT) {
      two.append(line(c, "small", "big", "tie"));
      three.append(line(c, "small", "big", "tie")).append(line(c, "mid", "big", "tie (bothbad)"));
    }
    threeModels = tmp.resolve("three.jsonl");
    twoModels = tmp.resolve("two.jsonl");
    Files.writeString(threeModels, three, StandardCharsets.UTF_8);
    Files.writeString(twoModels, two, StandardCharsets.UTF_8);
    cache = tmp.resolve("cache");
  }

  private static String line(String prompt, String a, String b, String winner) {
    return "{\"prompt\": \"" + prompt + "\", \"model_a\": \"" + a + "\", \"model_b\": \"" + b + "\", \"winner\": \""
        + winner + "\"}\n";
  }

  @Test
  void train_threeModelBattlesWithMf_writesThePairRouterAndTheWholeCheckpoint() {
    Path out = tmp.resolve("router.safetensors");
    Path checkpoint = tmp.resolve("mf");

    CliRun run = CliRun.of("train", "--benchmark", threeModels.toString(), "--router", "mf", "--strong-model", "big",
        "--weak-model", "small", "--mf-checkpoint", checkpoint.toString(), "--cache", cache.toString(), "--out",
        out.toString(), "--strong-share", "0.5", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("battles").asInt()).isEqualTo(30);
    assertThat(json.get("prompts").asInt()).isEqualTo(12);
    assertThat(json.get("models").toString()).isEqualTo("[\"big\",\"mid\",\"small\"]");
    RouterFile file = RouterFile.read(out);
    assertThat(file.kind()).isEqualTo("mf");
    assertThat(file.strongModel()).isEqualTo("big");
    assertThat(file.weakModel()).isEqualTo("small");
    assertThat(MatrixFactorization.load(checkpoint).models()).containsExactly("big", "mid", "small");
  }

  @Test
  void train_threeModelBattlesWithoutPair_exitsTwoListingTheModels() {
    CliRun run = CliRun.of("train", "--benchmark", threeModels.toString(), "--cache", cache.toString(), "--out",
        tmp.resolve("r.safetensors").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("the battles hold 3 models: name the pair to route between with --strong-model"
        + " and --weak-model (models: big, mid, small)");
  }

  @Test
  void trainEvalCalibrate_twoModelBattles_takeTheFileAndFindTheStrongModel() {
    Path out = tmp.resolve("knn.safetensors");
    CliRun train = CliRun.of("train", "--benchmark", twoModels.toString(), "--router", "knn", "--cache",
        cache.toString(), "--out", out.toString(), "--json");
    assertThat(train.exitCode()).as(train.err()).isZero();
    assertThat(train.json().get("strong_model").asString()).isEqualTo("big");

    CliRun eval = CliRun.of("eval", "--benchmark", twoModels.toString(), "--router", "knn", "--folds", "2",
        "--cache", cache.toString(), "--json");
    assertThat(eval.exitCode()).as(eval.err()).isZero();
    assertThat(eval.json().toString()).contains("battles won %");

    CliRun calibrate = CliRun.of("calibrate", "--router", out.toString(), "--prompts", twoModels.toString(),
        "--cache", cache.toString(), "--strong-share", "0.5", "--json");
    assertThat(calibrate.exitCode()).as(calibrate.err()).isZero();
    assertThat(calibrate.json().get("prompts").asInt()).isEqualTo(12);
    assertThat(calibrate.json().get("quality_unit").asString()).isEqualTo("battles won %");
  }

  @Test
  void train_battlesMixedWithLabelledPrompts_exitsTwo() throws IOException {
    Path csv = tmp.resolve("mine.csv");
    Files.writeString(csv, "prompt,strong,weak\nhello,true,true\n", StandardCharsets.UTF_8);
    CliRun run = CliRun.of("train", "--benchmark", twoModels.toString(), "--benchmark", csv.toString(), "--cache",
        cache.toString(), "--out", tmp.resolve("r.safetensors").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("mixes battle files");
  }
}
