package dev.routellm.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.InvalidFileException;
import dev.routellm.chat.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CascadeDataFileTest {
  @TempDir Path dir;

  @Test
  void read_jsonlWithEveryShape_parsesFeaturesOutcomesAndTokens() throws IOException {
    Path file =
        write(
            "answers.jsonl",
            """
            {"correct": true, "logprobs": [-0.5, -0.1, -2.0, -0.4], "strong_correct": false, "prompt_tokens": 95, "completion_tokens": 4, "strong_completion_tokens": 7}

            {"correct": 0, "features": {"sum": -31.5, "tokens": 76}, "id": 17}
            {"correct": 1, "logprobs": [{"token": "4", "logprob": -0.02, "top_logprobs": [{"token": "4", "logprob": -0.02}, {"token": "5", "logprob": -4.1}]}]}
            """);

    List<CascadeExample> examples = CascadeDataFile.read(file);

    assertThat(examples).hasSize(3);
    CascadeExample first = examples.get(0);
    assertThat(first.correct()).isTrue();
    assertThat(first.features().get(LogprobFeature.SUM)).isCloseTo(-3.0, within(1e-12));
    assertThat(first.strongCorrect()).contains(false);
    assertThat(first.usage()).contains(Usage.of(95, 4));
    assertThat(first.strongUsage()).contains(Usage.of(95, 7));
    assertThat(first.line()).isEqualTo(1);
    CascadeExample second = examples.get(1);
    assertThat(second.correct()).isFalse();
    assertThat(second.line()).isEqualTo(3);
    assertThat(second.features().get(LogprobFeature.TOKENS)).isEqualTo(76);
    assertThat(second.features().has(LogprobFeature.MEAN)).isFalse();
    assertThat(second.strongCorrect()).isEmpty();
    assertThat(second.usage()).isEmpty();
    assertThat(examples.get(2).features().get(LogprobFeature.MARGIN_MEAN)).isCloseTo(4.08, within(1e-12));
  }

  @Test
  void read_csvWithLogprobsColumn_parsesEachRow() throws IOException {
    Path file =
        write(
            "answers.csv",
            """
            correct,logprobs,strong_correct,prompt_tokens,completion_tokens
            true,-0.5 -0.1 -2.0 -0.4,true,95,4
            False,-3 -1,,,
            """);

    List<CascadeExample> examples = CascadeDataFile.read(file);

    assertThat(examples).hasSize(2);
    assertThat(examples.get(0).features().get(LogprobFeature.P25)).isCloseTo(-0.875, within(1e-12));
    assertThat(examples.get(0).usage()).contains(Usage.of(95, 4));
    assertThat(examples.get(1).correct()).isFalse();
    assertThat(examples.get(1).strongCorrect()).isEqualTo(Optional.empty());
    assertThat(examples.get(1).features().get(LogprobFeature.SUM)).isEqualTo(-4.0);
  }

  @Test
  void read_csvWithFeatureColumns_parsesThem() throws IOException {
    Path file = write("f.csv", "id,correct,sum,mean\na,1,-20,-0.4\nb,0,-35.5,-0.9\n");

    List<CascadeExample> examples = CascadeDataFile.read(file);

    assertThat(examples.get(1).features().get(LogprobFeature.MEAN)).isEqualTo(-0.9);
    assertThat(examples.get(1).line()).isEqualTo(3);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing correct | {'logprobs': [-1]} | line 1: field 'correct' is required",
        "both shapes | {'correct': true, 'logprobs': [-1], 'features': {'sum': -1}} | line 1: exactly one of the fields 'logprobs' and 'features' is required but both were given",
        "neither shape | {'correct': true} | neither was given",
        "typo | {'correct': true, 'logprobs': [-1], 'strong_corect': true} | line 1: unknown field 'strong_corect'",
        "string logprob | {'correct': true, 'logprobs': [-1, 'x']} | field 'logprobs[1]' must be a finite number but was \"x\"",
        "bad boolean | {'correct': 'yes', 'logprobs': [-1]} | field 'correct' must be true or false (or 1 or 0) but was \"yes\"",
        "unknown feature | {'correct': true, 'features': {'avg': -1}} | unknown log-probability feature 'avg'",
        "half usage | {'correct': true, 'logprobs': [-1], 'prompt_tokens': 5} | fields 'prompt_tokens' and 'completion_tokens' go together",
        "strong tokens without prompt | {'correct': true, 'logprobs': [-1], 'strong_completion_tokens': 9} | fields 'prompt_tokens' and 'strong_completion_tokens' go together but only 'strong_completion_tokens' was given",
        "negative tokens | {'correct': true, 'logprobs': [-1], 'prompt_tokens': -5, 'completion_tokens': 1} | field 'prompt_tokens' must be an integer >= 0",
        "empty logprobs | {'correct': true, 'logprobs': []} | field 'logprobs' must be a non-empty array",
        "token object without logprob | {'correct': true, 'logprobs': [{'token': 'a'}]} | field 'logprobs[0]': field 'logprob' is required",
        "logprob above 0 | {'correct': true, 'logprobs': [-1, 0.5]} | line 1: field 'logprobs[1]' must be a log-probability, finite and <= 0, but was 0.5",
        "logprob just past rounding | {'correct': true, 'logprobs': [2e-6]} | field 'logprobs[0]' must be a log-probability",
        "token logprob above 0 | {'correct': true, 'logprobs': [{'token': 'a', 'logprob': 0.2}]} | field 'logprobs[0].logprob' must be a log-probability, finite and <= 0, but was 0.2",
        "alternative above 0 | {'correct': true, 'logprobs': [{'token': 'a', 'logprob': -0.1, 'top_logprobs': [{'token': 'a', 'logprob': -0.1}, {'token': 'b', 'logprob': 3}]}]} | field 'logprobs[0].top_logprobs[1].logprob' must be a log-probability",
        "sum feature above 0 | {'correct': true, 'features': {'sum': 2}} | field 'features.sum' must be a log-probability, finite and <= 0, but was 2.0",
        "no tokens | {'correct': true, 'features': {'sum': -1, 'tokens': 0}} | field 'features.tokens' must be a token count >= 1 but was 0.0",
        "negative margin | {'correct': true, 'features': {'margin_min': -0.5}} | field 'features.margin_min' must be a log-probability margin >= 0",
      })
  void read_badJsonlLine_namesFileLineAndField(String title, String line, String expected) throws IOException {
    Path file = write("bad.jsonl", line.replace('\'', '"') + "\n");

    assertThatThrownBy(() -> CascadeDataFile.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0.0", "1e-6"})
  void read_logprobAtMostRoundingAboveZero_isReadAsZero(String value) throws IOException {
    Path file = write("ok.jsonl", "{\"correct\": true, \"logprobs\": [-1, " + value + "]}\n");

    CascadeExample example = CascadeDataFile.read(file).get(0);

    assertThat(example.features().get(LogprobFeature.SUM)).isEqualTo(-1.0);
    assertThat(example.features().get(LogprobFeature.MIN)).isEqualTo(-1.0);
  }

  @Test
  void read_malformedJsonOnLaterLine_namesThatLine() throws IOException {
    Path file = write("bad.jsonl", "{\"correct\": true, \"logprobs\": [-1]}\n{\"correct\": tru\n");

    assertThatThrownBy(() -> CascadeDataFile.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("line 2: not valid JSON");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown column | 'correct,logprobs,strong_corect\ntrue,-1,true\n' | line 1: unknown column 'strong_corect' in the header",
        "logprob above 0 | 'correct,logprobs\ntrue,-1\nfalse,-0.5 0.5\n' | line 3: field 'logprobs[1]' must be a log-probability, finite and <= 0, but was 0.5",
        "feature above 0 | 'correct,mean\ntrue,0.25\n' | line 2: field 'mean' must be a log-probability",
        "bad number | 'correct,sum\ntrue,-1\nfalse,abc\n' | line 3: field 'sum' must be a finite number but was 'abc'",
        "empty correct | 'correct,sum\n,-1\n' | line 2: column 'correct' is required",
        "both shapes | 'correct,sum,logprobs\ntrue,-1,-1\n' | both were given",
        "bad boolean | 'correct,sum\nmaybe,-1\n' | field 'correct' must be true or false",
      })
  void read_badCsv_namesFileLineAndField(String title, String csv, String expected) throws IOException {
    Path file = write("bad.csv", csv.replace("\\n", "\n"));

    assertThatThrownBy(() -> CascadeDataFile.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void read_emptyFile_isRejected() throws IOException {
    Path file = write("empty.jsonl", "\n\n");

    assertThatThrownBy(() -> CascadeDataFile.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("holds no examples");
  }

  @Test
  void read_unknownExtension_isRejected() throws IOException {
    Path file = write("data.txt", "x");

    assertThatThrownBy(() -> CascadeDataFile.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(".jsonl or .csv");
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }
}
