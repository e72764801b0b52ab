package dev.routellm.data;

import dev.routellm.InvalidFileException;
import dev.routellm.chat.Usage;
import dev.routellm.routing.Tier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Reads the user's own labelled prompts from a CSV or JSON Lines file (chosen by the extension: {@code .csv},
 * {@code .jsonl}).
 *
 * <p>One example per CSV row (after a header line) or per JSON object (one per line). Fields:
 *
 * <table>
 *   <caption>Fields of a user data file</caption>
 *   <tr><th>field</th><th></th><th>value</th></tr>
 *   <tr><td>{@code prompt}</td><td>required</td><td>the prompt a router decides on (JSONL may give {@code turns}, an
 *       array of user turns, instead; the first turn is routed on)</td></tr>
 *   <tr><td>{@code strong}, {@code weak}</td><td>required</td><td>each model's outcome: {@code true}/{@code false}
 *       (answer right or wrong, any case) or a number (a score, higher is better), one type in the whole file</td></tr>
 *   <tr><td>{@code id}</td><td>optional</td><td>a unique id; default: the line number</td></tr>
 *   <tr><td>{@code group}</td><td>optional</td><td>a category, subject or tenant</td></tr>
 *   <tr><td>{@code strong_model}, {@code weak_model}</td><td>optional</td><td>the models' names, the same on every
 *       row; default {@code strong} and {@code weak}</td></tr>
 *   <tr><td>{@code strong_response}, {@code weak_response}</td><td>optional</td><td>each model's answer text</td></tr>
 *   <tr><td>{@code strong_input_tokens}, {@code strong_output_tokens}, and the same for {@code weak}</td>
 *       <td>optional, in pairs</td><td>the call's token counts, integers {@code >= 0}</td></tr>
 *   <tr><td>{@code strong_cost}, {@code weak_cost}</td><td>optional</td><td>the call's cost in dollars,
 *       {@code >= 0}</td></tr>
 * </table>
 *
 * <p>In CSV an empty cell means an optional field is absent; fields may be quoted (RFC 4180) and hold commas, quotes
 * and newlines. In JSONL a {@code null} means absent; outcomes are JSON booleans or numbers. Any other field is an
 * error (a misspelt column must not be silently ignored). A file's outcomes are all {@code true}/{@code false}
 * (quality is an accuracy in percent) or all numbers (quality is the mean score, {@link QualityUnit#SCORE}); the first
 * outcome sets the type, and {@code 1}/{@code 0} are numbers, so an outcome of the other type is an error. The dataset
 * is named after the file.
 *
 * <p>A {@code .jsonl} file whose first object has a {@code model_a} field is a battle file ({@link BattleFiles}) of two
 * models, read with {@link BattleFiles#readAsDataset}.
 *
 * <p>Stateless and thread-safe. Every problem is an {@link InvalidFileException} naming the file, the line and the
 * field.
 */
public final class DatasetFiles {
  /** Every field a user data file may have. */
  public static final Set<String> FIELDS = Set.of("id", "prompt", "turns", "group", "strong", "weak", "strong_model",
      "weak_model", "strong_response", "weak_response", "strong_input_tokens", "strong_output_tokens",
      "weak_input_tokens", "weak_output_tokens", "strong_cost", "weak_cost");

  /** Model names used when the file names none. */
  public static final String DEFAULT_STRONG_MODEL = "strong";
  /** Model names used when the file names none. */
  public static final String DEFAULT_WEAK_MODEL = "weak";

  private DatasetFiles() {}

  /**
   * Reads a user data file.
   *
   * @throws InvalidFileException when the file is missing, its extension is neither {@code .csv} nor {@code .jsonl},
   *     or a row is malformed (the message names the file, the line and the field)
   */
  public static Dataset read(Path file) {
    Objects.requireNonNull(file, "file");
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    Reader reader = new Reader(file, name);
    if (lower.endsWith(".csv")) {
      CsvTable table = CsvTable.read(file);
      for (String column : table.header()) {
        if (column.equals("turns") || !FIELDS.contains(column)) {
          throw InvalidFileException.atLine(file, 1, unknownField(column));
        }
      }
      table.requireColumn("prompt");
      table.requireColumn("strong");
      table.requireColumn("weak");
      for (CsvTable.Row row : table.rows()) {
        reader.add(new CsvRow(table, row));
      }
    } else if (lower.endsWith(".jsonl")) {
      if (BattleFiles.isBattleFile(file)) {
        return BattleFiles.readAsDataset(file);
      }
      JsonLines.read(file, (line, object) -> reader.add(new JsonRow(file, line, object)));
    } else {
      throw InvalidFileException.of(file, "has an unknown format: expected a .csv or .jsonl file");
    }
    return reader.dataset();
  }

  private static String unknownField(String field) {
    return "unknown field '" + field + "' (expected " + new TreeSet<>(FIELDS) + ")";
  }

  /** One row of either format. */
  private interface Row {
    long line();

    /** The field's value as text, or null when absent or empty. */
    String text(String field);

    /** The user turns: the prompt, or JSONL's turns. */
    List<String> turns();
  }

  private static final class CsvRow implements Row {
    private final CsvTable table;
    private final CsvTable.Row row;

    CsvRow(CsvTable table, CsvTable.Row row) {
      this.table = table;
      this.row = row;
    }

    @Override
    public long line() {
      return row.line();
    }

    @Override
    public String text(String field) {
      int column = table.column(field);
      String value = column < 0 ? null : row.fields()[column];
      return value == null || value.isEmpty() ? null : value;
    }

    @Override
    public List<String> turns() {
      String prompt = text("prompt");
      if (prompt == null) {
        throw InvalidFileException.atLine(table.file(), row.line(), "field 'prompt' is missing or empty");
      }
      return List.of(prompt);
    }
  }

  private static final class JsonRow implements Row {
    private final Path file;
    private final long line;
    private final JsonNode object;

    JsonRow(Path file, long line, JsonNode object) {
      this.file = file;
      this.line = line;
      this.object = object;
      for (String field : object.propertyNames()) {
        if (!FIELDS.contains(field)) {
          throw InvalidFileException.atLine(file, line, unknownField(field));
        }
      }
    }

    @Override
    public long line() {
      return line;
    }

    @Override
    public String text(String field) {
      JsonNode value = object.get(field);
      if (value == null || value.isNull()) {
        return null;
      }
      if (value.isString()) {
        return value.stringValue().isEmpty() ? null : value.stringValue();
      }
      if (value.isBoolean() || value.isNumber()) {
        return value.asString();
      }
      throw InvalidFileException.atLine(file, line, "field '" + field + "' must be a string, number or boolean but was "
          + JsonLines.describe(value));
    }

    @Override
    public List<String> turns() {
      return JsonLines.turns(file, line, object);
    }
  }

  /** Turns rows into examples, checking each field. */
  private static final class Reader {
    private final Path file;
    private final String name;
    private final List<Example> examples = new ArrayList<>();
    private final Map<String, Long> idLines = new HashMap<>();
    private final String[] models = new String[2];
    private final long[] modelLines = new long[2];
    private boolean allBoolean;
    private long typeLine;
    private String typeField;

    Reader(Path file, String name) {
      this.file = file;
      this.name = name;
    }

    void add(Row row) {
      String id = row.text("id");
      if (id == null) {
        id = Long.toString(row.line());
      } else if (id.isBlank()) {
        throw InvalidFileException.atLine(file, row.line(), "field 'id' must not be blank");
      }
      Long first = idLines.putIfAbsent(id, row.line());
      if (first != null) {
        throw InvalidFileException.atLine(file, row.line(), "field 'id': '" + id + "' is already used on line " + first);
      }
      examples.add(Example.builder()
          .id(id)
          .turns(row.turns())
          .group(row.text("group"))
          .strong(outcome(row, Tier.STRONG))
          .weak(outcome(row, Tier.WEAK))
          .build());
    }

    private Outcome outcome(Row row, Tier tier) {
      String prefix = tier == Tier.STRONG ? "strong" : "weak";
      String value = row.text(prefix);
      if (value == null) {
        throw InvalidFileException.atLine(file, row.line(), "field '" + prefix + "' is missing or empty");
      }
      Outcome outcome;
      Boolean correct = CsvTable.booleanOrNull(value);
      if (correct != null) {
        outcome = Outcome.correct(correct);
      } else {
        outcome = Outcome.judged(number(row, prefix, value, "true, false or a finite number"));
      }
      outcomeType(row, prefix, value, correct != null);
      model(row, tier.ordinal(), prefix + "_model");
      String response = row.text(prefix + "_response");
      if (response != null) {
        outcome = outcome.withResponse(response);
      }
      String input = row.text(prefix + "_input_tokens");
      String output = row.text(prefix + "_output_tokens");
      if ((input == null) != (output == null)) {
        throw InvalidFileException.atLine(file, row.line(), "field '" + prefix + (input == null ? "_input" : "_output")
            + "_tokens' is missing: give both token counts or neither");
      }
      if (input != null) {
        outcome = outcome.withUsage(Usage.of(tokens(row, prefix + "_input_tokens", input),
            tokens(row, prefix + "_output_tokens", output)));
      }
      String cost = row.text(prefix + "_cost");
      if (cost != null) {
        double dollars = number(row, prefix + "_cost", cost, "a finite number >= 0");
        if (dollars < 0) {
          throw InvalidFileException.atLine(file, row.line(),
              "field '" + prefix + "_cost' must be a finite number >= 0 but was '" + cost + "'");
        }
        outcome = outcome.withCost(dollars);
      }
      return outcome;
    }

    /**
     * Holds every outcome to the type of the file's first one: all true/false (an accuracy) or all numbers (a score).
     * A 1 or 0 among true/false is a number, not a boolean, so a mixed file is an error rather than a silent switch
     * of the unit.
     */
    private void outcomeType(Row row, String field, String value, boolean isBoolean) {
      if (typeLine == 0) {
        allBoolean = isBoolean;
        typeLine = row.line();
        typeField = field;
      } else if (isBoolean != allBoolean) {
        throw InvalidFileException.atLine(file, row.line(), "field '" + field + "' must be "
            + (allBoolean ? "true or false" : "a number") + " like the file's first outcome (line " + typeLine
            + ", field '" + typeField + "') but was '" + abbreviate(value) + "': outcomes are all true/false or all"
            + " numbers");
      }
    }

    private void model(Row row, int slot, String field) {
      String model = row.text(field);
      if (model == null) {
        model = slot == 0 ? DEFAULT_STRONG_MODEL : DEFAULT_WEAK_MODEL;
      }
      if (models[slot] == null) {
        models[slot] = model;
        modelLines[slot] = row.line();
      } else if (!models[slot].equals(model)) {
        throw InvalidFileException.atLine(file, row.line(), "field '" + field + "' must be the same on every row: '"
            + model + "' here but '" + models[slot] + "' on line " + modelLines[slot]);
      }
    }

    private double number(Row row, String field, String value, String expected) {
      try {
        double d = Double.parseDouble(value.strip());
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw InvalidFileException.atLine(file, row.line(),
          "field '" + field + "' must be " + expected + " but was '" + abbreviate(value) + "'");
    }

    private long tokens(Row row, String field, String value) {
      try {
        long n = Long.parseLong(value.strip());
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw InvalidFileException.atLine(file, row.line(),
          "field '" + field + "' must be an integer >= 0 but was '" + abbreviate(value) + "'");
    }

    Dataset dataset() {
      if (examples.isEmpty()) {
        throw InvalidFileException.of(file, "holds no examples");
      }
      if (models[0].equals(models[1])) {
        throw InvalidFileException.of(file, "strong_model and weak_model must differ but both were '" + models[0] + "'");
      }
      return Dataset.builder()
          .name(name)
          .unit(allBoolean ? QualityUnit.ACCURACY_PERCENT : QualityUnit.SCORE)
          .strongModel(models[0])
          .weakModel(models[1])
          .examples(examples)
          .build();
    }

    private static String abbreviate(String value) {
      String oneLine = value.replace('\n', ' ').replace('\r', ' ');
      return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 37) + "...";
    }
  }
}
