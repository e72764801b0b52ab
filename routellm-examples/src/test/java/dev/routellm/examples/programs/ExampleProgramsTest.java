package dev.routellm.examples.programs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.examples.MockModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Runs every example program's {@code main} against loopback model servers and checks what it prints. The programs
 * write to {@code System.out}, so the tests capture it (and run one at a time).
 */
@Isolated
class ExampleProgramsTest {
  @TempDir Path tmp;

  /** Runs {@code main} and returns what it printed. */
  private static List<String> run(ThrowingMain main) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      main.run();
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @FunctionalInterface
  interface ThrowingMain {
    void run() throws Exception;
  }

  private static void json(MockModel model, String body) {
    model.server().enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body(body).build());
  }

  /** An answer whose two tokens' log-probabilities sum to {@code sum}. */
  private static String withLogprobs(String text, double first, double second) {
    return String.format(Locale.ROOT, "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":"
        + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"%s\"},\"logprobs\":{\"content\":"
        + "[{\"token\":\"a\",\"logprob\":%s,\"top_logprobs\":[]},{\"token\":\"b\",\"logprob\":%s,\"top_logprobs\":[]}]},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":60,\"completion_tokens\":20}}", text, first,
        second);
  }

  @Test
  void routeBetweenTwoModels_threePrompts_eachDecidedAnsweredAndTotalled() throws Exception {
    try (MockModel strong = new MockModel("gpt-4o"); MockModel weak = new MockModel("llama3.1:8b")) {
      for (int i = 0; i < 3; i++) {
        strong.answers("strong answer", 20, 30);
        weak.answers("weak answer", 20, 30);
      }
      List<String> out = run(() -> RouteBetweenTwoModels.main(new String[] {strong.baseUrl(), weak.baseUrl()}));

      assertThat(out).hasSize(4);
      assertThat(out.subList(0, 3)).allMatch(l -> l.matches("score 0\\.\\d{4} (>=|<) threshold 0\\.\\d{4} -> "
          + "(gpt-4o, \\$0\\.00035: strong|llama3\\.1:8b, \\$0: weak) answer"));
      assertThat(out.get(3)).matches("3 requests, \\d+% strong, \\$[0-9.]+ spent, \\$[0-9.]+ saved against gpt-4o alone");
      assertThat(strong.server().getRequestCount() + weak.server().getRequestCount()).isEqualTo(3);
    }
  }

  @Test
  void confidenceCascade_confidentWeakAnswer_keptWithOneCall() throws Exception {
    try (MockModel strong = new MockModel("llama-3-70b"); MockModel weak = new MockModel("llama-3-8b")) {
      json(weak, withLogprobs("She makes $18.", -12, -8)); // confidence 0.8129
      List<String> out = run(() -> ConfidenceCascade.main(new String[] {strong.baseUrl(), weak.baseUrl()}));

      assertThat(out.get(0)).contains("0.8129 >= threshold 0.8000");
      assertThat(out).contains("  call llama-3-8b: 80 tokens, $0.0000056", "answer by llama-3-8b ($0.0000056):"
          + " She makes $18.");
      assertThat(strong.server().getRequestCount()).isZero();
    }
  }

  @Test
  void confidenceCascade_unsureWeakAnswer_escalatesAndPaysBothCalls() throws Exception {
    try (MockModel strong = new MockModel("llama-3-70b"); MockModel weak = new MockModel("llama-3-8b")) {
      json(weak, withLogprobs("Maybe $20?", -30, -20)); // confidence 0.457
      strong.answers("16 - 3 - 4 = 9 eggs, 9 * 2 = $18.", 60, 20);
      List<String> out = run(() -> ConfidenceCascade.main(new String[] {strong.baseUrl(), weak.baseUrl()}));

      assertThat(out).hasSize(4);
      assertThat(out.get(1)).startsWith("  call llama-3-8b");
      assertThat(out.get(2)).isEqualTo("  call llama-3-70b: 80 tokens, $0.000064");
      assertThat(out.get(3)).startsWith("answer by llama-3-70b ($0.0000696)");
    }
  }

  @Test
  void poolWithBudget_tightBudget_excludesTheExpensiveModel() throws Exception {
    try (MockModel server = new MockModel("any")) {
      server.answers("proof one", 30, 300);
      server.answers("proof two", 30, 40);
      List<String> out = run(() -> PoolWithBudget.main(new String[] {server.baseUrl()}));

      assertThat(out.get(0)).startsWith("budget $0.01: gpt-4o answered for $");
      int second = out.indexOf(out.stream().filter(l -> l.startsWith("budget $0.0005")).findFirst().orElseThrow());
      assertThat(out.get(second)).startsWith("budget $0.0005: gpt-4o-mini answered for $");
      assertThat(out.subList(second, out.size())).anyMatch(l -> l.startsWith("  gpt-4o quality 0.95")
          && l.contains("excluded"));
      assertThat(server.server().getRequestCount()).isEqualTo(2);
    }
  }

  @Test
  void trainYourOwnRouter_labelledCsv_savesALoadableRouterThatSendsMathToTheStrongModel() throws Exception {
    StringBuilder csv = new StringBuilder("prompt,strong,weak\n");
    for (String math : List.of("Solve the integral of x squared times cosine x", "Prove that there are infinitely"
        + " many primes", "Find the eigenvalues of a rotation matrix", "Compute the derivative of arctan x squared",
        "Integrate e to the minus x squared", "Solve the recurrence T(n) = 2T(n/2) + n")) {
      csv.append('"').append(math).append("\",true,false\n");
    }
    for (String chat : List.of("Hi, how are you today?", "Tell me a fun fact about cats", "Say goodbye in Spanish",
        "Recommend a cozy movie for tonight", "What's a nice name for a dog?", "Good morning to you!")) {
      csv.append('"').append(chat).append("\",true,true\n");
    }
    Path data = tmp.resolve("mine.csv");
    Files.writeString(data, csv);
    Path router = tmp.resolve("router.safetensors");

    List<String> out = run(() -> TrainYourOwnRouter.main(new String[] {data.toString(), router.toString()}));

    assertThat(router).exists();
    assertThat(out.get(0)).startsWith("trained on 12 examples, threshold ");
    assertThat(out.get(1)).endsWith("-> strong: Integrate x squared times sine x");
    assertThat(out.get(2)).endsWith("-> weak: Say hello in French");
  }

  @Test
  void langChain4jAssistant_shortAndToolQuestions_routedAndToolRun() throws Exception {
    try (MockModel strong = new MockModel("gpt-4o"); MockModel weak = new MockModel("gpt-4o-mini")) {
      weak.answers("I am a routed assistant.", 30, 6);
      json(strong, "{\"id\":\"t\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":"
          + "\"function\",\"function\":{\"name\":\"multiply\",\"arguments\":\"{\\\"a\\\":816,\\\"b\\\":17}\"}}]},"
          + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":90,\"completion_tokens\":20}}");
      strong.answers("There are 29376 pencils.", 120, 8);
      List<String> out = run(() -> LangChain4jAssistant.main(new String[] {strong.baseUrl(), weak.baseUrl()}));

      assertThat(out).containsExactly(
          "gpt-4o-mini ($0.0000081, 0 tool call(s)): I am a routed assistant.",
          "gpt-4o ($0.00038, 1 tool call(s)): There are 29376 pencils.");
      strong.server().takeRequest();
      assertThat(strong.server().takeRequest().getBody().utf8()).contains("\"role\":\"tool\"")
          .contains("13872.0");
    }
  }

  @Test
  void springBootRouting_propertiesOnly_asksThroughChatClientAndPrintsTheDecision() throws Exception {
    try (MockModel strong = new MockModel("gpt-4o"); MockModel weak = new MockModel("gpt-4o-mini")) {
      strong.answers("To save money where quality allows.", 20, 9);
      weak.answers("To save money where quality allows.", 20, 9);
      List<String> out = run(() -> SpringBootRouting.main(new String[] {
          "--routellm.models[0].base-url=" + strong.baseUrl(), "--routellm.models[0].api-key-env=none",
          "--routellm.models[1].base-url=" + weak.baseUrl(), "--routellm.models[1].api-key-env=none"}));

      assertThat(out).anyMatch(l -> l.matches("score 0\\.\\d{4} (>=|<) threshold 0\\.5000 -> gpt-4o(-mini)? "
          + "\\(\\$[0-9.]+\\): To save money where quality allows\\."));
      assertThat(out).contains("router random done");
      assertThat(strong.server().getRequestCount() + weak.server().getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void labelWithAJudge_twoPrompts_writesBattlesFromBothOrders() throws Exception {
    try (MockModel server = new MockModel("any")) {
      // Answers by model; the judge always prefers the strong model's answer, in whichever position it stands.
      server.server().setDispatcher(new mockwebserver3.Dispatcher() {
        @Override
        public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
          String body = request.getBody().utf8();
          String text;
          if (body.contains("\"model\":\"gpt-4.1\"")) {
            int a = body.indexOf("Assistant A's Answer]");
            text = body.startsWith("from the strong", body.indexOf("an answer ", a) + 10) ? "A is better. [[A]]"
                : "B is better. [[B]]";
          } else {
            text = body.contains("\"model\":\"gpt-4o\"") ? "an answer from the strong model"
                : "an answer from the weak model";
          }
          return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
              .body("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                  + "\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}],"
                  + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":10}}").build();
        }
      });
      List<String> out = run(() -> LabelWithAJudge.main(new String[] {tmp.toString(), server.baseUrl()}));

      assertThat(out.get(0)).startsWith("labelled 2 of 2 prompts, 2 battles, 0 unparseable verdicts, spent $");
      List<String> battles = Files.readAllLines(tmp.resolve("battles.jsonl"));
      assertThat(battles).hasSize(2);
      for (String b : battles) {
        String winner = b.contains("\"winner\":\"model_a\"") ? "model_a" : b.contains("\"winner\":\"model_b\"")
            ? "model_b" : "tie";
        assertThat(b).as("the strong model wins every battle").contains("\"" + winner + "\":\"gpt-4o\"");
      }
      assertThat(server.server().getRequestCount()).isEqualTo(8);
    }
  }
}
