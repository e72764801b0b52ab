package dev.routellm.labelling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.data.BattleFiles;
import dev.routellm.data.BattleSet;
import dev.routellm.data.Dataset;
import dev.routellm.data.DatasetFiles;
import dev.routellm.prediction.Battle;
import dev.routellm.routing.Tier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class LabellerTest {
  static final CostModel PRICES = CostModel.builder().price("big", 10, 30).price("small", 1, 1).price("mid", 2, 2)
      .price("judge", 5, 15).build();
  /** What one prompt costs with big and small, single mode: answers 0.0007 + 0.00003, two judge calls 0.00125 each. */
  static final double SINGLE_PROMPT_COST = 0.0007 + 0.00003 + 2 * 0.00125;

  @TempDir Path dir;
  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  ModelServer server(ModelServer.Judge judge) throws IOException {
    ModelServer s = new ModelServer(judge);
    open.add(s);
    return s;
  }

  Labeller.Builder labeller(ModelServer s, String... models) {
    Labeller.Builder b = Labeller.builder().judge(backend(s, "judge")).costModel(PRICES)
        .files(LabelFiles.beside(dir.resolve("battles.jsonl"))).maxAnswerTokens(50).maxJudgeTokens(100)
        .concurrency(1);
    for (String m : models) {
      b.model(backend(s, m));
    }
    return b;
  }

  OpenAiBackend backend(ModelServer s, String model) {
    OpenAiBackend b = s.backend(model);
    open.add(b);
    return b;
  }

  static List<LabelPrompt> prompts(String... texts) {
    List<LabelPrompt> out = new ArrayList<>();
    for (String t : texts) {
      out.add(LabelPrompt.of(t));
    }
    return out;
  }

  List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      out.add(ModelServer.JSON.readTree(line));
    }
    return out;
  }

  @Test
  void run_singleModeFairJudge_writesBattlesScoresAndEveryJudgement() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    LabelReport report = labeller(s, "big", "small").build().run(prompts("What is 2+2?", "Name a red fruit.",
        "Explain recursion."));

    assertThat(report.labelled()).isEqualTo(3);
    assertThat(report.judgeCalls()).isEqualTo(6);
    assertThat(report.unparseable()).isZero();
    assertThat(report.battles()).isEqualTo(3);
    assertThat(report.scoredPrompts()).isEqualTo(3);
    assertThat(report.spent()).isCloseTo(3 * SINGLE_PROMPT_COST, within(1e-12));
    assertThat(report.complete()).isTrue();
    BattleSet battles = BattleFiles.read(report.files().battles());
    assertThat(battles.battles()).extracting(Battle::winner).containsOnly(Battle.Winner.MODEL_A);
    assertThat(battles.prompts()).containsExactlyInAnyOrder("What is 2+2?", "Name a red fruit.", "Explain recursion.");
    Dataset judged = DatasetFiles.read(report.files().battles());
    assertThat(judged.scores(Tier.STRONG)).as("the judge's ratings").containsOnly(9.0);
    JsonNode line = lines(report.files().battles()).get(0);
    assertThat(line.get("judge").asString()).isEqualTo("judge");
    assertThat(line.get("scores").toString()).isEqualTo("{\"big\":9.0,\"small\":3.0}");
    Dataset scores = DatasetFiles.read(report.files().scores());
    assertThat(scores.strongModel()).isEqualTo("big");
    assertThat(scores.weakModel()).isEqualTo("small");
    assertThat(scores.scores(Tier.STRONG)).containsOnly(9.0);
    assertThat(scores.scores(Tier.WEAK)).containsOnly(3.0);
    assertThat(scores.example(0).strong().response()).hasValueSatisfying(r -> assertThat(r).startsWith("GOOD"));
    JsonNode record = lines(report.files().judgements()).get(0);
    assertThat(record.get("judgements").get(0).get("output").asString()).endsWith("Rating: [[9]]");
    assertThat(record.get("answers").get("big").get("cost").asDouble()).isCloseTo(0.0007, within(1e-12));
    JsonNode judgeRequest = s.judgeRequests.get(0);
    assertThat(judgeRequest.get("temperature").asDouble()).isZero();
    assertThat(judgeRequest.get("max_tokens").asInt()).isEqualTo(100);
    assertThat(judgeRequest.get("messages").get(1).get("content").asString())
        .startsWith("[Instruction]\nPlease act as an impartial judge")
        .doesNotContain("Reference Answer");
  }

  @Test
  void run_promptWithReference_gradesAgainstIt() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    labeller(s, "big", "small").build().run(List.of(new LabelPrompt("q1", "What is 6*7? {answer}", "42")));

    String user = s.judgeRequests.get(0).get("messages").get(1).get("content").asString();
    assertThat(user).contains("[The Start of Reference Answer]\n42\n[The End of Reference Answer]")
        .contains("[Question]\nWhat is 6*7? {answer}\n");
  }

  @Test
  void run_unparseableJudgements_areKeptCountedAndMakeNoBattle() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    LabelReport report = labeller(s, "big", "small").build().run(prompts("CONFUSE me", "Name a red fruit."));

    assertThat(report.labelled()).isEqualTo(2);
    assertThat(report.unparseable()).isEqualTo(2);
    assertThat(report.battles()).isEqualTo(1);
    assertThat(report.scoredPrompts()).isEqualTo(1);
    JsonNode confused = lines(report.files().judgements()).stream()
        .filter(r -> r.get("prompt").asString().equals("CONFUSE me")).findFirst().orElseThrow();
    assertThat(confused.get("judgements")).allSatisfy(j -> {
      assertThat(j.get("parsed").asBoolean()).isFalse();
      assertThat(j.get("output").asString()).isEqualTo("Both answers are interesting. I cannot decide.");
      assertThat(j.has("rating")).isFalse();
    });
    assertThat(confused.get("battles")).isEmpty();
    assertThat(confused.get("scores").isEmpty()).isTrue();
  }

  @Test
  void run_pairwiseFairJudge_asksBothOrdersAndAgrees() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    LabelReport report = labeller(s, "small", "big").mode(JudgeMode.PAIRWISE).build().run(prompts("Explain TCP."));

    assertThat(report.judgeCalls()).isEqualTo(2);
    List<String> users = s.judgeRequests.stream()
        .map(r -> r.get("messages").get(1).get("content").asString()).toList();
    assertThat(ModelServer.section(users.get(0), "[The Start of Assistant A's Answer]", "[The End"))
        .startsWith("POOR");
    assertThat(ModelServer.section(users.get(1), "[The Start of Assistant A's Answer]", "[The End"))
        .startsWith("GOOD");
    assertThat(s.judgeRequests.get(0).get("messages").get(0).get("content").asString())
        .contains("Avoid any positional biases");
    JsonNode battle = lines(report.files().battles()).get(0);
    assertThat(battle.get("model_a").asString()).isEqualTo("small");
    assertThat(battle.get("winner").asString()).isEqualTo("model_b");
    assertThat(battle.get("verdicts").toString()).isEqualTo("[\"B\",\"A\"]");
    Dataset scores = DatasetFiles.read(report.files().scores());
    assertThat(scores.scores(Tier.STRONG)).containsExactly(0.0);
    assertThat(scores.scores(Tier.WEAK)).containsExactly(1.0);
  }

  @Test
  void run_pairwisePositionBiasedJudge_becomesTies() throws IOException {
    ModelServer s = server(ModelServer.FIRST_POSITION);
    LabelReport report = labeller(s, "big", "small").mode(JudgeMode.PAIRWISE).build()
        .run(prompts("Explain TCP.", "Explain UDP."));

    assertThat(report.battles()).isEqualTo(2);
    assertThat(lines(report.files().battles())).allSatisfy(b -> {
      assertThat(b.get("winner").asString()).isEqualTo("tie");
      assertThat(b.get("verdicts").toString()).isEqualTo("[\"A\",\"A\"]");
    });
  }

  @Test
  void run_threeModelsPairwise_writesEveryPairAndThePoolScores() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    LabelReport report = labeller(s, "big", "mid", "small").mode(JudgeMode.PAIRWISE).build()
        .run(prompts("Explain TCP."));

    assertThat(report.judgeCalls()).isEqualTo(6);
    assertThat(BattleFiles.read(report.files().battles()).records().get("mid"))
        .isEqualTo(new BattleSet.Record(2, 1, 0));
    JsonNode row = lines(report.files().scores()).get(0);
    assertThat(row.get("outcomes").toString()).isEqualTo("{\"big\":1.0,\"mid\":0.5,\"small\":0.0}");
    assertThat(row.get("responses").get("mid").asString()).startsWith("OK answer");
    assertThat(row.get("costs").get("big").asDouble()).isCloseTo(0.0007, within(1e-12));
  }

  @Test
  void run_budget_stopsBeforeExceedingIt_andARerunWithMoreGoesOn() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    List<LabelPrompt> prompts = prompts("p1", "p2", "p3", "p4", "p5", "p6");
    double budget = 0.02;

    LabelReport first = labeller(s, "big", "small").budget(budget).build().run(prompts);

    assertThat(first.totalSpent()).isLessThanOrEqualTo(budget);
    assertThat(first.labelled()).isPositive();
    assertThat(first.notStarted()).isPositive();
    assertThat(first.labelled() + first.notStarted()).isEqualTo(6);
    assertThat(first.stopReason()).hasValueSatisfying(r -> assertThat(r)
        .startsWith("the budget of $0.02 would be exceeded: $").contains("the next prompt may cost up to $"));
    assertThat(first.complete()).isFalse();
    assertThat(s.calls("big")).isEqualTo(first.labelled());

    LabelReport second = labeller(s, "big", "small").budget(1).build().run(prompts);

    assertThat(second.alreadyLabelled()).isEqualTo(first.labelled());
    assertThat(second.labelled()).isEqualTo(6 - first.labelled());
    assertThat(second.totalSpent()).isCloseTo(6 * SINGLE_PROMPT_COST, within(1e-12));
    assertThat(second.stopReason()).isEmpty();
    assertThat(s.calls("big")).isEqualTo(6);
  }

  @Test
  void run_budgetAlreadySpent_startsNothingAndSaysSo() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    labeller(s, "big", "small").build().run(prompts("p1"));

    LabelReport report = labeller(s, "big", "small").budget(0.001).build().run(prompts("p1", "p2"));

    assertThat(report.labelled()).isZero();
    assertThat(report.notStarted()).isEqualTo(1);
    assertThat(report.stopReason()).hasValueSatisfying(r -> assertThat(r).startsWith("the budget of $0.001 is spent"));
    assertThat(s.calls("big")).isEqualTo(1);
  }

  @Test
  void run_resume_skipsLabelledPromptsAndRelabelsATornLastLine() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    LabelFiles files = LabelFiles.beside(dir.resolve("battles.jsonl"));
    labeller(s, "big", "small").build().run(prompts("p1", "p2"));
    // A run killed while writing p3's record leaves the start of a line without its line break.
    String p2 = Files.readAllLines(files.judgements()).get(1);
    String torn = p2.replace(LabelPrompt.idOf("p2"), LabelPrompt.idOf("p3")).replace("\"p2\"", "\"p3\"");
    Files.writeString(files.judgements(), torn.substring(0, torn.length() / 2), StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);

    LabelReport report = labeller(s, "big", "small").build().run(prompts("p1", "p2", "p3"));

    assertThat(report.alreadyLabelled()).isEqualTo(2);
    assertThat(report.labelled()).isEqualTo(1);
    assertThat(s.calls("big")).isEqualTo(3);
    List<JsonNode> records = lines(files.judgements());
    assertThat(records).extracting(r -> r.get("prompt").asString()).containsExactly("p1", "p2", "p3");
    assertThat(BattleFiles.read(files.battles()).size()).isEqualTo(3);
  }

  @Test
  void run_judgementsOfOtherModels_isAnErrorNamingTheLine() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    labeller(s, "big", "small").build().run(prompts("p1"));

    assertThatThrownBy(() -> labeller(s, "big", "mid").build().run(prompts("p1")))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("battles.judgements.jsonl line 1: was labelled with models [big, small]")
        .hasMessageContaining("this run has models [big, mid]");
  }

  @Test
  void run_failingModel_countsThePromptUnwrittenAndARerunLabelsIt() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    LabelReport report = labeller(s, "big", "small").build().run(prompts("p1", "FAIL now", "p3"));

    assertThat(report.labelled()).isEqualTo(2);
    assertThat(report.failed()).isEqualTo(1);
    assertThat(report.failures()).singleElement().asString().contains(LabelPrompt.idOf("FAIL now"))
        .contains("overloaded");
    assertThat(report.complete()).isFalse();
    assertThat(lines(report.files().judgements())).hasSize(2);
  }

  @Test
  void run_manyFailuresInARow_stopsTheRun() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    LabelReport report = labeller(s, "big", "small").maxConsecutiveFailures(2).build()
        .run(prompts("FAIL 1", "FAIL 2", "FAIL 3", "p4"));

    assertThat(report.failed()).isEqualTo(2);
    assertThat(report.notStarted()).isEqualTo(2);
    assertThat(report.stopReason()).hasValueSatisfying(r -> assertThat(r).startsWith("2 prompts failed in a row"));
  }

  @Test
  void run_concurrently_labelsEveryPromptOnce() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    List<LabelPrompt> prompts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      prompts.add(LabelPrompt.of("prompt number " + i));
    }
    List<int[]> progress = new ArrayList<>();
    LabelReport report = labeller(s, "big", "small").concurrency(8)
        .listener((done, total, spent) -> progress.add(new int[] {done, total})).build().run(prompts);

    assertThat(report.labelled()).isEqualTo(40);
    assertThat(s.calls("big")).isEqualTo(40);
    assertThat(lines(report.files().judgements())).extracting(r -> r.get("id").asString()).doesNotHaveDuplicates()
        .hasSize(40);
    assertThat(progress).hasSize(40);
    assertThat(progress.get(39)).containsExactly(40, 40);
  }

  @Test
  void build_missingPriceOrTooFewModels_isRejected() throws IOException {
    ModelServer s = server(ModelServer.FAIR);
    assertThatThrownBy(() -> labeller(s, "big").build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least two models");
    assertThatThrownBy(() -> labeller(s, "big", "other").build()).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no price for [other]");
    assertThatThrownBy(() -> labeller(s, "big", "big")).hasMessage("model 'big' was added twice");
    assertThatThrownBy(() -> Labeller.builder().budget(-1))
        .hasMessage("budget must be a finite number of dollars >= 0 but was -1.0");
    assertThatThrownBy(() -> labeller(s, "big", "small").build().run(List.of(new LabelPrompt("x", "a", null),
        new LabelPrompt("x", "b", null)))).hasMessage("prompt id 'x' appears twice");
  }
}
