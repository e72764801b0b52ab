package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class ServeCommandTest {
  @ParameterizedTest
  @ValueSource(strings = {"999.1.1.1", "1.2.3", "bad host!"})
  void serve_hostNotAnAddress_exitsTwoWithOneLineNamingFlagAndValue(String host) {
    CliRun run = CliRun.of("serve", "--router", "random", "--host", host, "--port", "16063");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("routellm: --host must be an IP address or a host name of this machine but was '"
        + host + "'" + System.lineSeparator());
    assertThat(run.out()).isEmpty();
  }

  @Test
  void serve_portTaken_exitsTwoWithOneLineNamingThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      CliRun run = CliRun.of("serve", "--router", "random", "--host", "127.0.0.1", "--port", "" + port);

      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.err()).startsWith("routellm: --port must be a port free on 127.0.0.1 but " + port + " is not")
          .doesNotContain("Javalin", "Exception\t", "\tat ");
      assertThat(run.err().strip().lines()).hasSize(1);
    }
  }

  @Test
  void serve_portOutOfRange_exitsTwoNamingThePort() {
    CliRun run = CliRun.of("serve", "--router", "random", "--port", "70000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: --port must be in [0, 65535] but was 70000");
  }

  @Test
  void serve_help_exampleModelNamesTheDefaultRouter() {
    CliRun run = CliRun.of("serve", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().replaceAll("\\s+", " "))
        .contains("router-" + PredictorOptions.TOPICS + "-0.5 with the default router")
        .contains("--router random");
  }

  @Test
  void missingKeyWarning_openAiWithoutKey_saysCallsWillFail() {
    BackendOptions backends = parse();

    assertThat(backends.missingKeyWarning(Map.of())).hasValue(
        "warning: no API key for strong gpt-4o and weak gpt-4o-mini at https://api.openai.com/v1 (OPENAI_API_KEY is"
            + " not set), so their calls will fail; set the key, or point --strong-url/--weak-url at another server");
    assertThat(backends.missingKeyWarning(Map.of("OPENAI_API_KEY", " "))).isPresent();
  }

  @Test
  void missingKeyWarning_keySetOrLocalServers_isEmpty() {
    assertThat(parse().missingKeyWarning(Map.of("OPENAI_API_KEY", "sk-test"))).isEmpty();
    assertThat(parse("--strong-url", "http://127.0.0.1:11434/v1", "--weak-url", "http://127.0.0.1:11434/v1")
        .missingKeyWarning(Map.of())).isEmpty();
  }

  @Test
  void missingKeyWarning_onlyTheWeakModelOnOpenAi_namesOnlyIt() {
    assertThat(parse("--strong-url", "http://127.0.0.1:11434/v1").missingKeyWarning(Map.of()))
        .hasValueSatisfying(w -> assertThat(w).contains("for weak gpt-4o-mini at").doesNotContain("strong gpt-4o"));
  }

  private static BackendOptions parse(String... args) {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    return serve.backends;
  }
  @Test
  void serve_badServerOptions_exitTwoNamingTheFlag() {
    CliRun busy = CliRun.of("serve", "--router", "random", "--port", "0", "--max-concurrent", "0");
    assertThat(busy.exitCode()).isEqualTo(2);
    assertThat(busy.err().strip()).isEqualTo("routellm: --max-concurrent must be in [1, 10000] but was 0");

    CliRun origin = CliRun.of("serve", "--router", "random", "--port", "0", "--cors-origin", "app.example.com/x");
    assertThat(origin.exitCode()).isEqualTo(2);
    assertThat(origin.err().strip()).isEqualTo("routellm: --cors-origin must be scheme://host[:port] (no path) or"
        + " '*' but was 'app.example.com/x'");

    CliRun drain = CliRun.of("serve", "--router", "random", "--port", "0", "--drain-timeout", "-1");
    assertThat(drain.exitCode()).isEqualTo(2);
    assertThat(drain.err().strip()).isEqualTo("routellm: --drain-timeout must be in [0, 3600] seconds but was -1.0");
  }

  @Test
  void benchServer_smallRun_measuresBothPathsWithoutFailures() {
    CliRun run = CliRun.of("bench-server", "--requests", "100", "--warmup", "0", "--jit-warmup", "1", "--rounds", "1",
        "--concurrency", "2", "--routers", "random", "--json");

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).containsPattern("JIT warm-up, 1 s per path: direct \\d+ requests, serve\\+random \\d+");
    tools.jackson.databind.JsonNode result = tools.jackson.databind.json.JsonMapper.builder().build()
        .readTree(run.out());
    assertThat(result.get("rows")).extracting(r -> r.get("path").asString())
        .containsExactly("direct", "serve+random");
    assertThat(result.get("rows")).allSatisfy(r -> {
      assertThat(r.get("requests").asInt()).isEqualTo(100);
      assertThat(r.get("failures").asInt()).isZero();
      assertThat(r.get("p50_ms").asDouble()).isPositive();
    });
  }

  @Test
  void benchServer_badOptions_exitTwo() {
    CliRun run = CliRun.of("bench-server", "--routers", "mf");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: --routers takes random and topics but was mf");
    CliRun negative = CliRun.of("bench-server", "--jit-warmup", "-1");
    assertThat(negative.exitCode()).isEqualTo(2);
    assertThat(negative.err().strip()).isEqualTo("routellm: --jit-warmup must be in [0, 600] seconds but was -1");
  }

  @Test
  void serve_badSpendLimitOptions_exitTwoNamingTheOption() {
    CliRun redis = CliRun.of("serve", "--router", "random", "--port", "0", "--redis", "redis://127.0.0.1:1");
    assertThat(redis.exitCode()).isEqualTo(2);
    assertThat(redis.err().strip()).isEqualTo("routellm: --redis keeps the spend limits' amounts, but no limit is"
        + " set: give --daily-limit or --tenant-daily-limit");

    CliRun negative = CliRun.of("serve", "--router", "random", "--port", "0", "--tenant-daily-limit", "acme=-1");
    assertThat(negative.exitCode()).isEqualTo(2);
    assertThat(negative.err().strip()).isEqualTo("routellm: --tenant-daily-limit must be dollars in [0, 9000000000]"
        + " but was '-1'");

    CliRun scheme = CliRun.of("serve", "--router", "random", "--port", "0", "--daily-limit", "5", "--redis",
        "http://user:pw@cache:6379");
    assertThat(scheme.exitCode()).isEqualTo(2);
    assertThat(scheme.err().strip()).isEqualTo("routellm: --redis must be redis://host:port or rediss://host:port but"
        + " was 'http://***@cache:6379'");

    CliRun unset = CliRun.of("serve", "--router", "random", "--port", "0", "--server-key-env",
        "acme=ROUTELLM_TEST_UNSET_VARIABLE");
    assertThat(unset.exitCode()).isEqualTo(2);
    assertThat(unset.err().strip()).isEqualTo("routellm: --server-key-env acme=ROUTELLM_TEST_UNSET_VARIABLE names an"
        + " unset variable");
  }

  @Test
  void serverKeys_tenantsAndVariables_mapEachKeyToItsTenant() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--server-key-env", "acme=ACME_KEY", "--server-key-env", "beta=BETA_KEY");

    assertThat(serve.serverKeys(Map.of("ACME_KEY", "k-acme", "BETA_KEY", " k-beta ")))
        .containsExactly(Map.entry("k-acme", "acme"), Map.entry("k-beta", "beta"));
  }

  @Test
  void serve_poolRouterNamedLikeTheThresholdRouter_exitsTwoNamingFileAndField(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws IOException {
    java.nio.file.Files.writeString(dir.resolve("p.safetensors"), "x");
    java.nio.file.Path pool = java.nio.file.Files.writeString(dir.resolve("pool.json"), "{\"models\":["
        + "{\"name\":\"a\",\"base_url\":\"http://127.0.0.1:1/v1\",\"key_env\":\"none\",\"price\":1},"
        + "{\"name\":\"b\",\"base_url\":\"http://127.0.0.1:1/v1\",\"key_env\":\"none\",\"price\":2}],"
        + "\"routers\":[{\"name\":\"random-fast\",\"policy\":\"cascade\",\"steps\":[{\"models\":[\"a\",\"b\"],"
        + "\"check\":\"agreement\",\"extractor\":\"number\"},{\"models\":[\"b\"]}]}]}");

    CliRun run = CliRun.of("serve", "--router", "random", "--port", "0", "--pool", pool.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("routellm: " + pool + ": field 'routers[0].name' 'random-fast' clashes"
        + " with the threshold router's model ids router-random[-<threshold>] (--router); choose another name");
  }
}
