package dev.routellm.data;

import dev.routellm.internal.BoundedFiles;
import dev.routellm.InvalidFileException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads JSON Lines files: one JSON object per line, blank lines skipped, a byte-order mark on the first line ignored;
 * every error is an {@link InvalidFileException} naming the file and line. Stateless and thread-safe.
 */
public final class JsonLines {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** Receives each object with its 1-based line number. */
  @FunctionalInterface
  public interface LineHandler {
    /** One object; may throw an {@link InvalidFileException} of its own about it. */
    void accept(long line, JsonNode object);
  }

  private JsonLines() {}

  /**
   * Calls the handler with every object of the file, in order.
   *
   * @throws InvalidFileException when the file is missing or unreadable, or a line is not a JSON object
   */
  public static void read(Path file, LineHandler handler) {
    long line = 0;
    try (BoundedFiles.Lines reader = BoundedFiles.lines(file, BoundedFiles.MAX_DATA_BYTES, "data file")) {
      String text;
      while ((text = reader.next()) != null) {
        line++;
        if (line == 1 && text.startsWith("\uFEFF")) {
          text = text.substring(1);
        }
        if (text.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(text);
        } catch (JacksonException e) {
          throw InvalidFileException.atLine(file, line, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (!node.isObject()) {
          throw InvalidFileException.atLine(file, line, "expected a JSON object but found " + node.getNodeType());
        }
        handler.accept(line, node);
      }
    } catch (BoundedFiles.LineTooLongException e) {
      throw InvalidFileException.atLine(file, e.line(), "line is longer than " + BoundedFiles.MAX_LINE_CHARS
          + " characters", e);
    } catch (IOException | UncheckedIOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * A string property every object must have.
   *
   * @throws InvalidFileException naming file, line and field when it is missing or not a string
   */
  static String requireString(Path file, long line, JsonNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || !value.isString()) {
      throw InvalidFileException.atLine(file, line, "field '" + field + "' must be a string but was "
          + describe(value));
    }
    return value.stringValue();
  }

  /**
   * An integer property every object must have.
   *
   * @throws InvalidFileException naming file, line and field when it is missing or not an integer
   */
  static long requireLong(Path file, long line, JsonNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
      throw InvalidFileException.atLine(file, line, "field '" + field + "' must be an integer but was "
          + describe(value));
    }
    return value.longValue();
  }

  /**
   * A finite number property every object must have.
   *
   * @throws InvalidFileException naming file, line and field when it is missing or not a finite number
   */
  static double requireNumber(Path file, long line, JsonNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || !value.isNumber() || !Double.isFinite(value.doubleValue())) {
      throw InvalidFileException.atLine(file, line, "field '" + field + "' must be a number but was "
          + describe(value));
    }
    return value.doubleValue();
  }

  /**
   * The user turns of a line: its {@code prompt} (one turn) or its {@code turns} (a non-empty array of strings), one
   * of the two and not both.
   *
   * @throws InvalidFileException naming file, line and field otherwise
   */
  static List<String> turns(Path file, long line, JsonNode object) {
    JsonNode prompt = object.get("prompt");
    JsonNode turns = object.get("turns");
    boolean hasPrompt = prompt != null && !prompt.isNull();
    boolean hasTurns = turns != null && !turns.isNull();
    if (hasPrompt == hasTurns) {
      throw InvalidFileException.atLine(file, line,
          hasPrompt ? "fields 'prompt' and 'turns' are both given: give one" : "field 'prompt' is missing");
    }
    if (hasPrompt) {
      if (!prompt.isString() || prompt.stringValue().isEmpty()) {
        throw InvalidFileException.atLine(file, line, "field 'prompt' must be a non-empty string but was "
            + describe(prompt));
      }
      return List.of(prompt.stringValue());
    }
    List<String> list = new ArrayList<>();
    if (turns.isArray()) {
      for (JsonNode turn : turns) {
        if (!turn.isString()) {
          list = List.of();
          break;
        }
        list.add(turn.stringValue());
      }
    }
    if (list.isEmpty()) {
      throw InvalidFileException.atLine(file, line, "field 'turns' must be a non-empty array of strings but was "
          + describe(turns));
    }
    return list;
  }

  /** A value for error messages: absent, or its JSON text cut to 40 characters. */
  static String describe(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "absent";
    }
    String text = value.toString();
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
