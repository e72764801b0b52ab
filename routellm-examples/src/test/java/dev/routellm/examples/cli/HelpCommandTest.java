package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.training.Learner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code --help} of every subcommand formats cleanly: picocli warns on stderr about a description it cannot format. */
class HelpCommandTest {
  static List<String> subcommands() {
    return List.copyOf(RouteLlmCommand.newCommandLine().getSubcommands().keySet());
  }

  @ParameterizedTest
  @MethodSource("subcommands")
  void help_everySubcommand_printsUsageWithoutPicocliWarnings(String name) {
    PrintStream saved = System.err;
    ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
    CliRun run;
    try {
      System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
      run = name.equals("help") ? CliRun.of("help") : CliRun.of(name, "--help");
    } finally {
      System.setErr(saved);
    }

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage:");
    assertThat(systemErr.toString(StandardCharsets.UTF_8) + run.err()).doesNotContain("picocli WARN")
        .doesNotContain("Could not format");
  }

  @Test
  void help_trainRouter_namesEveryLearnerItAccepts() {
    String description = String.join(" ", RouteLlmCommand.newCommandLine().getSubcommands().get("train")
        .getCommandSpec().findOption("--router").description());

    for (Learner l : Learner.values()) {
      assertThat(description).as(l.id()).containsPattern("(^|[^\\w-])" + Pattern.quote(l.id()) + "([^\\w-]|$)");
    }
  }
}
