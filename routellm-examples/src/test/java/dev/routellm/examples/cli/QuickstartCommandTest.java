package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.within;

import dev.routellm.examples.MockModel;
import dev.routellm.routing.RoutingPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class QuickstartCommandTest {
  @Test
  void quickstart_withBaseUrls_callsTheChosenModelForEveryPromptAndReportsBilledCost() throws Exception {
    int prompts = QuickstartCommand.PROMPTS.size();
    try (MockModel strong = new MockModel("big");
        MockModel weak = new MockModel("small")) {
      for (int i = 0; i < prompts; i++) {
        strong.answers("strong answer", 10, 100);
        weak.answers("weak answer", 10, 100);
      }
      CliRun run = CliRun.of("quickstart", "--json",
          "--strong-url", strong.baseUrl(), "--strong-model", "big", "--strong-key-env", "none",
          "--strong-price", "10,30",
          "--weak-url", weak.baseUrl(), "--weak-model", "small", "--weak-key-env", "none", "--weak-price", "1,1");

      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode json = run.json();
      assertThat(json.get("online").asBoolean()).isTrue();
      int strongChosen = 0;
      double total = 0;
      for (JsonNode d : json.get("decisions")) {
        boolean isStrong = d.get("tier").asString().equals("strong");
        strongChosen += isStrong ? 1 : 0;
        assertThat(d.get("answer").asString()).isEqualTo(isStrong ? "strong answer" : "weak answer");
        double expected = isStrong ? (10 * 10 + 100 * 30) / 1e6 : (10 + 100) / 1e6;
        assertThat(d.get("cost").asDouble()).isEqualTo(expected);
        total += expected;
      }
      assertThat(strong.server().getRequestCount()).isEqualTo(strongChosen);
      assertThat(weak.server().getRequestCount()).isEqualTo(prompts - strongChosen);
      assertThat(json.get("cost").asDouble()).isCloseTo(total, org.assertj.core.api.Assertions.within(1e-12));
      assertThat(json.get("all_strong_cost").asDouble()).isCloseTo(prompts * (10 * 10 + 100 * 30) / 1e6,
          org.assertj.core.api.Assertions.within(1e-12));
      String sent = strong.server().getRequestCount() > 0
          ? strong.server().takeRequest().getBody().utf8() : weak.server().takeRequest().getBody().utf8();
      assertThat(sent).contains("\"max_tokens\":256");
    }
  }

  @Test
  void quickstart_offlineFlag_neverCallsAModel() throws Exception {
    try (MockModel strong = new MockModel("big");
        MockModel weak = new MockModel("small")) {
      CliRun run = CliRun.of("quickstart", "--json", "--offline",
          "--strong-url", strong.baseUrl(), "--strong-model", "big", "--strong-price", "10,30",
          "--weak-url", weak.baseUrl(), "--weak-model", "small", "--weak-price", "0,0");
      assertThat(run.exitCode()).isZero();
      assertThat(run.json().get("online").asBoolean()).isFalse();
      assertThat(strong.server().getRequestCount() + weak.server().getRequestCount()).isZero();
    }
  }

  @Test
  void quickstart_badPrice_exitsTwoNamingTheOption() {
    CliRun run = CliRun.of("quickstart", "--weak-price", "cheap");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("routellm: Invalid value for option '--weak-price': expected dollars per million"
        + " tokens as IN,OUT").contains("but was 'cheap'");
  }

  @Test
  void quickstart_otherWeakModelWithoutPrice_exitsTwoNamingTheOption() {
    CliRun run = CliRun.of("quickstart", "--offline", "--weak-url", "http://localhost:11434/v1",
        "--weak-model", "llama3.1:8b");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .startsWith("routellm: --weak-price is required for model 'llama3.1:8b'")
        .contains("gpt-4o-mini");
  }

  @Test
  void quickstart_defaultModels_useTheirListPrices() {
    CliRun run = CliRun.of("quickstart", "--json", "--offline");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("weak_model").asString()).isEqualTo("gpt-4o-mini");
    assertThat(run.json().get("decisions").valueStream()
            .filter(d -> d.get("tier").asString().equals("weak"))
            .mapToDouble(d -> d.get("estimated_cost").asDouble()))
        .isNotEmpty()
        .allMatch(c -> c > 0);
  }

  @Test
  void quickstart_sameModelTwice_exitsTwo() {
    CliRun run = CliRun.of("quickstart", "--strong-model", "m", "--weak-model", "m");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .isEqualTo("routellm: --strong-model and --weak-model must differ but both are 'm'");
  }

  @Test
  void serve_help_describesTheServer() {
    CliRun run = CliRun.of("serve", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("OpenAI-compatible routing server", "--port", "--server-key-env");
  }

  @Test
  void serve_unsetServerKeyVariable_exitsTwo() {
    CliRun run = CliRun.of("serve", "--port", "0", "--server-key-env", "ROUTELLM_TEST_UNSET_VARIABLE_1234");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--server-key-env ROUTELLM_TEST_UNSET_VARIABLE_1234 names an unset variable");
  }

  private static QuickstartCommand parse(String... args) {
    QuickstartCommand q = new QuickstartCommand();
    new picocli.CommandLine(q).parseArgs(args);
    return q;
  }

  @Test
  void offlineReason_onlyTheWeakUrlGivenAndNoKey_namesTheStrongModelAndTheVariable() {
    String reason = parse("--weak-url", "http://localhost:11434/v1", "--weak-model", "llama3.1:8b", "--weak-price",
        "0").offlineReason(java.util.Map.of());

    assertThat(reason).isEqualTo("no API key for the strong model gpt-4o (OPENAI_API_KEY is not set) at"
        + " https://api.openai.com/v1; set the key, or give --strong-url and --weak-url of servers you run");
  }

  @Test
  void offlineReason_flagOrKeylessDefaults_orNoneWhenBothCanBeCalled() {
    assertThat(parse("--offline").offlineReason(java.util.Map.of("OPENAI_API_KEY", "sk-x")))
        .isEqualTo("--offline was given");
    assertThat(parse().offlineReason(java.util.Map.of())).contains("the strong model gpt-4o")
        .contains("or the weak model gpt-4o-mini");
    assertThat(parse("--strong-key-env", "none").offlineReason(java.util.Map.of("OPENAI_API_KEY", "sk-x")))
        .isEqualTo("no API key for the strong model gpt-4o (its --*-key-env is 'none') at https://api.openai.com/v1;"
            + " set the key, or give --strong-url and --weak-url of servers you run");
    assertThat(parse().offlineReason(java.util.Map.of("OPENAI_API_KEY", "sk-x"))).isNull();
    assertThat(parse("--strong-url", "https://API.openai.com/v1/").offlineReason(java.util.Map.of()))
        .as("OpenAI's host in any spelling").contains("the strong model gpt-4o");
    assertThat(BackendOptions.isOpenAi("http://api.openai.com/v1")).isTrue();
    assertThat(BackendOptions.isOpenAi("http://localhost:11434/v1")).isFalse();
  }

  @Test
  void quickstart_builtInRouter_saysWhatItLearnedFromAndShowsTheThreeCommands() {
    CliRun run = CliRun.of("quickstart", "--json", "--offline");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("predicts how hard a prompt is from benchmark questions")
        .contains("It has never seen your traffic")
        .contains("routellm serve --traffic-log traffic.jsonl")
        .contains("routellm label --prompts traffic.jsonl")
        .contains("routellm train --benchmark battles.jsonl")
        .contains("offline (estimated cost, no model called): --offline was given");
    assertThat(run.json().get("offline_reason").asString()).isEqualTo("--offline was given");
  }

  /** Checks every N-way decision: the chosen model has the best utility of its candidates; returns choices per model. */
  private static Map<String, Integer> checkNwayDecisions(JsonNode nway, double lambda, String costField) {
    Map<String, Integer> chosen = new HashMap<>();
    String reference = nway.get("reference_model").asString();
    for (JsonNode d : nway.get("decisions")) {
      double referenceCost = 0;
      for (JsonNode c : d.get("candidates")) {
        if (c.get("model").asString().equals(reference)) {
          referenceCost = c.get("expected_cost").asDouble();
        }
      }
      String best = null;
      double bestUtility = Double.NEGATIVE_INFINITY;
      for (JsonNode c : d.get("candidates")) {
        double q = c.get("predicted_quality").asDouble();
        assertThat(q).isBetween(0.0, 1.0);
        assertThat(c.get("expected_cost").asDouble()).isPositive();
        double u = RoutingPolicy.utility(q, c.get("expected_cost").asDouble(), referenceCost, lambda);
        if (u > bestUtility) {
          bestUtility = u;
          best = c.get("model").asString();
        }
      }
      assertThat(d.get("model").asString()).as(d.get("prompt").asString()).isEqualTo(best);
      assertThat(d.get("reason").asString()).startsWith(best + ": predicted quality");
      assertThat(d.has(costField)).isTrue();
      chosen.merge(best, 1, Integer::sum);
    }
    return chosen;
  }

  @Test
  void quickstart_offlineDefaults_routesThePromptsAmongThreeListPricedModelsByBestUtility() {
    CliRun run = CliRun.of("quickstart", "--json", "--offline");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode nway = run.json().get("nway");
    assertThat(nway.get("predictor").asString()).isEqualTo("builtin");
    assertThat(nway.get("policy").asString()).isEqualTo("quality-cost");
    assertThat(nway.get("lambda").asDouble()).isEqualTo(0.04);
    assertThat(nway.get("online").asBoolean()).isFalse();
    assertThat(nway.get("reference_model").asString()).isEqualTo("gpt-4o");
    assertThat(nway.get("models").valueStream().map(m -> m.get("model").asString()))
        .containsExactly("gpt-4o", "gpt-4o-mini", "llama-3-8b");
    JsonNode llama = nway.get("models").get(2);
    assertThat(llama.get("input_usd_per_mtok").asDouble()).isEqualTo(0.07); // DefaultPrices
    assertThat(llama.get("output_usd_per_mtok").asDouble()).isEqualTo(0.07);
    assertThat(nway.get("decisions")).hasSize(QuickstartCommand.PROMPTS.size());
    checkNwayDecisions(nway, 0.04, "estimated_cost");
    double total = 0;
    double allReference = 0;
    for (JsonNode d : nway.get("decisions")) {
      for (JsonNode c : d.get("candidates")) {
        if (c.get("model").asString().equals(d.get("model").asString())) {
          assertThat(d.get("estimated_cost").asDouble()).isEqualTo(c.get("expected_cost").asDouble());
        }
        if (c.get("model").asString().equals("gpt-4o")) {
          allReference += c.get("expected_cost").asDouble();
        }
      }
      total += d.get("estimated_cost").asDouble();
    }
    assertThat(nway.get("estimated_cost").asDouble()).isCloseTo(total, within(1e-12));
    assertThat(nway.get("all_reference_cost").asDouble()).isCloseTo(allReference, within(1e-12));
    assertThat(run.err()).contains("N-way: a pool of 3 models", "It knows benchmark questions, not your traffic");
  }

  @Test
  void quickstart_lambdaZeroAndOne_bestPredictedQualityOrNeverTheReference() {
    CliRun zero = CliRun.of("quickstart", "--json", "--offline", "--lambda", "0");
    CliRun one = CliRun.of("quickstart", "--json", "--offline", "--lambda", "1");

    assertThat(checkNwayDecisions(zero.json().get("nway"), 0, "estimated_cost")).containsOnlyKeys("gpt-4o");
    assertThat(checkNwayDecisions(one.json().get("nway"), 1, "estimated_cost")).doesNotContainKey("gpt-4o");
  }

  @Test
  void quickstart_everyPoolModelWithAUrl_callsTheChosenModelsAndReportsBilledCost() throws Exception {
    int prompts = QuickstartCommand.PROMPTS.size();
    try (MockModel big = new MockModel("gpt-4o");
        MockModel mini = new MockModel("gpt-4o-mini");
        MockModel llama = new MockModel("llama3:8b")) {
      for (int i = 0; i < 2 * prompts; i++) { // the two-model part and the N-way part
        big.answers("gpt-4o answer", 10, 100);
        mini.answers("gpt-4o-mini answer", 10, 100);
        llama.answers("llama3:8b answer", 10, 100);
      }
      CliRun run = CliRun.of("quickstart", "--json",
          "--strong-url", big.baseUrl(), "--strong-key-env", "none",
          "--weak-url", mini.baseUrl(), "--weak-key-env", "none",
          "--nway-models", "gpt-4o,gpt-4o-mini,llama3:8b=llama-3-8b",
          "--nway-url", "llama3:8b=" + llama.baseUrl(), "--nway-key-env", "llama3:8b=none",
          "--nway-price", "llama3:8b=0.5,2");

      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode json = run.json();
      JsonNode nway = json.get("nway");
      assertThat(nway.get("online").asBoolean()).isTrue();
      assertThat(nway.get("models").get(2).get("known_as").asString()).isEqualTo("llama-3-8b");
      Map<String, Integer> chosen = checkNwayDecisions(nway, 0.04, "cost");
      assertThat(chosen).as("the default lambda mixes models on the built-in prompts").hasSizeGreaterThan(1);
      Map<String, Double> price = Map.of("gpt-4o", (10 * 2.5 + 100 * 10.0) / 1e6,
          "gpt-4o-mini", (10 * 0.15 + 100 * 0.6) / 1e6, "llama3:8b", (10 * 0.5 + 100 * 2.0) / 1e6);
      double total = 0;
      for (JsonNode d : nway.get("decisions")) {
        String model = d.get("model").asString();
        assertThat(d.get("answered_by").asString()).isEqualTo(model);
        assertThat(d.get("answer").asString()).isEqualTo(model + " answer");
        assertThat(d.get("cost").asDouble()).isEqualTo(price.get(model));
        total += price.get(model);
      }
      assertThat(nway.get("cost").asDouble()).isCloseTo(total, within(1e-12));
      assertThat(nway.get("all_reference_cost").asDouble()).isCloseTo(prompts * price.get("gpt-4o"), within(1e-12));
      int twoModelStrong = (int) json.get("decisions").valueStream()
          .filter(d -> d.get("tier").asString().equals("strong")).count();
      assertThat(big.server().getRequestCount()).isEqualTo(twoModelStrong + chosen.getOrDefault("gpt-4o", 0));
      assertThat(mini.server().getRequestCount())
          .isEqualTo(prompts - twoModelStrong + chosen.getOrDefault("gpt-4o-mini", 0));
      assertThat(llama.server().getRequestCount()).isEqualTo(chosen.getOrDefault("llama3:8b", 0));
    }
  }

  @Test
  void quickstart_poolModelWithoutUrl_routesTheNwayPoolOfflineNamingTheOption() throws Exception {
    try (MockModel big = new MockModel("gpt-4o");
        MockModel mini = new MockModel("gpt-4o-mini")) {
      for (int i = 0; i < QuickstartCommand.PROMPTS.size(); i++) {
        big.answers("a", 1, 1);
        mini.answers("b", 1, 1);
      }
      CliRun run = CliRun.of("quickstart", "--json", "--strong-url", big.baseUrl(), "--strong-key-env", "none",
          "--weak-url", mini.baseUrl(), "--weak-key-env", "none");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.json().get("online").asBoolean()).isTrue();
      JsonNode nway = run.json().get("nway");
      assertThat(nway.get("online").asBoolean()).isFalse();
      assertThat(nway.get("offline_reason").asString())
          .isEqualTo("no base URL for llama-3-8b (give --nway-url llama-3-8b=URL)");
      assertThat(big.server().getRequestCount() + mini.server().getRequestCount())
          .isEqualTo(QuickstartCommand.PROMPTS.size());
    }
  }

  @Test
  void quickstart_unknownPoolModel_exitsTwoListingTheKnownModels() {
    CliRun run = CliRun.of("quickstart", "--offline", "--nway-models", "gpt-4o,my-finetune");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("routellm: --nway-models: the built-in quality predictor does not know"
        + " 'my-finetune'; it knows ").contains("gpt-4o-mini-2024-07-18", "llama-3.1-8b-instruct");
  }

  @Test
  void quickstart_badNwayOptions_exitTwoNamingOptionAndModel() {
    CliRun price = CliRun.of("quickstart", "--offline", "--nway-price", "llama-3-8b=cheap");
    assertThat(price.exitCode()).isEqualTo(2);
    assertThat(price.err()).startsWith("routellm: --nway-price llama-3-8b=cheap: expected dollars per million tokens");

    CliRun noPrice = CliRun.of("quickstart", "--offline", "--nway-models", "gpt-4o,llama3:8b=llama-3-8b");
    assertThat(noPrice.exitCode()).isEqualTo(2);
    assertThat(noPrice.err()).startsWith("routellm: --nway-price llama3:8b=IN,OUT is required for model 'llama3:8b'");

    CliRun stranger = CliRun.of("quickstart", "--offline", "--nway-url", "claude-3-haiku=http://localhost:1/v1");
    assertThat(stranger.exitCode()).isEqualTo(2);
    assertThat(stranger.err().strip()).isEqualTo("routellm: --nway-url names 'claude-3-haiku', which is not in"
        + " --nway-models [gpt-4o, gpt-4o-mini, llama-3-8b]");

    CliRun one = CliRun.of("quickstart", "--offline", "--nway-models", "gpt-4o");
    assertThat(one.exitCode()).isEqualTo(2);
    assertThat(one.err()).contains("--nway-models needs at least two models (or 'none')");

    CliRun lambda = CliRun.of("quickstart", "--offline", "--lambda", "-1");
    assertThat(lambda.exitCode()).isEqualTo(2);
    assertThat(lambda.err().strip()).isEqualTo("routellm: --lambda must be finite and >= 0 but was -1.0");
  }

  @Test
  void quickstart_nwayNoneWithRandomRouter_hasNoNwaySectionAndRandomRouterStillGetsOne() {
    CliRun none = CliRun.of("quickstart", "--json", "--offline", "--nway-models", "none");
    assertThat(none.exitCode()).as(none.err()).isZero();
    assertThat(none.json().has("nway")).isFalse();
    assertThat(none.err()).doesNotContain("N-way");

    CliRun random = CliRun.of("quickstart", "--json", "--offline", "--router", "random");
    assertThat(random.exitCode()).as(random.err()).isZero();
    assertThat(random.json().get("nway").get("decisions")).hasSize(QuickstartCommand.PROMPTS.size());
  }
}
