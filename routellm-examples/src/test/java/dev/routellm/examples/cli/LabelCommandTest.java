package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code routellm label} against a loopback endpoint serving two models and a judge. */
class LabelCommandTest {
  @TempDir Path tmp;
  final MockWebServer server = new MockWebServer();
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  /** Counted down when a judge request for a prompt holding BLOCK arrives; such requests then wait for release. */
  final CountDownLatch blocked = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  volatile boolean blocking;
  /** When set, the judge answers without a verdict. */
  volatile boolean noVerdict;

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        JsonNode body = OutputOptions.mapper().readTree(request.getBody().utf8());
        String model = body.path("model").asString();
        calls.computeIfAbsent(model, k -> new AtomicInteger()).incrementAndGet();
        JsonNode messages = body.path("messages");
        String user = messages.get(messages.size() - 1).path("content").asString();
        if (model.equals("judge")) {
          if (blocking && user.contains("BLOCK")) {
            blocked.countDown();
            release.await(60, TimeUnit.SECONDS);
          }
          String answer = ModelAnswer.section(user);
          if (noVerdict) {
            return completion(model, "Both answers have merit; I would rather not rate them.");
          }
          return completion(model, "Explanation. Rating: [[" + (answer.startsWith("GOOD") ? 9 : 3) + "]]");
        }
        return completion(model, (model.equals("big") ? "GOOD" : "POOR") + " answer to " + user);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
  }

  static MockResponse completion(String model, String text) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
        .body("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\",\"choices\":"
            + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            + OutputOptions.mapper().writeValueAsString(text) + "},\"finish_reason\":\"stop\"}],\"usage\":"
            + "{\"prompt_tokens\":100,\"completion_tokens\":50,\"total_tokens\":150}}")
        .build();
  }

  /** Reads the graded answer out of a single-answer judge prompt. */
  static final class ModelAnswer {
    static String section(String user) {
      String start = "[The Start of Assistant's Answer]\n";
      int from = user.indexOf(start) + start.length();
      return user.substring(from);
    }
  }

  private List<String> args(Path prompts, Path out, String... extra) {
    String url = server.url("/v1").toString();
    List<String> a = new ArrayList<>(List.of("label", "--prompts", prompts.toString(), "--model", "big=" + url,
        "--model", "small=" + url, "--judge", "judge=" + url, "--out", out.toString(), "--price", "big=10,30",
        "--price", "small=1", "--price", "judge=5,15", "--key-env", "big=none", "--key-env", "small=none",
        "--key-env", "judge=none", "--concurrency", "1"));
    a.addAll(List.of(extra));
    return a;
  }

  private Path prompts(String... lines) throws IOException {
    Path p = tmp.resolve("prompts.txt");
    Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void label_twoModels_writesFilesThatTrainReadsAndReportsMoney() throws IOException {
    Path out = tmp.resolve("battles.jsonl");
    CliRun run = CliRun.of(args(prompts("What is TCP?", "Name a prime.", "What is TCP?"), out, "--json")
        .toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("labelled").asInt()).isEqualTo(2);
    assertThat(json.get("battles").asInt()).isEqualTo(2);
    assertThat(json.get("complete").asBoolean()).isTrue();
    // Per prompt: big 100 in + 50 out at 10/30, small 150 tokens at 1, two judge calls at 5/15.
    double perPrompt = (100 * 10 + 50 * 30) / 1e6 + 150 / 1e6 + 2 * (100 * 5 + 50 * 15) / 1e6;
    assertThat(json.get("spent").asDouble()).isCloseTo(2 * perPrompt, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(run.err()).contains("2 prompts from").contains("(1 repeats read once)")
        .contains("labelling: 2 of 2 prompts (100%), $0.0103 spent")
        .contains("Train a router on them: routellm train --benchmark " + out + " --router mf --strong-model big"
            + " --weak-model small --out router.safetensors");
    assertThat(Files.readAllLines(tmp.resolve("battles.scores.jsonl"))).hasSize(2);

    CliRun train = CliRun.of("train", "--benchmark", out.toString(), "--router", "sw", "--cache",
        tmp.resolve("cache").toString(), "--out", tmp.resolve("r.safetensors").toString(), "--json");
    assertThat(train.exitCode()).as(train.err()).isZero();
    assertThat(train.json().get("strong_model").asString()).isEqualTo("big");
  }

  @Test
  void label_killedChildProcess_losesNothingWrittenAndARerunFinishes() throws Exception {
    Path out = tmp.resolve("battles.jsonl");
    Path prompts = prompts("p1", "p2", "p3", "BLOCK p4", "p5");
    blocking = true;
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), RouteLlmCommand.class.getName()));
    command.addAll(args(prompts, out));
    Process child = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("child.log").toFile()).start();
    try {
      assertThat(blocked.await(120, TimeUnit.SECONDS)).as("the child reached prompt 4's judge call").isTrue();
    } finally {
      child.destroyForcibly();
      child.waitFor(60, TimeUnit.SECONDS);
    }
    assertThat(child.isAlive()).isFalse();
    Path judgements = tmp.resolve("battles.judgements.jsonl");
    List<String> written = Files.readAllLines(judgements);
    assertThat(written).hasSize(3);
    assertThat(written).allSatisfy(l -> assertThat(OutputOptions.mapper().readTree(l).get("prompt").asString())
        .isIn("p1", "p2", "p3"));
    assertThat(calls.get("big").get()).isEqualTo(4);

    blocking = false;
    release.countDown();
    CliRun rerun = CliRun.of(args(prompts, out, "--json").toArray(String[]::new));

    assertThat(rerun.exitCode()).as(rerun.err()).isZero();
    assertThat(rerun.json().get("already_labelled").asInt()).isEqualTo(3);
    assertThat(rerun.json().get("labelled").asInt()).isEqualTo(2);
    assertThat(Files.readAllLines(judgements)).hasSize(5);
    assertThat(Files.readAllLines(out)).hasSize(5);
    assertThat(calls.get("big").get()).as("p4 answered again, p5 once").isEqualTo(6);
  }

  @Test
  void label_badArguments_exitTwoNamingTheOption() throws IOException {
    Path p = prompts("hello");
    String url = server.url("/v1").toString();
    CliRun oneModel = CliRun.of("label", "--prompts", p.toString(), "--model", "big=" + url, "--judge",
        "judge=" + url, "--out", tmp.resolve("o.jsonl").toString());
    assertThat(oneModel.exitCode()).isEqualTo(2);
    assertThat(oneModel.err()).contains("--model must be given at least twice");

    List<String> noPrice = args(p, tmp.resolve("o.jsonl"));
    noPrice.set(noPrice.indexOf("small=1"), "big=1");
    CliRun twice = CliRun.of(noPrice.toArray(String[]::new));
    assertThat(twice.exitCode()).isEqualTo(2);
    assertThat(twice.err()).contains("--price big is given twice");

    CliRun badUrl = CliRun.of("label", "--prompts", p.toString(), "--model", "a=localhost", "--model", "b=" + url,
        "--judge", "judge=" + url, "--out", tmp.resolve("o.jsonl").toString());
    assertThat(badUrl.exitCode()).isEqualTo(2);
    assertThat(badUrl.err()).contains("--model a: the base URL must be an http(s) URL").contains("'localhost'");

    CliRun negativeBudget = CliRun.of(args(p, tmp.resolve("o.jsonl"), "--budget", "-3").toArray(String[]::new));
    assertThat(negativeBudget.exitCode()).isEqualTo(2);
    assertThat(negativeBudget.err().strip())
        .isEqualTo("routellm: --budget must be a finite number of dollars >= 0 but was -3.0");

    List<String> unsetKey = args(p, tmp.resolve("o.jsonl"));
    unsetKey.set(unsetKey.indexOf("big=none"), "big=ROUTELLM_TEST_UNSET_KEY_VARIABLE");
    CliRun keyless = CliRun.of(unsetKey.toArray(String[]::new));
    assertThat(keyless.exitCode()).isEqualTo(2);
    assertThat(keyless.err()).contains("routellm: --key-env big=ROUTELLM_TEST_UNSET_KEY_VARIABLE (model big): the API"
        + " key's environment variable ROUTELLM_TEST_UNSET_KEY_VARIABLE is not set");

    // the tests run without OPENAI_API_KEY, as ServeCommandTest's warning test also assumes
    CliRun openAiNoKey = CliRun.of("label", "--prompts", p.toString(), "--model",
        "gpt-4o=https://api.openai.com/v1", "--model", "b=" + url, "--judge", "judge=" + url, "--key-env", "b=none",
        "--key-env", "judge=none", "--out", tmp.resolve("o.jsonl").toString(), "--price", "b=1", "--price", "judge=1");
    assertThat(openAiNoKey.exitCode()).isEqualTo(2);
    assertThat(openAiNoKey.err().strip()).isEqualTo("routellm: model gpt-4o at https://api.openai.com/v1:"
        + " OPENAI_API_KEY is not set; set it, or give --key-env gpt-4o=VAR ('none' for a server that needs no key)");

    CliRun json = CliRun.of(args(p, tmp.resolve("o.json")).toArray(String[]::new));
    assertThat(json.exitCode()).isEqualTo(2);
    assertThat(json.err()).contains("--out must name a .jsonl file (the battle file) but was");

    CliRun unpriced = CliRun.of("label", "--prompts", p.toString(), "--model", "a=" + url, "--model", "b=" + url,
        "--judge", "gpt-4o=" + url, "--out", tmp.resolve("o.jsonl").toString(), "--price", "a=1");
    assertThat(unpriced.exitCode()).isEqualTo(2);
    assertThat(unpriced.err()).contains("--price b=IN,OUT is required for model 'b'");
  }

  @Test
  void label_judgeGivesNoVerdict_exitsOneSayingNothingIsUsable() throws IOException {
    noVerdict = true;
    Path out = tmp.resolve("battles.jsonl");

    CliRun run = CliRun.of(args(prompts("What is TCP?", "Name a prime."), out, "--json").toArray(String[]::new));

    assertThat(run.exitCode()).isEqualTo(RouteLlmCommand.EXIT_FAILURE);
    assertThat(run.json().get("battles").asInt()).isZero();
    assertThat(run.json().get("unparseable").asInt()).isEqualTo(4);
    assertThat(run.err()).contains("routellm: no usable battle was produced: none of the 4 judge outputs held a"
        + " verdict (they are kept in " + tmp.resolve("battles.judgements.jsonl") + ")")
        .doesNotContain("Train a router on them");
  }

  @Test
  void label_budgetSpentBeforeAnyPrompt_exitsOneAndNeverReportsAFullRun() throws IOException {
    Path out = tmp.resolve("battles.jsonl");

    CliRun run = CliRun.of(args(prompts("What is TCP?", "Name a prime."), out, "--budget", "0")
        .toArray(String[]::new));

    assertThat(run.exitCode()).isEqualTo(RouteLlmCommand.EXIT_FAILURE);
    assertThat(run.out()).contains("Stopped early after 0 of 2 prompts (2 not started): the budget of $0 is spent");
    assertThat(run.out() + run.err()).doesNotContain("100%");
    assertThat(run.err()).contains("routellm: no usable battle was produced: no prompt was labelled (the budget of $0"
        + " is spent");
    assertThat(calls).isEmpty();
  }

  @Test
  void progress_terminal_drawsABar_redirected_printsPlainLines() {
    java.io.StringWriter lines = new java.io.StringWriter();
    long[] now = {0};
    try (LabelCommand.Progress p = new LabelCommand.Progress(new java.io.PrintWriter(lines), false, () -> now[0])) {
      p.progress(1, 100, 0.01);
      now[0] += 31_000_000_000L;
      p.progress(2, 100, 0.02);
      p.progress(3, 100, 0.03);
      p.progress(100, 100, 1.5);
    }
    assertThat(lines.toString().split("\n")).containsExactly("labelling: 2 of 100 prompts (2%), $0.02 spent",
        "labelling: 100 of 100 prompts (100%), $1.5 spent");
    java.io.StringWriter bar = new java.io.StringWriter();
    try (LabelCommand.Progress p = new LabelCommand.Progress(new java.io.PrintWriter(bar), true, () -> 0)) {
      p.progress(1, 4, 0.5);
    }
    assertThat(bar.toString()).contains("labelling").contains("1/4").contains("$0.5");
  }
}
