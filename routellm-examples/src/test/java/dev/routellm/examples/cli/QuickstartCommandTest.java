package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.examples.MockModel;
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
}
