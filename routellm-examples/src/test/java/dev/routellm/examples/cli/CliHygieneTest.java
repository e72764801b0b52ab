package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every subcommand shares: bad input exits 2 before long work starts, one table of default prices stated in the
 * help, one unit for target qualities, and the library's rule for empty prompts.
 */
class CliHygieneTest {
  @TempDir Path tmp;

  private Path csv(String name, String body) throws IOException {
    Path file = tmp.resolve(name);
    Files.writeString(file, "id,prompt,strong,weak\n" + body, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void eval_plotInMissingDirectory_exitsTwoBeforeEvaluating() throws IOException {
    Path data = csv("d.csv", "1,What is 2+2?,true,true\n2,Prove it,true,false\n");
    CliRun run = CliRun.of("eval", "--benchmark", data.toString(), "--router", "random", "--plot",
        tmp.resolve("no/such/dir/curve.png").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--plot: cannot write").contains("does not exist");
    assertThat(run.out()).as("nothing evaluated").doesNotContain("APGR");
  }

  @Test
  void eval_unknownEmbedder_exitsTwoEvenWhenTheRouterEmbedsNothing() throws IOException {
    Path data = csv("d.csv", "1,What is 2+2?,true,true\n2,Prove it,true,false\n");
    CliRun run = CliRun.of("eval", "--benchmark", data.toString(), "--router", "random", "--embedder", "foo");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--embedder").contains("foo").contains("minilm");
  }

  @Test
  void eval_embedderGivenButUnused_warnsOnce() throws IOException {
    Path data = csv("d.csv", "1,What is 2+2?,true,true\n2,Prove it,true,false\n");
    CliRun run = CliRun.of("eval", "--benchmark", data.toString(), "--router", "random", "--embedder", "bge");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("warning: --embedder bge had no effect: router random embeds no prompts");
  }

  @Test
  void eval_twoFilesWithTheSameIds_joinsThemInsteadOfFailing() throws IOException {
    Path a = csv("a.csv", "1,What is 2+2?,true,true\n2,Prove it,true,false\n");
    Path b = csv("b.csv", "1,Name a colour,true,true\n2,Integrate x,true,false\n");
    CliRun run = CliRun.of("eval", "--benchmark", a.toString(), "--benchmark", b.toString(), "--router", "random",
        "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().toString()).contains("\"questions\":4");
  }

  @Test
  void route_emptyPrompt_exitsTwoNamingThePrompt() {
    CliRun run = CliRun.of("route", "--router", "random", "Hello", " ");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("PROMPT 2 is empty or whitespace only");
  }

  @ParameterizedTest
  @ValueSource(strings = {"quickstart", "serve", "calibrate", "cascade"})
  void help_everyPricedCommand_statesTheOneDefaultPriceTable(String command) {
    CliRun run = CliRun.of(command, "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().replaceAll("\\s+", " ")).contains(DefaultPrices.HELP).contains("IN,OUT");
  }

  @Test
  void cascade_modelWithoutListPriceOrOption_exitsTwoNamingTheOption() throws IOException {
    Path data = tmp.resolve("a.jsonl");
    Files.writeString(data, "{\"correct\": true, \"features\": {\"sum\": -5}, \"strong_correct\": true}\n");
    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--weak-model", "my-8b");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--weak-price is required for model 'my-8b'");
  }

  @Test
  void cascade_qualityAsFraction_notesThatTheUnitIsPercent() throws IOException {
    Path data = tmp.resolve("a.jsonl");
    Files.writeString(data, "{\"correct\": true, \"features\": {\"sum\": -5}, \"strong_correct\": true}\n"
        + "{\"correct\": false, \"features\": {\"sum\": -50}, \"strong_correct\": true}\n");
    CliRun run = CliRun.of("cascade", "--data", data.toString(), "--quality", "0.9");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Note: --quality is in percent (0 to 100): 0.9 means 0.9%");
  }

  @Test
  void quickstart_routerFileOfAnotherPair_warnsOnceOrFailsByPolicy() throws IOException {
    StringBuilder rows = new StringBuilder();
    String[] prompts = {"Prove there are infinitely many primes", "Integrate x squared", "Say hello in French",
        "Name a colour", "Solve x^2 = 4", "Tell me a joke"};
    for (int i = 0; i < prompts.length; i++) {
      rows.append(i + 1).append(",\"").append(prompts[i]).append("\",true,").append(i % 2 == 0 ? "false" : "true")
          .append('\n');
    }
    Path data = csv("mine.csv", rows.toString());
    Path router = tmp.resolve("router.safetensors");
    CliRun train = CliRun.of("train", "--benchmark", data.toString(), "--router", "knn", "--cache",
        tmp.resolve("cache").toString(), "--out", router.toString(), "--strong-share", "0.5");
    assertThat(train.exitCode()).as(train.err()).isZero();

    CliRun warned = CliRun.of("quickstart", "--offline", "--router", router.toString());
    assertThat(warned.exitCode()).as(warned.err()).isZero();
    assertThat(warned.err()).containsOnlyOnce("warning: router 'knn' was trained to choose between strong 'strong'"
        + " and weak 'weak' but is routing between strong 'gpt-4o' and weak 'gpt-4o-mini'");

    CliRun failed = CliRun.of("quickstart", "--offline", "--router", router.toString(), "--pair-mismatch", "fail");
    assertThat(failed.exitCode()).isEqualTo(2);
    assertThat(failed.err()).contains("--pair-mismatch fail: router 'knn' was trained");
  }

  @Test
  void json_smallCosts_writtenAsPlainDecimals() {
    OutputOptions.mapper(); // the same mapper writes every --json result
    Object plain = OutputOptions.plainNumbers(java.util.Map.of("cost", 1.3e-6, "costs", java.util.List.of(2.5e-7)));
    String json = OutputOptions.mapper().writeValueAsString(plain);
    assertThat(json).contains("\"cost\":0.0000013").contains("[0.00000025]").doesNotContain("E-");
  }
}
