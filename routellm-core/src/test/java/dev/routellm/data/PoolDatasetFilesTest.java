package dev.routellm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.InvalidFileException;
import dev.routellm.chat.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolDatasetFilesTest {
  @TempDir Path tmp;

  private Path write(String name, String content) throws IOException {
    Path file = tmp.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void zeroEval_gsm8k_readsEveryModelTheEstimatedTokensAndTheFiveAnswerTexts() {
    PoolDataset data = NwayData.gsm8k();

    assertThat(data.name()).isEqualTo("gsm8k.jsonl");
    assertThat(data.size()).isEqualTo(1_319);
    assertThat(data.models()).hasSize(41).startsWith("Athene-70B");
    assertThat(data.unit()).isEqualTo(QualityUnit.ACCURACY_PERCENT);
    assertThat(data.quality("gpt-4o-2024-08-06")).isCloseTo(96.2092, within(0.0001));
    PoolExample first = data.example(0);
    assertThat(first.id()).isEqualTo("gsm8k-main-test-#0");
    assertThat(first.prompt()).startsWith("Janet’s ducks lay 16 eggs per day.");
    assertThat(first.reference()).contains("# 18");
    Outcome gpt4o = first.outcome("gpt-4o-2024-08-06");
    assertThat(gpt4o.usage()).contains(new Usage(120, 87, true));
    assertThat(gpt4o.response()).isEmpty();
    assertThat(first.outcome("gpt-4o-mini-2024-07-18").response().orElseThrow()).contains("\"answer\": \"18\"");
    long withTexts = data.models().stream().filter(m -> data.example(5).outcome(m).response().isPresent()).count();
    assertThat(withTexts).as("five cheap models have answer texts").isEqualTo(5);
  }

  @Test
  void zeroEval_mathL5_acceptsIntegerIds() {
    PoolDataset data = NwayData.mathL5();

    assertThat(data.size()).isEqualTo(721);
    assertThat(data.models()).hasSize(38);
    assertThat(data.example(0).id()).isEqualTo("0");
    assertThat(data.quality("Qwen2.5-72B-Instruct")).isCloseTo(60.1942, within(0.0001));
    assertThat(data.example(0).outcome("gemini-1.5-flash").response()).isPresent();
  }

  @Test
  void llmRouter_keepsSplitAndTaskAndReportsAMeanScoreInPercent() {
    PoolDataset data = NwayData.llmRouter();

    assertThat(data.size()).isEqualTo(6_108);
    assertThat(data.models()).hasSize(9).startsWith("llama3-chatqa-1.5-8b", "qwen2.5-7b-instruct");
    assertThat(data.unit()).isEqualTo(PoolDataset.SCORE_PERCENT);
    assertThat(data.example(0).split()).contains("train");
    assertThat(data.example(0).group()).contains("agentverse-logicgrid");
    assertThat(data.examples().stream().filter(e -> e.split().orElseThrow().equals("test")).count()).isEqualTo(500);
    assertThat(data.quality("llama-3.1-nemotron-51b-instruct")).isCloseTo(61.6514, within(0.0001));
    assertThat(data.example(0).outcome("gemma-2-9b-it").usage()).isEmpty();
  }

  @Test
  void read_csvWithPerModelColumnsAndSharedInputTokens_keepsEveryField() throws IOException {
    Path file = write("pool.csv", "id,prompt,task,split,answer,outcomes:a,outcomes:b,outcomes:c,input_tokens,"
        + "output_tokens:a,output_tokens:b,output_tokens:c,costs:c,responses:a\n"
        + "q1,\"Hi, there\",chat,train,hello,true,false,TRUE,12,40,35,30,0.002,\"Hello!\"\n"
        + "q2,Sum 2+2,math,,4,false,false,true,8,3,4,5,,\n");

    PoolDataset data = PoolDatasetFiles.read(file);

    assertThat(data.models()).containsExactly("a", "b", "c");
    assertThat(data.unit()).isEqualTo(QualityUnit.ACCURACY_PERCENT);
    assertThat(data.quality("c")).isEqualTo(100.0);
    assertThat(data.quality("a")).isEqualTo(50.0);
    PoolExample q1 = data.example(0);
    assertThat(q1.prompt()).isEqualTo("Hi, there");
    assertThat(q1.group()).contains("chat");
    assertThat(q1.split()).contains("train");
    assertThat(q1.reference()).contains("hello");
    assertThat(q1.outcome("a").usage()).contains(Usage.of(12, 40));
    assertThat(q1.outcome("a").response()).contains("Hello!");
    assertThat(q1.outcome("b").usage()).contains(Usage.of(12, 35));
    assertThat(q1.outcome("b").response()).isEmpty();
    assertThat(q1.outcome("c").cost().orElseThrow()).isEqualTo(0.002);
    assertThat(data.example(1).split()).isEmpty();
    assertThat(data.example(1).outcome("c").usage()).contains(Usage.of(8, 5));
  }

  @Test
  void read_jsonlWithGradedScores_isAMeanScoreInPercentAndKeepsCosts() throws IOException {
    Path file = write("pool.jsonl", "{\"prompt\": \"a\", \"outcomes\": {\"x\": 0.5, \"y\": 1}, \"costs\": {\"x\":"
        + " 0.001,"
        + " \"y\": 0.01}, \"input_tokens\": {\"x\": 3, \"y\": 4}, \"output_tokens\": {\"x\": 5, \"y\": 6}}\n"
        + "\n"
        + "{\"id\": 7, \"turns\": [\"one\", \"two\"], \"outcomes\": {\"y\": 0, \"x\": 0.25}, \"group\": null}\n");

    PoolDataset data = PoolDatasetFiles.read(file);

    assertThat(data.unit()).isEqualTo(PoolDataset.SCORE_PERCENT);
    assertThat(data.quality("x")).isCloseTo(37.5, within(1e-12));
    assertThat(data.example(0).id()).isEqualTo("1");
    assertThat(data.example(1).id()).isEqualTo("7");
    assertThat(data.example(1).turns()).containsExactly("one", "two");
    assertThat(data.example(0).outcome("y").cost().orElseThrow()).isEqualTo(0.01);
    assertThat(data.example(0).outcome("y").usage()).contains(Usage.of(4, 6));
  }

  @Test
  void read_numbersBeyondOne_areAPlainScore() throws IOException {
    Path file = write("judged.jsonl", "{\"prompt\": \"a\", \"outcomes\": {\"x\": 8, \"y\": 6.5}}\n");

    assertThat(PoolDatasetFiles.read(file).unit()).isEqualTo(QualityUnit.SCORE);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "unknown field|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1}, \"cost\": 1}|line 1: unknown field 'cost'",
      "no outcomes|{\"prompt\": \"a\"}|line 1: field 'outcomes' is missing or empty",
      "outcomes not an object|{\"prompt\": \"a\", \"outcomes\": 1}|line 1: field 'outcomes' must be an object",
      "a model missing|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1, \"y\": 0}}\\n{\"prompt\": \"b\", \"outcomes\":"
          + " {\"x\": 1}}|line 2: field 'outcomes' must name the same models as line 1 but lacks [y]",
      "an extra model|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1}}\\n{\"prompt\": \"b\", \"outcomes\": {\"x\": 1,"
          + " \"z\": 0}}|line 2: field 'outcomes' must name the same models as line 1 but has extra [z]",
      "mixed types|{\"prompt\": \"a\", \"outcomes\": {\"x\": true, \"y\": 1}}|line 1: field 'outcomes', model 'y',"
          + " must be true or false like the file's first outcome (line 1, model 'x')",
      "not a number|{\"prompt\": \"a\", \"outcomes\": {\"x\": \"yes\"}}|line 1: field 'outcomes', model 'x', must be"
          + " true, false or a finite number but was 'yes'",
      "output without input|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1}, \"output_tokens\": {\"x\": 4}}|line 1:"
          + " field 'input_tokens' is missing for model 'x': give both token counts or neither",
      "count and estimate|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1}, \"input_tokens\": 3, \"input_tokens_est\": 4,"
          + " \"output_tokens\": 1}|line 1: fields 'input_tokens' and 'input_tokens_est' both give model 'x' a count",
      "negative tokens|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1}, \"input_tokens\": -3, \"output_tokens\": 1}|line"
          + " 1: field 'input_tokens', model 'x', must be an integer >= 0 but was '-3'",
      "negative cost|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1}, \"costs\": {\"x\": -0.1}}|line 1: field 'costs',"
          + " model 'x', must be a finite number >= 0 but was '-0.1'",
      "cost of an unknown model|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1}, \"costs\": {\"q\": 0.1}}|line 1: field"
          + " 'costs' names model 'q', which has no outcome on this line",
      "repeated id|{\"id\": \"a\", \"prompt\": \"a\", \"outcomes\": {\"x\": 1}}\\n{\"id\": \"a\", \"prompt\": \"b\","
          + " \"outcomes\": {\"x\": 1}}|line 2: field 'id': 'a' is already used on line 1",
      "group and task|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1}, \"group\": \"g\", \"task\": \"t\"}|line 1: fields"
          + " 'group' and 'task' are both given",
      "null outcome|{\"prompt\": \"a\", \"outcomes\": {\"x\": 1, \"y\": null}}|line 1: field 'outcomes', model"
          + " 'y', is null",
      "prompt missing|{\"outcomes\": {\"x\": 1}}|line 1: field 'prompt' is missing",
      "malformed|{\"prompt\": |line 1: malformed JSON"
  })
  void read_brokenJsonl_namesTheLineFieldAndModel(String what, String content, String message) throws IOException {
    Path file = write("broken.jsonl", content.replace("\\n", "\n") + "\n");

    assertThatThrownBy(() -> PoolDatasetFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("broken.jsonl")
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "unknown column|prompt,outcomes:a,cost:a\\nhi,true,1|line 1: unknown column 'cost:a'",
      "bare model column|prompt,gpt-4o\\nhi,true|line 1: unknown column 'gpt-4o'",
      "no outcome columns|prompt,id\\nhi,1|line 1: no outcome columns",
      "per-model column without outcomes|prompt,outcomes:a,costs:b\\nhi,true,0.1|line 1: column 'costs:b' names"
          + " model 'b', which has no column 'outcomes:b'",
      "empty outcome|prompt,outcomes:a,outcomes:b\\nhi,true,|line 2: field 'outcomes', model 'b', is empty",
      "empty prompt|prompt,outcomes:a\\n,true|line 2: field 'prompt' is missing or empty",
      "wrong field count|prompt,outcomes:a\\nhi,true,extra|line 2: expected 2 fields"
  })
  void read_brokenCsv_namesTheLineAndField(String what, String content, String message) throws IOException {
    Path file = write("broken.csv", content.replace("\\n", "\n") + "\n");

    assertThatThrownBy(() -> PoolDatasetFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("broken.csv")
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "N-model jsonl|a.jsonl|{\"prompt\": \"p\", \"outcomes\": {\"a\": 1, \"b\": 0}}|true",
      "N-model csv|a.csv|prompt,outcomes:a,outcomes:b|true",
      "quoted N-model csv header|a.csv|\"prompt\",\"outcomes:a\"|true",
      "two-model jsonl|a.jsonl|{\"prompt\": \"p\", \"strong\": true, \"weak\": false}|false",
      "two-model csv|a.csv|prompt,strong,weak|false",
      "battle file|a.jsonl|{\"prompt\": \"p\", \"model_a\": \"x\", \"model_b\": \"y\", \"winner\": \"tie\"}|false",
      "not json|a.jsonl|outcomes|false",
      "text file|a.txt|outcomes:a|false"
  })
  void isPoolFile_looksAtTheFirstLine(String what, String name, String firstLine, boolean expected)
      throws IOException {
    Path file = Files.writeString(tmp.resolve(name), firstLine + "\n", StandardCharsets.UTF_8);

    assertThat(PoolDatasetFiles.isPoolFile(file)).isEqualTo(expected);
    assertThat(PoolDatasetFiles.isPoolFile(tmp.resolve("missing.jsonl"))).isFalse();
  }

  @Test
  void datasetFilesRead_nModelFile_saysWhatItIsInsteadOfAnUnknownField() {
    Path gsm8k = NwayData.zeroEvalDir().resolve("gsm8k.jsonl");

    assertThatThrownBy(() -> DatasetFiles.read(gsm8k)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("is an N-model file ('outcomes' holds one outcome per model), not a two-model file")
        .hasMessageContaining("PoolDatasetFiles.read").hasMessageNotContaining("unknown field");
  }

  @Test
  void read_emptyFileOrOtherExtension_isAnError() throws IOException {
    Path empty = write("empty.jsonl", "\n");
    Path text = write("data.txt", "x");

    assertThatThrownBy(() -> PoolDatasetFiles.read(empty)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("holds no examples");
    assertThatThrownBy(() -> PoolDatasetFiles.read(text)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("expected a .csv or .jsonl file");
  }

  @Test
  void withResponses_attachesTextsByIdAndSkipsOtherModels() throws IOException {
    Path file = write("d/bench.jsonl", "{\"id\": \"q1\", \"prompt\": \"a\", \"outcomes\": {\"x\": 1, \"y\": 0}}\n"
        + "{\"id\": 2, \"prompt\": \"b\", \"outcomes\": {\"x\": 0, \"y\": 0}}\n");
    write("d/responses/bench/x.jsonl", "{\"id\": 2, \"response\": \"the answer is 4\"}\n");
    write("d/responses/bench/other.jsonl", "{\"id\": \"unknown\", \"response\": \"ignored: not in the pool\"}\n");

    PoolDataset data = PoolDatasetFiles.zeroEval(tmp.resolve("d"), "bench");

    assertThat(PoolDatasetFiles.responsesBeside(file)).contains(tmp.resolve("d/responses/bench").toAbsolutePath());
    assertThat(data.example(1).outcome("x").response()).contains("the answer is 4");
    assertThat(data.example(0).outcome("x").response()).isEmpty();
    assertThat(data.example(1).outcome("y").response()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "unknown id|{\"id\": \"zz\", \"response\": \"r\"}|line 1: field 'id': 'zz' is not an example of bench.jsonl",
      "repeated id|{\"id\": \"q1\", \"response\": \"r\"}\\n{\"id\": \"q1\", \"response\": \"s\"}|line 2: field 'id':"
          + " 'q1' already has an answer on line 1",
      "unknown field|{\"id\": \"q1\", \"text\": \"r\"}|line 1: unknown field 'text'",
      "response not a string|{\"id\": \"q1\", \"response\": 4}|line 1: field 'response' must be a string"
  })
  void withResponses_brokenFile_namesTheFileLineAndField(String what, String content, String message)
      throws IOException {
    write("d/bench.jsonl", "{\"id\": \"q1\", \"prompt\": \"a\", \"outcomes\": {\"x\": 1}}\n");
    write("d/responses/bench/x.jsonl", content.replace("\\n", "\n") + "\n");

    assertThatThrownBy(() -> PoolDatasetFiles.zeroEval(tmp.resolve("d"), "bench"))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("x.jsonl")
        .hasMessageContaining(message);
  }

  @Test
  void withModels_keepsThePoolInTheOrderGiven() {
    PoolDataset data = NwayData.gsm8k().withModels(List.of("gpt-4o-2024-08-06", "gemini-1.5-flash"));

    assertThat(data.models()).containsExactly("gpt-4o-2024-08-06", "gemini-1.5-flash");
    assertThat(data.example(0).outcomes().keySet()).containsExactly("gpt-4o-2024-08-06", "gemini-1.5-flash");
    assertThat(data.quality("gpt-4o-2024-08-06")).isCloseTo(96.2092, within(0.0001));
    assertThat(data.score(0, 1)).isEqualTo(data.example(0).outcome("gemini-1.5-flash").score());
    assertThatThrownBy(() -> data.withModels(List.of("gpt-4o-2024-08-06", "o1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no model 'o1'");
    assertThatThrownBy(() -> data.withModels(List.of("gemini-1.5-flash", "gemini-1.5-flash")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("appears twice");
  }
}
