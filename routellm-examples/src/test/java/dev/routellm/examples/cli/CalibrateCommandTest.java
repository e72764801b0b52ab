package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.checkpoint.RouterFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code routellm calibrate} (and {@code route}) on router files trained once, with the real local MiniLM, from a
 * small labelled file with two groups: bad input exits 2 with one line naming the flag, and the report counts what it
 * claims.
 */
class CalibrateCommandTest {
  @TempDir static Path tmp;
  static Path data;
  static Path cache;
  static Path traffic;
  static Path knnGroups;
  static Path centroids;

  @BeforeAll
  static void trainRouters() throws IOException {
    StringBuilder csv = new StringBuilder("prompt,group,strong,weak\n");
    String[] math = {"Solve the integral of x squared times sine x", "Prove that there are infinitely many primes",
        "Find the eigenvalues of a 3 by 3 rotation matrix", "Compute the derivative of arctan of x squared",
        "Show that the square root of two is irrational", "Solve the recurrence T(n) = 2T(n/2) + n",
        "Integrate e to the minus x squared over the real line", "Find all primes p such that p squared plus 2 is prime"};
    String[] chat = {"Hi, how are you today?", "What is your favourite colour?", "Tell me a fun fact about cats",
        "Good morning! Any plans for the weekend?", "Say hello in French", "What's a nice name for a dog?",
        "Recommend a cozy movie for tonight", "How do I say thank you in Spanish?"};
    // One math question both models get right, so that no score is exactly 1 (at which no threshold sends none).
    for (int i = 0; i < math.length; i++) {
      csv.append('"').append(math[i]).append(i == 0 ? "\",math,true,true\n" : "\",math,true,false\n");
    }
    for (String c : chat) {
      csv.append('"').append(c).append("\",chat,true,true\n");
    }
    data = tmp.resolve("mine.csv");
    Files.writeString(data, csv, StandardCharsets.UTF_8);
    cache = tmp.resolve("cache");
    traffic = tmp.resolve("traffic.txt");
    Files.writeString(traffic, "What is 17 times 23?\nHello there!\nDerive the quadratic formula\nWhat's up?\n"
        + "Prove Fermat's little theorem\nTell me a joke\n");
    knnGroups = tmp.resolve("knn-groups.safetensors");
    centroids = tmp.resolve("centroids.safetensors");
    for (String[] r : new String[][] {{"knn-groups", knnGroups.toString()}, {"topic-centroids",
        centroids.toString()}}) {
      CliRun run = CliRun.of("train", "--benchmark", data.toString(), "--cache", cache.toString(), "--router", r[0],
          "--out", r[1], "--strong-share", "0.5");
      assertThat(run.exitCode()).as(run.err()).isZero();
    }
  }

  private static CliRun calibrate(String... extra) {
    String[] base = {"calibrate", "--router", knnGroups.toString(), "--cache", cache.toString()};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return CliRun.of(all);
  }

  @Test
  void calibrate_strongShareZero_sendsNoPromptAndCostsAllWeak() {
    CliRun run = calibrate("--prompts", traffic.toString(), "--strong-share", "0", "--strong-price", "10,30",
        "--weak-price", "0.24", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("strong_share").asDouble()).isZero();
    assertThat(json.get("strong_prompts").asInt()).isZero();
    assertThat(run.err()).contains("0.0% of the prompts (0 of 6) to the strong model");
    double allWeak = json.get("all_weak_cost_per_request").asDouble();
    double allStrong = json.get("all_strong_cost_per_request").asDouble();
    assertThat(json.get("cost_per_request").asDouble()).isCloseTo(allWeak, within(1e-15));
    assertThat(allWeak).isLessThan(allStrong);
  }

  @Test
  void calibrate_quality_costIsNeverBelowAllWeakNorAboveAllStrong() {
    CliRun run = calibrate("--prompts", data.toString(), "--quality", "90", "--strong-price", "10,30",
        "--weak-price", "0.24", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("quality").asDouble()).isGreaterThanOrEqualTo(90);
    assertThat(json.get("quality_unit").asString()).isEqualTo("accuracy %");
    assertThat(json.get("cost_per_request").asDouble()).isBetween(json.get("all_weak_cost_per_request").asDouble(),
        json.get("all_strong_cost_per_request").asDouble());
    assertThat(json.get("all_weak_cost_per_request").asDouble())
        .isLessThan(json.get("all_strong_cost_per_request").asDouble());
  }

  @Test
  void calibrate_qualityAboveHundredPercent_exitsTwoNamingTheRangeAndUnit() {
    CliRun run = calibrate("--prompts", data.toString(), "--quality", "150");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--quality must be in [0, 100] (accuracy %").contains("but was 150")
        .doesNotContain("1.5").doesNotContain("\tat ");
  }

  @Test
  void calibrate_qualityAsAFraction_isTakenAsPercentAndSaysSo() {
    CliRun run = calibrate("--prompts", data.toString(), "--quality", "0.9");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Target quality 0.9 accuracy %").contains("0.9 means 0.9%, not 90%");
  }

  @Test
  void calibrate_embedderOtherThanTheFiles_exitsTwoNamingBoth() {
    CliRun run = calibrate("--prompts", traffic.toString(), "--strong-share", "0.5", "--embedder", "bge");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--embedder bge").contains("trained with minilm").contains("all-minilm-l6-v2");
  }

  @Test
  void calibrate_embedderOfTheFile_runs() {
    CliRun run = calibrate("--prompts", traffic.toString(), "--strong-share", "0.5", "--embedder", "minilm");

    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @Test
  void calibrate_missingPromptsFile_exitsTwoSayingItDoesNotExist() {
    Path missing = tmp.resolve("nosuch.txt");

    CliRun run = calibrate("--prompts", missing.toString(), "--strong-share", "0.5");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("routellm: --prompts: file " + missing + " does not exist"
        + System.lineSeparator());
  }

  @Test
  void calibrate_missingRouterFile_exitsTwoSayingNoSuchFile() {
    CliRun run = CliRun.of("calibrate", "--router", tmp.resolve("nosuch.safetensors").toString(), "--prompts",
        traffic.toString(), "--strong-share", "0.5");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--router: no such file").contains("nosuch.safetensors");
  }

  @Test
  void calibrate_cacheThatCannotBeCreated_exitsTwoWithOneLine() throws IOException {
    Path file = Files.writeString(tmp.resolve("plain-file"), "x");

    CliRun run = CliRun.of("calibrate", "--router", knnGroups.toString(), "--prompts", traffic.toString(),
        "--strong-share", "0.5", "--cache", file.resolve("sub").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    // The reason is the operating system's ("Not a directory" on Linux).
    assertThat(run.err()).startsWith("routellm: --cache: cannot create the directory " + file.resolve("sub") + " (")
        .hasLineCount(1).doesNotContain("\tat ");
  }

  @Test
  void route_missingRouterFile_exitsTwoListingTheBuiltInNames() {
    CliRun run = CliRun.of("route", "--router", "nosuch.safetensors", "hello");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--router: no such file nosuch.safetensors").contains("'random'")
        .contains("'" + PredictorOptions.TOPICS + "'");
  }

  @Test
  void routeAndCalibrate_knnGroupsFile_showTheLearnersName() {
    CliRun route = CliRun.of("route", "--router", knnGroups.toString(), "--json", "Hello there!");
    CliRun cal = calibrate("--prompts", traffic.toString(), "--strong-share", "0.5");

    assertThat(route.exitCode()).as(route.err()).isZero();
    assertThat(route.json().get("router").asString()).isEqualTo("knn-groups");
    assertThat(cal.exitCode()).as(cal.err()).isZero();
    assertThat(cal.out()).contains("Router knn-groups (");
    assertThat(RouterFile.read(knnGroups).kind()).isEqualTo("knn");
    assertThat(RouterFile.read(knnGroups).name()).isEqualTo("knn-groups");
  }

  @Test
  void route_topicCentroidsFile_showsTheLearnersName() {
    CliRun run = CliRun.of("route", "--router", centroids.toString(), "Hello there!");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("(router topic-centroids,");
  }

  @Test
  void calibrate_modelsWithoutListPrice_reportsNoCostAndBudgetNeedsPrices() {
    CliRun shareOnly = calibrate("--prompts", traffic.toString(), "--strong-share", "0.5", "--json");
    assertThat(shareOnly.exitCode()).as(shareOnly.err()).isZero();
    assertThat(shareOnly.json().get("cost_per_request").isNull()).isTrue();
    assertThat(shareOnly.err()).contains("Cost not reported: no price for");

    CliRun budget = calibrate("--prompts", traffic.toString(), "--budget", "0.001");
    assertThat(budget.exitCode()).isEqualTo(2);
    assertThat(budget.err()).contains("--strong-price is required for model").contains("list prices are known for");
  }
}
