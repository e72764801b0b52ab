package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchCommandTest {
  @Test
  void help_listsOptions_exitZero() {
    CliRun run = CliRun.of("bench", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--quick").contains("--faults").contains("--only").contains("--intra-op-threads").contains("--solo-intra-op-threads")
        .contains("LangChain4j");
  }

  @Test
  void intraOpThreadsOutOfRange_exitTwoWithOneLineMessage() {
    CliRun run = CliRun.of("bench", "--intra-op-threads", "0");
    assertThat(run.exitCode()).isEqualTo(RouteLlmCommand.EXIT_USAGE);
    assertThat(run.err()).contains("--intra-op-threads must be in [1, 256] but was 0");
  }

  @Test
  void soloIntraOpThreadsOutOfRange_exitTwoWithOneLineMessage() {
    CliRun run = CliRun.of("bench", "--solo-intra-op-threads", "257");
    assertThat(run.exitCode()).isEqualTo(RouteLlmCommand.EXIT_USAGE);
    assertThat(run.err()).contains("--solo-intra-op-threads must be in [1, 256] but was 257");
  }

  @Test
  void onlyWithUnknownValue_exitTwo() {
    CliRun run = CliRun.of("bench", "--only", "gpu");
    assertThat(run.exitCode()).isEqualTo(RouteLlmCommand.EXIT_USAGE);
    assertThat(run.err()).contains("--only");
  }
}
