package dev.routellm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.InvalidFileException;
import dev.routellm.prediction.Battle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BattleFilesTest {
  @TempDir Path dir;

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void read_ownFormat_sharesRepeatedPromptsAndReadsEveryWinner() throws IOException {
    Path file = write("b.jsonl",
        "{\"prompt\": \"p1\", \"model_a\": \"big\", \"model_b\": \"small\", \"winner\": \"model_a\", \"judge\": \"j\","
            + " \"scores\": {\"big\": 8, \"small\": 3}}",
        "",
        "{\"prompt\": \"p2\", \"model_a\": \"small\", \"model_b\": \"big\", \"winner\": \"model_b\"}",
        "{\"prompt\": \"p1\", \"model_a\": \"big\", \"model_b\": \"mid\", \"winner\": \"tie\"}");

    BattleSet set = BattleFiles.read(file);

    assertThat(set.prompts()).containsExactly("p1", "p2");
    assertThat(set.battles()).containsExactly(
        new Battle(0, "big", "small", Battle.Winner.MODEL_A),
        new Battle(1, "small", "big", Battle.Winner.MODEL_B),
        new Battle(0, "big", "mid", Battle.Winner.TIE));
    assertThat(set.models()).containsExactly("big", "mid", "small");
    assertThat(set.records().get("big")).isEqualTo(new BattleSet.Record(3, 2, 1));
  }

  @Test
  void read_scores_areKeptPerBattleAndMakeAGradedDataset() throws IOException {
    Path file = write("judged.jsonl",
        "{\"prompt\": \"p1\", \"model_a\": \"big\", \"model_b\": \"small\", \"winner\": \"model_a\","
            + " \"scores\": {\"big\": 8, \"small\": 3.5}}",
        "{\"prompt\": \"p2\", \"model_a\": \"small\", \"model_b\": \"big\", \"winner\": \"tie\","
            + " \"scores\": {\"small\": 6, \"big\": 6}}");

    BattleSet set = BattleFiles.read(file);
    Dataset d = DatasetFiles.read(file);

    assertThat(set.scores(0)).hasValueSatisfying(v -> assertThat(v).containsExactly(8, 3.5));
    assertThat(d.unit()).isEqualTo(QualityUnit.SCORE);
    assertThat(d.scores(dev.routellm.routing.Tier.STRONG)).containsExactly(8.0, 6.0);
    assertThat(d.scores(dev.routellm.routing.Tier.WEAK)).containsExactly(3.5, 6.0);
  }

  @Test
  void read_arenaLines_takesTheFirstUserMessageAndBothTies() throws IOException {
    Path file = write("arena.jsonl",
        "{\"question_id\": \"q1\", \"model_a\": \"vicuna-13b\", \"model_b\": \"koala-13b\", \"winner\": \"tie (bothbad)\","
            + " \"conversation_a\": [{\"role\": \"user\", \"content\": \"What is AI?\"}, {\"role\": \"assistant\","
            + " \"content\": \"...\"}], \"turn\": 1, \"language\": \"English\"}",
        "{\"question_id\": \"q2\", \"model_a\": \"koala-13b\", \"model_b\": \"vicuna-13b\", \"winner\": \"model_a\","
            + " \"conversation_a\": [{\"role\": \"system\", \"content\": \"be nice\"}, {\"role\": \"user\","
            + " \"content\": \"Write a poem\"}]}");

    BattleSet set = BattleFiles.read(file);

    assertThat(set.prompts()).containsExactly("What is AI?", "Write a poem");
    assertThat(set.battles()).extracting(Battle::winner).containsExactly(Battle.Winner.TIE, Battle.Winner.MODEL_A);
  }

  @Test
  void write_thenRead_givesTheSameBattles() {
    BattleSet set = BattleSet.fromOutcomes(List.of("a \"quoted\"\nprompt", "b", "a \"quoted\"\nprompt"),
        Map.of("x", new double[] {1, 0, 1}, "y", new double[] {0, 0, Double.NaN}));
    Path file = dir.resolve("round.jsonl");

    BattleFiles.write(file, set);
    BattleSet back = BattleFiles.read(file);

    assertThat(back.prompts()).isEqualTo(set.prompts());
    assertThat(back.battles()).isEqualTo(set.battles());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"prompt\": \"p\", \"model_a\": \"a\", \"model_b\": \"b\"}|line 2: field 'winner' must be a string but was absent",
      "{\"prompt\": \"p\", \"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"a\"}|line 2: field 'winner' must be one of"
          + " [model_a, model_b, tie, tie (bothbad)] but was 'a'",
      "{\"prompt\": \"p\", \"model_a\": \"a\", \"model_b\": \"a\", \"winner\": \"tie\"}|line 2: fields 'model_a' and"
          + " 'model_b' must differ but both were 'a'",
      "{\"prompt\": \"p\", \"model_a\": \" \", \"model_b\": \"b\", \"winner\": \"tie\"}|line 2: field 'model_a' must not"
          + " be blank",
      "{\"prompt\": \"p\", \"model_a\": 3, \"model_b\": \"b\", \"winner\": \"tie\"}|line 2: field 'model_a' must be a"
          + " string but was 3",
      "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}|line 2: field 'prompt' is missing (and there is no"
          + " Arena 'conversation_a' to take it from)",
      "{\"prompt\": \"\", \"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}|line 2: field 'prompt' must be a"
          + " non-blank string but was \"\"",
      "{\"conversation_a\": [{\"role\": \"assistant\", \"content\": \"x\"}], \"model_a\": \"a\", \"model_b\": \"b\","
          + " \"winner\": \"tie\"}|line 2: field 'conversation_a' must be an array of",
      "{\"prompt\": \"p\", \"model_a\": \"a\", |line 2: malformed JSON",
      "[1, 2]|line 2: expected a JSON object but found ARRAY",
      "{\"prompt\": \"p\", \"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"scores\": {\"a\": 1}}|line 2:"
          + " field 'scores' must give a number for 'a' and for 'b' but was {\"a\":1}"})
  void read_brokenSecondLine_namesFileLineAndField(String second, String message) throws IOException {
    Path file = write("broken.jsonl", "{\"prompt\": \"ok\", \"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}",
        second);

    assertThatThrownBy(() -> BattleFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("broken.jsonl")
        .hasMessageContaining(message);
  }

  @Test
  void read_jsonArrayDump_saysToConvertToLines() throws IOException {
    Path file = write("dump.jsonl", "[{\"prompt\": \"p\", \"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}]");

    assertThatThrownBy(() -> BattleFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("is one JSON array").hasMessageContaining("jq -c '.[]'");
  }

  @Test
  void read_emptyOrMissingFile_isAnError() throws IOException {
    Path empty = write("empty.jsonl", "", "  ");
    assertThatThrownBy(() -> BattleFiles.read(empty)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("holds no battles");
    assertThatThrownBy(() -> BattleFiles.read(dir.resolve("absent.jsonl"))).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("absent.jsonl");
  }

  @Test
  void datasetFiles_twoModelBattleFile_readsAsAPairDatasetStrongerFirst() throws IOException {
    Path file = write("pair.jsonl",
        "{\"prompt\": \"p1\", \"model_a\": \"small\", \"model_b\": \"big\", \"winner\": \"model_b\"}",
        "{\"prompt\": \"p1\", \"model_a\": \"big\", \"model_b\": \"small\", \"winner\": \"tie\"}",
        "{\"prompt\": \"p2\", \"model_a\": \"big\", \"model_b\": \"small\", \"winner\": \"model_b\"}",
        "{\"prompt\": \"p3\", \"model_a\": \"big\", \"model_b\": \"small\", \"winner\": \"model_a\"}");

    Dataset data = DatasetFiles.read(file);

    assertThat(data.strongModel()).isEqualTo("big");
    assertThat(data.weakModel()).isEqualTo("small");
    assertThat(data.unit()).isEqualTo(BattleSet.WIN_RATE_PERCENT);
    assertThat(data.prompts()).containsExactly("p1", "p2", "p3");
    assertThat(data.scores(dev.routellm.routing.Tier.STRONG)).containsExactly(0.75, 0.0, 1.0);
    assertThat(data.scores(dev.routellm.routing.Tier.WEAK)).containsExactly(0.25, 1.0, 0.0);
  }

  @Test
  void datasetFiles_battleFileOfThreeModels_asksForThePair() throws IOException {
    Path file = write("three.jsonl",
        "{\"prompt\": \"p1\", \"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"model_a\"}",
        "{\"prompt\": \"p1\", \"model_a\": \"a\", \"model_b\": \"c\", \"winner\": \"model_a\"}");

    assertThatThrownBy(() -> DatasetFiles.read(file)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("three.jsonl").hasMessageContaining("the battles hold 3 models [a, b, c]")
        .hasMessageContaining("--strong-model");
  }

  @Test
  void readAndDetect_hugeFileOrLongLine_areClearErrors() throws IOException {
    Path huge = dir.resolve("huge.jsonl");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: takes no disk
    }
    assertThatThrownBy(() -> BattleFiles.read(huge)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("over the limit of");
    assertThatThrownBy(() -> BattleFiles.isBattleFile(huge)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("over the limit of");
    Path longLine = dir.resolve("long.jsonl");
    try (var out = Files.newBufferedWriter(longLine, StandardCharsets.UTF_8)) {
      char[] chunk = new char[1 << 20];
      java.util.Arrays.fill(chunk, 'x');
      for (int i = 0; i <= (dev.routellm.internal.BoundedFiles.MAX_LINE_CHARS >> 20); i++) {
        out.write(chunk);
      }
    }
    assertThatThrownBy(() -> BattleFiles.isBattleFile(longLine)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("long.jsonl line 1: line is longer than");
  }
}
