package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class RouteLlmCommandTest {
  @Test
  void help_listsSubcommands() {
    CliRun run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("quickstart", "serve");
  }

  @Test
  void help_describesRoutingAmongAPool() {
    CliRun run = CliRun.of("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().replaceAll("\\s+", " ")).contains("which model of a priced pool answers")
        .doesNotContain("Cost-aware routing between a strong and a weak LLM.");
  }

  @Test
  void unknownCommand_exitsTwoNamingItAndListingTheCommands() {
    CliRun run = CliRun.of("bogus");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().findFirst().orElseThrow()).isEqualTo("routellm: unknown command 'bogus': the commands"
        + " are quickstart, route, eval, train, label, calibrate, cascade, serve, bench, bench-server, help");
  }

  @Test
  void quickstart_badWeakUrl_exitsTwoNamingTheOption() {
    CliRun run = CliRun.of("quickstart", "--strong-url", "http://127.0.0.1:9/v1", "--weak-url", "ftp://x");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: --weak-url must be an absolute http:// or https:// URL such as"
        + " https://api.openai.com/v1 but was 'ftp://x'");
  }

  @Test
  void quickstart_unsetKeyVariable_exitsTwoNamingTheOptionAndTheModel() {
    CliRun run = CliRun.of("quickstart", "--strong-url", "http://127.0.0.1:9/v1", "--weak-url",
        "http://127.0.0.1:9/v1", "--strong-key-env", "ROUTELLM_TEST_UNSET_KEY_VARIABLE");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: --strong-key-env ROUTELLM_TEST_UNSET_KEY_VARIABLE (the strong"
        + " model gpt-4o): the API key's environment variable ROUTELLM_TEST_UNSET_KEY_VARIABLE is not set (or is"
        + " blank)");
  }

  @Test
  void noSubcommand_exitsTwoWithOneLine() {
    CliRun run = CliRun.of();
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("routellm: a subcommand is required");
  }

  @Test
  void unknownOption_exitsTwoNamingIt() {
    CliRun run = CliRun.of("quickstart", "--frobnicate");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--frobnicate'");
  }

  @Test
  void quickstart_json_printsOneObjectWithEveryDecision() {
    CliRun run = CliRun.of("quickstart", "--json");
    assertThat(run.exitCode()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("decisions")).hasSize(QuickstartCommand.PROMPTS.size());
    for (JsonNode d : json.get("decisions")) {
      double score = d.get("score").asDouble();
      String expected = score >= json.get("threshold").asDouble() ? "strong" : "weak";
      assertThat(d.get("tier").asString()).isEqualTo(expected);
      assertThat(d.get("estimated_cost").asDouble()).isPositive();
    }
    assertThat(json.get("estimated_cost").asDouble()).isLessThanOrEqualTo(json.get("all_strong_cost").asDouble());
    assertThat(json.get("router").asString()).as("the built-in learned router is the default").isEqualTo("topics");
    assertThat(run.err()).as("human text goes to stderr with --json").contains("Router topics, threshold ");
  }

  @Test
  void quickstart_badThreshold_exitsTwoWithOneLine() {
    CliRun run = CliRun.of("quickstart", "--threshold", "1.5");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: --threshold must be in [0, 1] but was 1.5");
  }

  @Test
  void route_json_scoresEachPromptAgainstTheThreshold() {
    CliRun run = CliRun.of("route", "--json", "--threshold", "0.3", "first prompt", "second prompt");
    assertThat(run.exitCode()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("decisions")).hasSize(2);
    int strong = 0;
    for (JsonNode d : json.get("decisions")) {
      boolean isStrong = d.get("score").asDouble() >= 0.3;
      strong += isStrong ? 1 : 0;
      assertThat(d.get("tier").asString()).isEqualTo(isStrong ? "strong" : "weak");
    }
    assertThat(json.get("strong_share").asDouble()).isEqualTo(strong / 2.0);
  }

  @Test
  void route_noPrompt_exitsTwo() {
    CliRun run = CliRun.of("route");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required parameter: 'PROMPT'");
  }
}
