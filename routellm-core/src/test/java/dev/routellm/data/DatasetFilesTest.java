package dev.routellm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.InvalidFileException;
import dev.routellm.chat.Usage;
import dev.routellm.routing.Tier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetFilesTest {
  @TempDir Path tmp;

  private Path write(String name, String content) throws IOException {
    Path file = tmp.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void read_csvWithQuotedCommasQuotesAndNewlines_keepsTheTextWhole() throws IOException {
    Path file = write("mine.csv", "prompt,strong,weak,group\n"
        + "\"Line one,\nline \"\"two\"\"\",true,false,math\n"
        + "plain,TRUE,True,\n");

    Dataset data = DatasetFiles.read(file);

    assertThat(data.name()).isEqualTo("mine.csv");
    assertThat(data.size()).isEqualTo(2);
    assertThat(data.example(0).prompt()).isEqualTo("Line one,\nline \"two\"");
    assertThat(data.example(0).group()).contains("math");
    assertThat(data.example(1).group()).isEmpty();
    assertThat(data.example(0).id()).isEqualTo("2");
    assertThat(data.example(1).id()).as("id defaults to the row's first line").isEqualTo("4");
    assertThat(data.unit()).isEqualTo(QualityUnit.ACCURACY_PERCENT);
    assertThat(data.quality(Tier.STRONG)).isEqualTo(100.0);
    assertThat(data.quality(Tier.WEAK)).isEqualTo(50.0);
    assertThat(data.strongModel()).isEqualTo(DatasetFiles.DEFAULT_STRONG_MODEL);
  }

  @Test
  void read_csvWithEveryOptionalField_keepsThemAll() throws IOException {
    Path file = write("full.csv", "id,prompt,strong,weak,strong_model,weak_model,strong_response,weak_response,"
        + "strong_input_tokens,strong_output_tokens,weak_input_tokens,weak_output_tokens,strong_cost,weak_cost\n"
        + "q1,Hi,8.5,6,gpt-4o,gpt-4o-mini,Hello!,hey,12,40,12,35,0.0012,0.00004\n");

    Dataset data = DatasetFiles.read(file);
    Example e = data.example(0);

    assertThat(data.unit()).isEqualTo(QualityUnit.SCORE);
    assertThat(data.strongModel()).isEqualTo("gpt-4o");
    assertThat(data.weakModel()).isEqualTo("gpt-4o-mini");
    assertThat(e.id()).isEqualTo("q1");
    assertThat(e.strong().score()).isEqualTo(8.5);
    assertThat(e.strong().response()).contains("Hello!");
    assertThat(e.weak().usage()).contains(Usage.of(12, 35));
    assertThat(e.strong().cost().orElseThrow()).isCloseTo(0.0012, within(1e-15));
  }

  @Test
  void read_jsonl_acceptsNumbersAndTurns() throws IOException {
    Path file = write("mine.jsonl", "{\"prompt\": \"a\", \"strong\": 1, \"weak\": 0}\n"
        + "\n"
        + "{\"id\": \"x\", \"turns\": [\"first\", \"second\"], \"strong\": 1, \"weak\": 0.5, \"group\": null}\n");

    Dataset data = DatasetFiles.read(file);

    assertThat(data.size()).isEqualTo(2);
    assertThat(data.example(0).id()).isEqualTo("1");
    assertThat(data.example(1).turns()).containsExactly("first", "second");
    assertThat(data.example(1).prompt()).isEqualTo("first");
    assertThat(data.unit()).isEqualTo(QualityUnit.SCORE);
    assertThat(data.quality(Tier.WEAK)).isEqualTo(0.25);
  }

  @Test
  void read_jsonlBooleans_isAnAccuracy() throws IOException {
    Path file = write("right.jsonl", "{\"prompt\": \"a\", \"strong\": true, \"weak\": false}\n"
        + "{\"prompt\": \"b\", \"strong\": true, \"weak\": true}\n");

    Dataset data = DatasetFiles.read(file);

    assertThat(data.unit()).isEqualTo(QualityUnit.ACCURACY_PERCENT);
    assertThat(data.quality(Tier.WEAK)).isEqualTo(50.0);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      bad outcome after a multi-line field | prompt,strong,weak\\n"a\\nb",true,false\\nc,yes,false\\n | line 4: field 'strong' must be true, false or a finite number but was 'yes'
      missing column                       | prompt,strong\\nq,true\\n                             | line 1: missing column 'weak' (the header has [prompt, strong])
      unknown column                       | prompt,strong,weak,stron_cost\\nq,true,false,1\\n      | line 1: unknown field 'stron_cost'
      too few fields                       | prompt,strong,weak\\nq,true,false\\nr,true\\n           | line 3: expected 3 fields [prompt, strong, weak] but found 2
      unterminated quote                   | prompt,strong,weak\\nq,true,false\\n"r,true,false\\n    | line 3: malformed CSV
      empty outcome                        | prompt,strong,weak\\nq,,false\\n                       | line 2: field 'strong' is missing or empty
      empty prompt                         | prompt,strong,weak\\n,true,false\\n                    | line 2: field 'prompt' is missing or empty
      negative tokens                      | prompt,strong,weak,weak_input_tokens,weak_output_tokens\\nq,1,0,-3,4\\n | line 2: field 'weak_input_tokens' must be an integer >= 0 but was '-3'
      one token count only                 | prompt,strong,weak,weak_input_tokens\\nq,1,0,3\\n      | line 2: field 'weak_output_tokens' is missing: give both token counts or neither
      negative cost                        | prompt,strong,weak,strong_cost\\nq,1,0,-1\\n           | line 2: field 'strong_cost' must be a finite number >= 0 but was '-1'
      duplicate id                         | id,prompt,strong,weak\\na,q,1,0\\na,r,1,0\\n           | line 3: field 'id': 'a' is already used on line 2
      model changes between rows           | prompt,strong,weak,strong_model\\nq,1,0,m1\\nr,1,0,m2\\n | line 3: field 'strong_model' must be the same on every row: 'm2' here but 'm1' on line 2
      infinite score                       | prompt,strong,weak\\nq,Infinity,0\\n                   | line 2: field 'strong' must be true, false or a finite number but was 'Infinity'
      1/0 among true/false                 | prompt,strong,weak\\nq,TRUE,False\\nr,1,0\\n         | line 3: field 'strong' must be true or false like the file's first outcome (line 2, field 'strong') but was '1': outcomes are all true/false or all numbers
      true/false among scores              | prompt,strong,weak\\nq,8,3\\nr,7,false\\n           | line 3: field 'weak' must be a number like the file's first outcome (line 2, field 'strong') but was 'false'
      """)
  void read_malformedCsv_throwsNamingFileLineAndField(String name, String content, String expected)
      throws IOException {
    Path file = write("bad.csv", content.replace("\\n", "\n"));

    assertThatThrownBy(() -> DatasetFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file + " " + expected)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      not JSON              | {"prompt": "a", "strong": true, "weak": false}\\n{"prompt": "b", |  line 2: malformed JSON
      not an object         | [1, 2]\\n                                                          |  line 1: expected a JSON object but found ARRAY
      outcome is an object  | {"prompt": "a", "strong": {"x": 1}, "weak": false}\\n              |  line 1: field 'strong' must be a string, number or boolean but was {"x":1}
      prompt and turns      | {"prompt": "a", "turns": ["a"], "strong": 1, "weak": 0}\\n         |  line 1: fields 'prompt' and 'turns' are both given: give one
      no prompt             | {"strong": 1, "weak": 0}\\n                                        |  line 1: field 'prompt' is missing
      turns not strings     | {"turns": [1], "strong": 1, "weak": 0}\\n                          |  line 1: field 'turns' must be a non-empty array of strings but was [1]
      unknown field         | {"prompt": "a", "strong": 1, "weak": 0, "score": 3}\\n             |  line 1: unknown field 'score'
      boolean then score    | {"prompt": "a", "strong": true, "weak": 8}\\n                    |  line 1: field 'weak' must be true or false like the file's first outcome (line 1, field 'strong') but was '8': outcomes are all true/false or all numbers
      score then boolean    | {"prompt": "a", "strong": 1, "weak": 0}\\n{"prompt": "b", "strong": false, "weak": 0}\\n |  line 2: field 'strong' must be a number like the file's first outcome (line 1, field 'strong') but was 'false'
      """)
  void read_malformedJsonl_throwsNamingFileLineAndField(String name, String content, String expected)
      throws IOException {
    Path file = write("bad.jsonl", content.replace("\\n", "\n"));

    assertThatThrownBy(() -> DatasetFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file + " " + expected.strip());
  }

  @Test
  void read_unknownExtension_throws() throws IOException {
    Path file = write("data.tsv", "prompt\tstrong\tweak\n");

    assertThatThrownBy(() -> DatasetFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessage(file + ": has an unknown format: expected a .csv or .jsonl file");
  }

  @Test
  void read_headerOnly_throwsNoExamples() throws IOException {
    Path file = write("empty.csv", "prompt,strong,weak\n");

    assertThatThrownBy(() -> DatasetFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessage(file + ": holds no examples");
  }

  @Test
  void read_missingFile_throwsNamingIt() {
    Path file = tmp.resolve("absent.csv");

    assertThatThrownBy(() -> DatasetFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessage(file + ": no such file");
  }

  @Test
  void read_sameModelNamedStrongAndWeak_throws() throws IOException {
    Path file = write("same.csv", "prompt,strong,weak,strong_model,weak_model\nq,1,0,m,m\n");

    assertThatThrownBy(() -> DatasetFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessage(file + ": strong_model and weak_model must differ but both were 'm'");
  }

  @Test
  void read_csvWithByteOrderMarkAndCrlf_readsTheHeader() throws IOException {
    Path file = write("bom.csv", "\uFEFFprompt,strong,weak\r\nq,true,false\r\n");

    assertThat(DatasetFiles.read(file).examples()).extracting(Example::prompt).isEqualTo(List.of("q"));
  }
}
