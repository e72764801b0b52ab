package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code train --prices} fits an N-way predictor on a small N-model file; {@code route} shows its N-way decisions. */
class PoolTrainRouteCommandTest {
  @TempDir Path tmp;
  private Path data;
  private Path prices;
  private Path router;

  /** Math questions only the big model gets right; small talk every model does. */
  @BeforeEach
  void files() throws IOException {
    List<String> lines = new ArrayList<>();
    String[] math = {"solve the integral of x squared", "prove the derivative of sine is cosine",
        "solve the quadratic equation x squared minus four", "compute the integral of the exponential",
        "prove that the square root of two is irrational", "find the derivative of a polynomial equation",
        "solve the integral of a rational function", "prove the derivative rule for products"};
    String[] talk = {"hello how are you today", "what a lovely weather today", "hello friend nice to meet you",
        "tell me how your day was", "good morning how are you", "nice weather for a walk today",
        "hello there how was your weekend", "what a nice day for a picnic"};
    int id = 0;
    for (String p : math) {
      lines.add("{\"id\":" + id++ + ",\"prompt\":\"" + p + "\",\"outcomes\":{\"big\":true,\"small\":false,"
          + "\"mid\":false}}");
    }
    for (String p : talk) {
      lines.add("{\"id\":" + id++ + ",\"prompt\":\"" + p + "\",\"outcomes\":{\"big\":true,\"small\":true,"
          + "\"mid\":true}}");
    }
    data = Files.write(tmp.resolve("pool.jsonl"), lines);
    prices = Files.writeString(tmp.resolve("prices.csv"), "model,input_usd_per_mtok,output_usd_per_mtok\n"
        + "big,10,30\nsmall,0.5,1\nmid,2,6\n");
    router = tmp.resolve("pool-lexical.safetensors");
  }

  private CliRun train(String... more) {
    List<String> args = new ArrayList<>(List.of("train", "--benchmark", data.toString(), "--prices",
        prices.toString(), "--out", router.toString()));
    args.addAll(List.of(more));
    if (!args.contains("--router")) {
      args.addAll(List.of("--router", "knn-lexical"));
    }
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void trainThenRoute_lambda_sendsMathToTheBigModelAndSmallTalkToTheSmallOne() {
    CliRun trained = train("--json");
    assertThat(trained.exitCode()).as(trained.err()).isZero();
    assertThat(trained.json().get("models")).extracting(JsonNode::asString).containsExactly("big", "small", "mid");
    assertThat(trained.json().get("examples").asInt()).isEqualTo(16);
    assertThat(router).isRegularFile();

    CliRun routed = CliRun.of("route", "--router", router.toString(), "--prices", prices.toString(), "--lambda",
        "0.5", "--json", "solve the integral of x cubed", "hello how are you this evening");

    assertThat(routed.exitCode()).as(routed.err()).isZero();
    JsonNode json = routed.json();
    assertThat(json.get("policy").asString()).isEqualTo("quality-cost");
    JsonNode hard = json.get("decisions").get(0);
    JsonNode easy = json.get("decisions").get(1);
    assertThat(hard.get("model").asString()).isEqualTo("big");
    assertThat(easy.get("model").asString()).as(easy.toString()).isEqualTo("small");
    assertThat(hard.get("rule").asString()).isEqualTo("quality-cost");
    assertThat(hard.get("candidates")).hasSize(3).allSatisfy(c -> {
      assertThat(c.get("predicted_quality").asDouble()).isBetween(0.0, 1.0);
      assertThat(c.get("expected_cost").asDouble()).isPositive();
    });
    assertThat(quality(hard, "big")).isGreaterThan(quality(hard, "small"));
    assertThat(cost(hard, "big")).isGreaterThan(cost(hard, "mid")).isGreaterThan(cost(hard, "small"));
    assertThat(routed.err()).contains("solve the integral of x cubed  ->  big", "expected cost $0.00");
  }

  @Test
  void route_target_choosesTheCheapestModelPredictedToReachIt() {
    assertThat(train().exitCode()).isZero();

    CliRun routed = CliRun.of("route", "--router", router.toString(), "--prices", prices.toString(), "--target",
        "0.6", "--json", "prove the integral of the derivative", "good morning friend");

    assertThat(routed.exitCode()).as(routed.err()).isZero();
    assertThat(routed.json().get("decisions")).extracting(d -> d.get("model").asString())
        .containsExactly("big", "small");
    assertThat(routed.json().get("decisions").get(0).get("rule").asString()).isEqualTo("cheapest-reaching");
  }

  @Test
  void badOptions_exitTwoWithOneLineNamingWhatWasWrong() throws IOException {
    CliRun knnGroups = train("--router", "knn-groups");
    assertThat(knnGroups.exitCode()).isEqualTo(2);
    assertThat(knnGroups.err().strip()).isEqualTo("routellm: --router with --prices must be one of knn, knn-lexical"
        + " (N-way quality predictors) but was 'knn-groups'");

    CliRun share = train("--strong-share", "0.3");
    assertThat(share.exitCode()).isEqualTo(2);
    assertThat(share.err().strip()).isEqualTo("routellm: --strong-share belong(s) to two-model training, not to"
        + " --prices");

    assertThat(train().exitCode()).isZero();
    CliRun noPrices = CliRun.of("route", "--router", router.toString(), "--lambda", "0.1", "hi");
    assertThat(noPrices.exitCode()).isEqualTo(2);
    assertThat(noPrices.err().strip()).isEqualTo("routellm: --router " + router + " is an N-way predictor: give"
        + " --prices FILE for its models' expected costs, and --lambda L or --target Q");

    CliRun both = CliRun.of("route", "--router", router.toString(), "--prices", prices.toString(), "--lambda", "0.1",
        "--target", "0.5", "hi");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err().strip()).endsWith("not both");

    Path partial = Files.writeString(tmp.resolve("partial.csv"), "model,input_usd_per_mtok,output_usd_per_mtok\n"
        + "big,10,30\nsmall,0.5,1\n");
    CliRun unpriced = CliRun.of("route", "--router", router.toString(), "--prices", partial.toString(), "--lambda",
        "0.1", "hi");
    assertThat(unpriced.exitCode()).isEqualTo(2);
    assertThat(unpriced.err().strip()).isEqualTo("routellm: --prices " + partial + " has no price for model 'mid',"
        + " which " + router + " predicts");

    CliRun twoModel = CliRun.of("route", "--router", "random", "--lambda", "0.1", "hi");
    assertThat(twoModel.exitCode()).isEqualTo(2);
    assertThat(twoModel.err().strip()).isEqualTo("routellm: --lambda belong(s) to N-way router files (from"
        + " 'routellm train --prices'), but --router random is a two-model router");
  }

  private static double quality(JsonNode decision, String model) {
    return candidate(decision, model).get("predicted_quality").asDouble();
  }

  private static double cost(JsonNode decision, String model) {
    return candidate(decision, model).get("expected_cost").asDouble();
  }

  private static JsonNode candidate(JsonNode decision, String model) {
    for (JsonNode c : decision.get("candidates")) {
      if (c.get("model").asString().equals(model)) {
        return c;
      }
    }
    throw new AssertionError("no candidate " + model + " in " + decision);
  }
}
