package dev.routellm.labelling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.InvalidFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptFilesTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void read_textFile_oneHashedPromptPerLineDuplicatesOnce() throws IOException {
    PromptFiles.Read read = PromptFiles.read(write("p.txt", "\uFEFFWhat is 2+2?\n\nHello\nWhat is 2+2?\n"));

    assertThat(read.prompts()).extracting(LabelPrompt::prompt).containsExactly("What is 2+2?", "Hello");
    assertThat(read.prompts().get(0).id()).isEqualTo(LabelPrompt.idOf("What is 2+2?")).startsWith("sha256:")
        .hasSize("sha256:".length() + 16);
    assertThat(read.duplicates()).isEqualTo(1);
  }

  @Test
  void read_trafficLog_skipsAndCountsHashOnlyLines() throws IOException {
    Path log = write("traffic.jsonl", """
        {"time": "2026-01-01T00:00:00Z", "prompt": "Explain TCP", "model": "gpt-4o", "cost": 0.001}
        {"time": "2026-01-01T00:00:01Z", "prompt_sha256": "abc", "model": "gpt-4o-mini"}
        {"id": "q7", "turns": ["First turn", "second"], "answer": "# 18"}
        {"prompt": "With a reference", "reference": "ref", "strong": true, "weak": false}
        """);

    PromptFiles.Read read = PromptFiles.read(log);

    assertThat(read.prompts()).containsExactly(LabelPrompt.of("Explain TCP"), new LabelPrompt("q7", "First turn", "# 18"),
        new LabelPrompt(LabelPrompt.idOf("With a reference"), "With a reference", "ref"));
    assertThat(read.hashedOnly()).isEqualTo(1);
  }

  @Test
  void read_csv_readsPromptIdAndReferenceColumns() throws IOException {
    PromptFiles.Read read = PromptFiles.read(write("p.csv",
        "id,prompt,strong,weak,reference\n1,\"Hello, world\",true,false,\n2,\"multi\nline\",true,true,42\n"));

    assertThat(read.prompts()).containsExactly(new LabelPrompt("1", "Hello, world", null),
        new LabelPrompt("2", "multi\nline", "42"));
  }

  @Test
  void read_brokenFiles_nameFileAndLine() throws IOException {
    assertThatThrownBy(() -> PromptFiles.read(write("a.jsonl", "{\"prompt\": \"ok\"}\n{\"text\": \"x\"}\n")))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("a.jsonl line 2: field 'prompt' is missing");
    assertThatThrownBy(() -> PromptFiles.read(write("b.jsonl", "{\"prompt\": 3}\n")))
        .hasMessageContaining("b.jsonl line 1: field 'prompt' must be a non-blank string but was 3");
    assertThatThrownBy(() -> PromptFiles.read(write("c.jsonl", "{\"prompt\": \"x\", \"id\": \" \"}\n")))
        .hasMessageContaining("c.jsonl: line 1: id must not be blank");
    assertThatThrownBy(() -> PromptFiles.read(write("d.jsonl", "{broken\n")))
        .hasMessageContaining("d.jsonl line 1: malformed JSON");
    assertThatThrownBy(() -> PromptFiles.read(write("e.csv", "text\nhello\n")))
        .hasMessageContaining("e.csv line 1: has no 'prompt' column (columns: text)");
    assertThatThrownBy(() -> PromptFiles.read(write("f.md", "hello")))
        .hasMessageContaining("f.md: has an unknown format");
    assertThatThrownBy(() -> PromptFiles.read(write("g.jsonl", "{\"prompt_sha256\": \"abc\"}\n")))
        .hasMessageContaining("g.jsonl: holds only prompt hashes (1 lines)");
    assertThatThrownBy(() -> PromptFiles.read(write("h.txt", "\n \n")))
        .hasMessageContaining("h.txt: holds no prompt");
    assertThatThrownBy(() -> PromptFiles.read(dir.resolve("missing.txt")))
        .hasMessageContaining("missing.txt: no such file");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"p.txt", "p.jsonl", "p.csv"})
  void read_directoryOrHugeFile_isAClearError(String name) throws IOException {
    Path directory = Files.createDirectories(dir.resolve("d").resolve(name));
    assertThatThrownBy(() -> PromptFiles.read(directory)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("is a directory");
    Path huge = dir.resolve(name);
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: takes no disk
    }
    assertThatThrownBy(() -> PromptFiles.read(huge)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("is 3 GiB (3221225472 bytes), over the limit of");
  }
}
