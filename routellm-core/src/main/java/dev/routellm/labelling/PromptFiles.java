package dev.routellm.labelling;

import dev.routellm.InvalidFileException;
import dev.routellm.data.JsonLines;
import dev.routellm.internal.BoundedFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvReadFeature;
import tools.jackson.dataformat.csv.CsvSchema;

/**
 * Reads prompts to label from a file, by extension:
 *
 * <ul>
 *   <li>{@code .txt}: one prompt per line (blank lines skipped);
 *   <li>{@code .jsonl}: one object per line with {@code prompt} (or {@code turns}, an array of user turns: the first
 *       is labelled), optionally {@code id} and a reference answer {@code reference} (or {@code answer}, as ZeroEval's
 *       files name it). Traffic logs of {@code dev.routellm.traffic}, user data files, N-model data files and battle
 *       files all have this shape; other fields are ignored. A traffic-log line that kept only the prompt's hash
 *       ({@code prompt_sha256}) has no text to label: it is skipped and counted;
 *   <li>{@code .csv}: a header with a {@code prompt} column, optionally {@code id} and {@code reference}.
 * </ul>
 *
 * <p>A prompt without an id gets the hash of its text ({@link LabelPrompt#idOf}); a prompt whose id was already read
 * (the same text twice in a traffic log) is read once and counted. Stateless and thread-safe.
 */
public final class PromptFiles {
  private static final CsvMapper CSV = CsvMapper.builder().enable(CsvReadFeature.SKIP_EMPTY_LINES).build();

  private PromptFiles() {}

  /**
   * The prompts of a file, and what was skipped.
   *
   * @param prompts the prompts, in file order, distinct ids
   * @param duplicates lines whose id (or text) was already read
   * @param hashedOnly traffic-log lines that hold only a hash of the prompt
   */
  public record Read(List<LabelPrompt> prompts, int duplicates, int hashedOnly) {
    public Read {
      prompts = List.copyOf(prompts);
    }
  }

  /**
   * Reads a prompt file.
   *
   * @throws InvalidFileException when the file is missing or unreadable, of another extension, holds no prompt, or a
   *     line is malformed (the message names the file, the line and the field)
   */
  public static Read read(Path file) {
    Objects.requireNonNull(file, "file");
    BoundedFiles.check(file, BoundedFiles.MAX_DATA_BYTES, "prompt file");
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    Collector c = new Collector(file);
    try {
      if (name.endsWith(".txt")) {
        readText(file, c);
      } else if (name.endsWith(".jsonl")) {
        readJsonLines(file, c);
      } else if (name.endsWith(".csv")) {
        readCsv(file, c);
      } else {
        throw InvalidFileException.of(file, "has an unknown format: expected .txt (one prompt per line), .jsonl or"
            + " .csv");
      }
    } catch (IOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    }
    if (c.prompts.isEmpty()) {
      throw InvalidFileException.of(file, c.hashedOnly > 0 ? "holds only prompt hashes (" + c.hashedOnly + " lines):"
          + " the traffic log was written without prompt text, so there is nothing to label" : "holds no prompt");
    }
    return new Read(new ArrayList<>(c.prompts.values()), c.duplicates, c.hashedOnly);
  }

  private static void readText(Path file, Collector c) throws IOException {
    try (BoundedFiles.Lines lines = BoundedFiles.lines(file, BoundedFiles.MAX_DATA_BYTES, "prompt file")) {
      String line;
      while ((line = lines.next()) != null) {
        if (lines.number() == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (!line.isBlank()) {
          c.add(null, line, null, "line " + lines.number());
        }
      }
    } catch (BoundedFiles.LineTooLongException e) {
      throw InvalidFileException.atLine(file, e.line(), "line is longer than " + BoundedFiles.MAX_LINE_CHARS
          + " characters", e);
    }
  }

  private static void readJsonLines(Path file, Collector c) {
    JsonLines.read(file, (line, node) -> {
      String prompt = prompt(file, line, node);
      if (prompt == null) {
        if (node.has("prompt_sha256")) {
          c.hashedOnly++;
          return;
        }
        throw InvalidFileException.atLine(file, line, "field 'prompt' is missing (or 'turns', or a traffic log's"
            + " 'prompt_sha256')");
      }
      c.add(text(file, line, node, "id"), prompt, reference(file, line, node), "line " + line);
    });
  }

  private static String prompt(Path file, long line, JsonNode node) {
    JsonNode prompt = node.get("prompt");
    if (prompt != null && !prompt.isNull()) {
      if (!prompt.isString() || prompt.stringValue().isBlank()) {
        throw InvalidFileException.atLine(file, line, "field 'prompt' must be a non-blank string but was "
            + describe(prompt));
      }
      return prompt.stringValue();
    }
    JsonNode turns = node.get("turns");
    if (turns != null && !turns.isNull()) {
      if (!turns.isArray() || turns.isEmpty() || !turns.get(0).isString() || turns.get(0).stringValue().isBlank()) {
        throw InvalidFileException.atLine(file, line, "field 'turns' must be an array of strings, the first not blank,"
            + " but was " + describe(turns));
      }
      return turns.get(0).stringValue();
    }
    return null;
  }

  private static String reference(Path file, long line, JsonNode node) {
    String reference = text(file, line, node, "reference");
    return reference != null ? reference : text(file, line, node, "answer");
  }

  /** A string (or number) field, null when absent. */
  private static String text(Path file, long line, JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isString() || v.isNumber()) {
      return v.asString();
    }
    throw InvalidFileException.atLine(file, line, "field '" + field + "' must be a string but was " + describe(v));
  }

  private static void readCsv(Path file, Collector c) throws IOException {
    try (var it = CSV.readerFor(String[].class).with(CsvSchema.emptySchema()).with(CsvReadFeature.WRAP_AS_ARRAY)
        .<String[]>readValues(file.toFile())) {
      if (!it.hasNext()) {
        return;
      }
      String[] header = it.next();
      int prompt = -1;
      int id = -1;
      int reference = -1;
      for (int i = 0; i < header.length; i++) {
        String h = header[i].strip();
        if (i == 0 && h.startsWith("\uFEFF")) {
          h = h.substring(1);
        }
        switch (h) {
          case "prompt" -> prompt = i;
          case "id" -> id = i;
          case "reference" -> reference = i;
          default -> { } // other columns (outcomes, models) are not needed here
        }
      }
      if (prompt < 0) {
        throw InvalidFileException.atLine(file, 1, "has no 'prompt' column (columns: " + String.join(", ", header)
            + ")");
      }
      long row = 1;
      while (it.hasNext()) {
        String[] fields = it.next();
        row++;
        String p = prompt < fields.length ? fields[prompt] : null;
        if (p == null || p.isBlank()) {
          throw InvalidFileException.of(file, "record " + row + " (the header is record 1): field 'prompt' is"
              + " missing or empty");
        }
        c.add(id >= 0 && id < fields.length && !fields[id].isBlank() ? fields[id] : null, p,
            reference >= 0 && reference < fields.length ? fields[reference] : null, "record " + row);
      }
    } catch (JacksonException e) {
      throw InvalidFileException.of(file, "malformed CSV: " + e.getOriginalMessage(), e);
    }
  }

  private static String describe(JsonNode v) {
    String text = v.toString();
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  /** Keeps the first prompt of each id. */
  private static final class Collector {
    final Path file;
    final Map<String, LabelPrompt> prompts = new LinkedHashMap<>();
    int duplicates;
    int hashedOnly;

    Collector(Path file) {
      this.file = file;
    }

    void add(String id, String prompt, String reference, String where) {
      LabelPrompt p;
      try {
        p = new LabelPrompt(id == null ? LabelPrompt.idOf(prompt) : id, prompt, reference);
      } catch (IllegalArgumentException e) {
        throw InvalidFileException.of(file, where + ": " + e.getMessage(), e);
      }
      if (prompts.putIfAbsent(p.id(), p) != null) {
        duplicates++;
      }
    }
  }
}
