package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.examples.MockModel;
import java.io.BufferedReader;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code routellm serve --traffic-log FILE}: one line per request served. */
class ServeTrafficLogTest {
  @TempDir Path tmp;

  @Test
  void serve_trafficLog_writesALinePerRequestAndClosesOnStop() throws Exception {
    Path log = tmp.resolve("traffic.jsonl");
    try (MockModel strong = new MockModel("big");
        MockModel weak = new MockModel("small")) {
      strong.answers("strong answer", 12, 30);
      weak.answers("weak answer", 12, 30);
      CommandLine cmd = RouteLlmCommand.newCommandLine();
      ServeCommand serve = cmd.getSubcommands().get("serve").getCommand();
      PipedWriter pipe = new PipedWriter();
      BufferedReader out = new BufferedReader(new PipedReader(pipe));
      cmd.setOut(new PrintWriter(pipe, true));
      cmd.setErr(new PrintWriter(new StringWriter(), true));
      AtomicInteger exit = new AtomicInteger(-1);
      Thread server = new Thread(() -> exit.set(cmd.execute("serve", "--router", "random", "--port", "0", "--json",
          "--traffic-log", log.toString(),
          "--strong-url", strong.baseUrl(), "--strong-model", "big", "--strong-key-env", "none", "--strong-price", "1",
          "--weak-url", weak.baseUrl(), "--weak-model", "small", "--weak-key-env", "none", "--weak-price", "0")));
      server.start();
      JsonNode started = OutputOptions.mapper().readTree(out.readLine());
      String base = started.get("base_url").asString();

      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(base + "/chat/completions")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"router-random-0.5\", \"messages\": [{\"role\":"
              + " \"user\", \"content\": \"What is the capital of France?\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      serve.stop.countDown();
      server.join(30_000);

      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(exit.get()).isZero();
      List<String> lines = Files.readAllLines(log);
      assertThat(lines).hasSize(1);
      JsonNode line = OutputOptions.mapper().readTree(lines.get(0));
      assertThat(line.get("prompt").asString()).isEqualTo("What is the capital of France?");
      assertThat(line.get("model").asString()).isIn("big", "small");
      assertThat(line.get("decision").get("router").asString()).isEqualTo("random");
      assertThat(line.get("input_tokens").asLong()).isEqualTo(12);
    }
  }

  @Test
  void serve_trafficLogInMissingDirectory_exitsTwo() {
    CliRun run = CliRun.of("serve", "--router", "random", "--port", "0", "--traffic-log",
        tmp.resolve("nope/traffic.jsonl").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--traffic-log: cannot write").contains("does not exist");
  }
}
