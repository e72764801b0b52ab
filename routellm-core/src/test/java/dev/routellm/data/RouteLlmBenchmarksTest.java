package dev.routellm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.InvalidFileException;
import dev.routellm.routing.Tier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RouteLlmBenchmarksTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource({
    "mmlu,     14037, 68.0915,  80.5870, 92.25",
    "gsm8k,    1307,  63.7337,  85.7689, 87.15",
    "mt-bench, 72,    8.28125,  9.21181, 94.95"
  })
  void load_sharedData_reproducesRouteLlmFigures(
      String name, int questions, double weak, double strong, double shareOfStrongAtHalfGap) {
    Dataset data = RouteLlmBenchmarks.load(name, SharedData.dir());

    assertThat(data.size()).isEqualTo(questions);
    assertThat(data.quality(Tier.WEAK)).isCloseTo(weak, within(0.00005));
    assertThat(data.quality(Tier.STRONG)).isCloseTo(strong, within(0.00005));
    double halfGap = (data.quality(Tier.WEAK) + data.quality(Tier.STRONG)) / 2;
    assertThat(100 * halfGap / data.quality(Tier.STRONG)).isCloseTo(shareOfStrongAtHalfGap, within(0.005));
    assertThat(data.strongModel()).isEqualTo(RouteLlmBenchmarks.STRONG_MODEL);
    assertThat(data.weakModel()).isEqualTo(RouteLlmBenchmarks.WEAK_MODEL);
  }

  @Test
  void mmlu_sharedData_concatenatesSubjectsAlphabeticallyAsGroups() {
    Dataset mmlu = SharedData.mmlu();
    List<String> order = mmlu.examples().stream().map(e -> e.group().orElseThrow()).distinct().toList();

    assertThat(order).hasSize(57).isSorted().startsWith("abstract_algebra").endsWith("world_religions");
    assertThat(Set.copyOf(order)).hasSize(57); // each subject in one contiguous run
    assertThat(mmlu.unit()).isEqualTo(QualityUnit.ACCURACY_PERCENT);
    assertThat(mmlu.example(0).id()).isEqualTo("mmlu/abstract_algebra/0");
  }

  @Test
  void load_sharedData_dropsEveryContaminatedPrompt() {
    for (String name : RouteLlmBenchmarks.NAMES) {
      Dataset data = SharedData.load(name);
      String folder = name.equals("mt-bench") ? "mt_bench" : name;
      Set<String> contaminated =
          RouteLlmBenchmarks.contaminatedPrompts(SharedData.dir().resolve(folder).resolve("contaminated_prompts.jsonl"));
      assertThat(contaminated).isNotEmpty();
      for (Example e : data.examples()) {
        assertThat(e.turns()).as(e.id()).doesNotContainAnyElementsOf(contaminated);
      }
    }
  }

  @Test
  void gsm8k_sharedData_keepsBothModelsAnswers() {
    Dataset gsm8k = SharedData.gsm8k();
    Example first = gsm8k.example(0);

    assertThat(first.id()).isEqualTo("gsm8k/3"); // rows 0-2 (Janet's ducks first) are contaminated
    assertThat(first.prompt()).startsWith("James decides to run 3 sprints 3 times a week.");
    assertThat(first.weak().response()).get().asString().contains("####");
    assertThat(gsm8k.examples()).allSatisfy(e -> {
      assertThat(e.weak().response()).isPresent();
      assertThat(e.strong().response()).isPresent();
    });
  }

  @Test
  void mtBench_sharedData_keepsTwoTurnsAndOneJudgementPerTurn() {
    Dataset mt = SharedData.mtBench();

    assertThat(mt.unit()).isEqualTo(QualityUnit.JUDGE_SCORE);
    assertThat(mt.examples()).allSatisfy(e -> {
      assertThat(e.turns()).hasSize(2);
      assertThat(e.prompt()).isEqualTo(e.turns().get(0));
      assertThat(e.strong().judgementCount()).isEqualTo(2);
      assertThat(e.weak().judgementCount()).isEqualTo(2);
      assertThat(e.group()).isPresent();
    });
    assertThat(mt.examples().stream().map(Example::id)).doesNotContain("mt-bench/81"); // contaminated travel blog
    assertThat(mt.examples().stream().map(e -> e.group().orElseThrow()).collect(Collectors.toSet()))
        .contains("writing", "math", "coding");
  }

  @Test
  void load_unknownName_throwsNamingTheChoices() {
    assertThatThrownBy(() -> RouteLlmBenchmarks.load("hellaswag", SharedData.dir()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("benchmark must be one of [mmlu, gsm8k, mt-bench] but was 'hellaswag'");
  }

  @Test
  void gsm8k_missingDirectory_throwsNamingTheFile() {
    assertThatThrownBy(() -> RouteLlmBenchmarks.gsm8k(tmp.resolve("nowhere")))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("nowhere")
        .hasMessageContaining("contaminated_prompts.jsonl: no such file");
  }

  @Test
  void mmlu_malformedCell_throwsNamingFileLineAndField() throws IOException {
    Path dir = tmp.resolve("mmlu");
    Files.createDirectories(dir.resolve("responses"));
    Files.writeString(dir.resolve("contaminated_prompts.jsonl"), "{\"eval_prompt\": \"x\"}\n");
    Path file = dir.resolve("responses/mmlu_anatomy.csv");
    Files.writeString(file, "prompt," + RouteLlmBenchmarks.WEAK_MODEL + "," + RouteLlmBenchmarks.STRONG_MODEL + "\n"
        + "\"Q1\nA. a, b\",True,False\n"
        + "Q2,maybe,True\n", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> RouteLlmBenchmarks.mmlu(tmp))
        .isInstanceOf(InvalidFileException.class)
        .hasMessage(file + " line 4: field '" + RouteLlmBenchmarks.WEAK_MODEL + "' must be True or False but was 'maybe'");
  }

  @Test
  void mtBench_missingJudgement_throwsNamingQuestionModelAndTurn() throws IOException {
    mtBench("[\"a\", \"b\"]", judgement(7, RouteLlmBenchmarks.STRONG_MODEL, 1, 9),
        judgement(7, RouteLlmBenchmarks.STRONG_MODEL, 2, 8), judgement(7, RouteLlmBenchmarks.WEAK_MODEL, 1, 5));

    assertThatThrownBy(() -> RouteLlmBenchmarks.mtBench(tmp))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageEndingWith("question 7 has no judgement for model " + RouteLlmBenchmarks.WEAK_MODEL + ", turn 2");
  }

  @Test
  void mtBench_duplicateJudgement_throwsNamingBothLines() throws IOException {
    Path dir = mtBench("[\"a\"]", judgement(7, RouteLlmBenchmarks.STRONG_MODEL, 1, 9),
        judgement(7, RouteLlmBenchmarks.STRONG_MODEL, 1, 8));

    assertThatThrownBy(() -> RouteLlmBenchmarks.mtBench(tmp))
        .isInstanceOf(InvalidFileException.class)
        .hasMessage(dir.resolve("judgements.jsonl") + " line 2: a second judgement of question 7, model "
            + RouteLlmBenchmarks.STRONG_MODEL + ", turn 1 (the first is on line 1)");
  }

  @Test
  void mtBench_sharedData_meanJudgeScoreEqualsMeanOverJudgementRows() throws IOException {
    // RouteLLM averages judgement rows; our per-question means must give the same number.
    Dataset mt = SharedData.mtBench();
    Set<String> kept = new HashSet<>();
    mt.examples().forEach(e -> kept.add(e.id().substring("mt-bench/".length())));
    double sum = 0;
    int rows = 0;
    Set<Long> seen = new HashSet<>();
    for (String line : Files.readAllLines(SharedData.dir().resolve("mt_bench/judgements.jsonl"))) {
      JsonNode row = JsonMapper.builder().build().readTree(line);
      long id = row.get("question_id").longValue();
      if (kept.contains(Long.toString(id)) && row.get("model").stringValue().equals(RouteLlmBenchmarks.WEAK_MODEL)) {
        sum += row.get("score").doubleValue();
        rows++;
        seen.add(id);
      }
    }
    assertThat(seen).hasSize(72);
    assertThat(rows).isEqualTo(144);
    assertThat(mt.quality(Tier.WEAK)).isCloseTo(sum / rows, within(1e-12));
  }

  /** An MT-Bench folder in the temporary directory with question 7 (these turns) and these judgement lines. */
  private Path mtBench(String turns, String... judgements) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("mt_bench"));
    Files.writeString(dir.resolve("contaminated_prompts.jsonl"), "");
    Files.writeString(dir.resolve("question.jsonl"),
        "{\"question_id\": 7, \"category\": \"math\", \"turns\": " + turns + "}\n");
    Files.writeString(dir.resolve("judgements.jsonl"), String.join("\n", judgements) + "\n");
    return dir;
  }

  private static String judgement(int question, String model, int turn, double score) {
    return "{\"question_id\": " + question + ", \"model\": \"" + model + "\", \"turn\": " + turn + ", \"score\": "
        + score + "}";
  }
}
