package dev.routellm.data;

import dev.routellm.InvalidFileException;
import dev.routellm.chat.Usage;
import dev.routellm.internal.BoundedFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * Reads labelled prompts for a pool of N models from a CSV or JSON Lines file (chosen by the extension), and attaches
 * the models' answer texts kept in separate files. ZeroEval's {@code gsm8k.jsonl} and {@code math-l5.jsonl} and
 * LLMRouter's {@code llmrouter.jsonl} are files of this format as published (see {@link #zeroEval} and
 * {@link #llmRouter}).
 *
 * <p>JSONL: one object per line. CSV: a header, then one row per example; a per-model field is one column per model
 * named {@code field:model} ({@code outcomes:gpt-4o}), or for the token counts a single column for every model.
 *
 * <table>
 *   <caption>Fields of an N-model data file</caption>
 *   <tr><th>field</th><th></th><th>value</th></tr>
 *   <tr><td>{@code prompt}</td><td>required</td><td>the prompt (JSONL may give {@code turns}, an array of user turns,
 *       instead; the first is routed on)</td></tr>
 *   <tr><td>{@code outcomes}</td><td>required</td><td>each model's outcome: {@code {"gpt-4o": true, ...}} in JSONL,
 *       columns {@code outcomes:MODEL} in CSV; {@code true}/{@code false} or numbers (higher is better), one type in
 *       the whole file; every example has the same models</td></tr>
 *   <tr><td>{@code id}</td><td>optional</td><td>a unique id (string or integer); default: the line number</td></tr>
 *   <tr><td>{@code group} or {@code task}</td><td>optional</td><td>a category (LLMRouter's task)</td></tr>
 *   <tr><td>{@code split}</td><td>optional</td><td>the published split ({@code train}, {@code test})</td></tr>
 *   <tr><td>{@code answer}</td><td>optional</td><td>the reference answer</td></tr>
 *   <tr><td>{@code input_tokens}, {@code output_tokens}</td><td>optional, in pairs</td><td>each call's token
 *       counts: one integer for every model or one per model ({@code {"gpt-4o": 87}}, columns
 *       {@code output_tokens:MODEL}); {@code input_tokens_est}/{@code output_tokens_est} give estimates instead (as
 *       ZeroEval does), and the costs computed from them are marked estimated</td></tr>
 *   <tr><td>{@code costs}</td><td>optional</td><td>each call's cost in dollars, {@code >= 0}, per model</td></tr>
 *   <tr><td>{@code responses}</td><td>optional</td><td>each model's answer text, per model</td></tr>
 * </table>
 *
 * <p>Units: outcomes that are all {@code true}/{@code false}, or all numbers equal to 0 or 1, are an accuracy in
 * percent ({@link QualityUnit#ACCURACY_PERCENT}); numbers all in [0, 1] otherwise are a mean score in percent
 * ({@link PoolDataset#SCORE_PERCENT}); other numbers are a plain {@link QualityUnit#SCORE}. In CSV an empty cell (in
 * JSONL a {@code null}) is absent. An unknown field or column, a model missing from one row, a value of the wrong type,
 * one token count without the other: each is an {@link InvalidFileException} naming the file, the line, the field and
 * the model.
 *
 * <p>Stateless and thread-safe.
 */
public final class PoolDatasetFiles {
  /** Every field a JSONL line may have (CSV columns: these, with per-model ones as {@code field:model}). */
  public static final Set<String> FIELDS = Set.of("id", "prompt", "turns", "group", "task", "split", "answer",
      "outcomes", "input_tokens", "output_tokens", "input_tokens_est", "output_tokens_est", "costs", "responses");

  /** The per-model fields. */
  static final List<String> PER_MODEL = List.of("outcomes", "input_tokens", "output_tokens", "input_tokens_est",
      "output_tokens_est", "costs", "responses");

  /** The fields of an answer-text file line ({@link #withResponses}). */
  static final Set<String> RESPONSE_FIELDS = Set.of("id", "response");

  private PoolDatasetFiles() {}

  /**
   * Reads an N-model data file ({@code .csv} or {@code .jsonl}); the dataset is named after the file.
   *
   * @throws InvalidFileException when the file is missing, of another extension, or malformed (the message names the
   *     file, the line, the field and the model)
   */
  public static PoolDataset read(Path file) {
    Objects.requireNonNull(file, "file");
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    Reader reader = new Reader(file, name);
    if (lower.endsWith(".csv")) {
      CsvTable table = CsvTable.read(file);
      CsvLayout layout = CsvLayout.of(table);
      for (CsvTable.Row row : table.rows()) {
        reader.add(layout.row(row));
      }
    } else if (lower.endsWith(".jsonl")) {
      JsonLines.read(file, (line, object) -> reader.add(jsonRow(file, line, object)));
    } else {
      throw InvalidFileException.of(file, "has an unknown format: expected a .csv or .jsonl file");
    }
    return reader.dataset();
  }

  /**
   * Whether {@code file} looks like an N-model data file rather than a two-model one ({@link DatasetFiles}): a
   * {@code .jsonl} file whose first object has {@code outcomes} and neither {@code strong} nor {@code weak}, or a
   * {@code .csv} file whose header has an {@code outcomes} or {@code outcomes:MODEL} column. Reads the first line only;
   * false for any other file, a missing one or one that is not JSON (the reader that handles it reports that).
   *
   * @throws InvalidFileException when the file cannot be read or its first line is too long
   */
  public static boolean isPoolFile(Path file) {
    Objects.requireNonNull(file, "file");
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean csv = name.endsWith(".csv");
    if ((!csv && !name.endsWith(".jsonl")) || !Files.isRegularFile(file)) {
      return false;
    }
    try (BoundedFiles.Lines lines = BoundedFiles.lines(file, BoundedFiles.MAX_DATA_BYTES, "data file")) {
      String text;
      while ((text = lines.next()) != null) {
        if (text.isBlank()) {
          continue;
        }
        text = text.startsWith("\uFEFF") ? text.substring(1) : text;
        if (csv) {
          for (String column : text.split(",")) {
            String c = column.strip().replace("\"", "");
            if (c.equals("outcomes") || c.startsWith("outcomes:")) {
              return true;
            }
          }
          return false;
        }
        JsonNode node = JsonLines.parse(text);
        return node != null && node.isObject() && node.has("outcomes") && !node.has("strong") && !node.has("weak");
      }
      return false;
    } catch (BoundedFiles.LineTooLongException e) {
      throw InvalidFileException.atLine(file, e.line(), "line is longer than " + BoundedFiles.MAX_LINE_CHARS
          + " characters", e);
    } catch (IOException | UncheckedIOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * ZeroEval's data for one benchmark, as laid out in {@code ../shared/data/nway/zeroeval}: {@code
   * <directory>/<benchmark>.jsonl} with, when present, the answer texts of {@code
   * <directory>/responses/<benchmark>/<model>.jsonl}. Token counts there are estimates (characters / 4).
   *
   * @param benchmark {@code "gsm8k"} or {@code "math-l5"} (any file name stem)
   * @throws InvalidFileException as {@link #read} and {@link #withResponses}
   */
  public static PoolDataset zeroEval(Path directory, String benchmark) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(benchmark, "benchmark");
    PoolDataset data = read(directory.resolve(benchmark + ".jsonl"));
    Path responses = directory.resolve("responses").resolve(benchmark);
    return Files.isDirectory(responses) ? withResponses(data, responses) : data;
  }

  /**
   * LLMRouter's joined data ({@code llmrouter.jsonl}): prompts with their published {@code split} and {@code task}
   * (kept as the group) and each model's score in [0, 1]. It has no token counts.
   *
   * @throws InvalidFileException as {@link #read}
   */
  public static PoolDataset llmRouter(Path file) {
    return read(file);
  }

  /**
   * The answer-text directory that belongs beside a data file in ZeroEval's layout ({@code
   * responses/<file name without extension>/}), when it exists.
   */
  public static java.util.Optional<Path> responsesBeside(Path file) {
    Objects.requireNonNull(file, "file");
    String name = String.valueOf(file.getFileName());
    int dot = name.lastIndexOf('.');
    Path parent = file.toAbsolutePath().getParent();
    Path dir = parent == null ? null : parent.resolve("responses").resolve(dot > 0 ? name.substring(0, dot) : name);
    return dir != null && Files.isDirectory(dir) ? java.util.Optional.of(dir) : java.util.Optional.empty();
  }

  /**
   * The dataset with the answer texts of {@code directory/<model>.jsonl} (lines {@code {"id": ..., "response":
   * "..."}}) attached to its models' outcomes. Files of models the dataset lacks are skipped; an example without a
   * line keeps its outcome as it was.
   *
   * @throws InvalidFileException when the directory cannot be listed, or a line is malformed, names an unknown id or
   *     repeats one (the message names the file, the line and the field)
   */
  public static PoolDataset withResponses(PoolDataset data, Path directory) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(directory, "directory");
    if (!Files.isDirectory(directory)) {
      throw InvalidFileException.of(directory, "is not a directory of answer texts");
    }
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < data.size(); i++) {
      ids.put(data.example(i).id(), i);
    }
    List<Map<String, String>> texts = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      texts.add(new HashMap<>());
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      throw InvalidFileException.of(directory, "cannot be listed: " + e.getMessage(), e);
    }
    for (Path file : files) {
      String fileName = file.getFileName().toString();
      String model = fileName.substring(0, fileName.length() - ".jsonl".length());
      if (!data.hasModel(model)) {
        continue;
      }
      Map<String, Long> seen = new HashMap<>();
      JsonLines.read(file, (line, object) -> {
        for (String field : object.propertyNames()) {
          if (!RESPONSE_FIELDS.contains(field)) {
            throw InvalidFileException.atLine(file, line, "unknown field '" + field + "' (expected "
                + new TreeSet<>(RESPONSE_FIELDS) + ")");
          }
        }
        String id = idText(file, line, object.get("id"));
        if (id == null) {
          throw InvalidFileException.atLine(file, line, "field 'id' is missing");
        }
        Integer example = ids.get(id);
        if (example == null) {
          throw InvalidFileException.atLine(file, line, "field 'id': '" + id + "' is not an example of "
              + data.name());
        }
        Long first = seen.putIfAbsent(id, line);
        if (first != null) {
          throw InvalidFileException.atLine(file, line, "field 'id': '" + id + "' already has an answer on line "
              + first);
        }
        texts.get(example).put(model, JsonLines.requireString(file, line, object, "response"));
      });
    }
    List<PoolExample> examples = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      PoolExample e = data.example(i);
      if (texts.get(i).isEmpty()) {
        examples.add(e);
        continue;
      }
      PoolExample.Builder b = e.toBuilder();
      texts.get(i).forEach((model, text) -> b.outcome(model, e.outcome(model).withResponse(text)));
      examples.add(b.build());
    }
    return data.toBuilder().examples(examples).build();
  }

  private static String idText(Path file, long line, JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isString() && !value.stringValue().isBlank()) {
      return value.stringValue();
    }
    if (value.isIntegralNumber()) {
      return value.asString();
    }
    throw InvalidFileException.atLine(file, line, "field 'id' must be a non-blank string or an integer but was "
        + JsonLines.describe(value));
  }

  private static String unknownField(String field) {
    return "unknown field '" + field + "' (expected " + new TreeSet<>(FIELDS) + ")";
  }

  /**
   * One row of either format, in text: scalar fields, and for each per-model field either nothing, one value for
   * every model (key {@code null}) or a value per model.
   */
  private record Row(long line, String id, List<String> turns, Map<String, String> scalars,
      Map<String, Map<String, String>> perModel) {}

  private static Row jsonRow(Path file, long line, JsonNode object) {
    for (String field : object.propertyNames()) {
      if (!FIELDS.contains(field)) {
        throw InvalidFileException.atLine(file, line, unknownField(field));
      }
    }
    Map<String, String> scalars = new HashMap<>();
    for (String field : List.of("group", "task", "split", "answer")) {
      JsonNode v = object.get(field);
      if (v != null && !v.isNull()) {
        if (!v.isString() && !v.isNumber()) {
          throw InvalidFileException.atLine(file, line, "field '" + field + "' must be a string but was "
              + JsonLines.describe(v));
        }
        if (!v.asString().isEmpty()) {
          scalars.put(field, v.asString());
        }
      }
    }
    Map<String, Map<String, String>> perModel = new HashMap<>();
    for (String field : PER_MODEL) {
      JsonNode v = object.get(field);
      if (v == null || v.isNull()) {
        continue;
      }
      Map<String, String> values = new LinkedHashMap<>();
      if (v.isObject()) {
        for (Map.Entry<String, JsonNode> entry : v.properties()) {
          String text = jsonValue(file, line, field, entry.getKey(), entry.getValue());
          if (text != null) {
            values.put(entry.getKey(), text);
          }
        }
      } else if (field.contains("tokens") && (v.isNumber() || v.isString())) {
        values.put(null, jsonValue(file, line, field, null, v));
      } else {
        throw InvalidFileException.atLine(file, line, "field '" + field + "' must be an object of one value per"
            + " model" + (field.contains("tokens") ? " or one integer for every model" : "") + " but was "
            + JsonLines.describe(v));
      }
      perModel.put(field, values);
    }
    return new Row(line, idText(file, line, object.get("id")), JsonLines.turns(file, line, object), scalars,
        perModel);
  }

  private static String jsonValue(Path file, long line, String field, String model, JsonNode v) {
    if (v.isNull() && field.equals("outcomes")) {
      throw InvalidFileException.atLine(file, line, "field 'outcomes', model '" + model + "', is null: every example"
          + " needs every model's outcome");
    }
    if (v.isNull()) {
      return null;
    }
    if (v.isString() || v.isBoolean() || v.isNumber()) {
      return v.asString();
    }
    throw InvalidFileException.atLine(file, line, "field '" + field + "'" + (model == null ? "" : ", model '" + model
        + "',") + " must be a string, number or boolean but was " + JsonLines.describe(v));
  }

  /** Which CSV column holds what. */
  private record CsvLayout(CsvTable table, Map<String, Integer> scalars, Map<String, Map<String, Integer>> perModel) {
    static CsvLayout of(CsvTable table) {
      Path file = table.file();
      Map<String, Integer> scalars = new HashMap<>();
      Map<String, Map<String, Integer>> perModel = new HashMap<>();
      List<String> header = table.header();
      for (int c = 0; c < header.size(); c++) {
        String column = header.get(c);
        int colon = column.indexOf(':');
        String field = colon < 0 ? column : column.substring(0, colon);
        String model = colon < 0 ? null : column.substring(colon + 1);
        boolean known = colon < 0
            ? FIELDS.contains(field) && !field.equals("turns") && !field.equals("outcomes")
                && !field.equals("costs") && !field.equals("responses")
            : PER_MODEL.contains(field) && !model.isBlank();
        if (!known) {
          throw InvalidFileException.atLine(file, 1, "unknown column '" + column + "' (expected id, prompt, group,"
              + " task, split, answer, and per model " + PER_MODEL.stream().map(f -> f + ":MODEL").toList()
              + "; input_tokens and output_tokens may also be one column for every model)");
        }
        if (PER_MODEL.contains(field)) {
          perModel.computeIfAbsent(field, f -> new LinkedHashMap<>()).put(model, c);
        } else {
          scalars.put(field, c);
        }
      }
      table.requireColumn("prompt");
      Map<String, Integer> outcomes = perModel.get("outcomes");
      if (outcomes == null) {
        throw InvalidFileException.atLine(file, 1, "no outcome columns: name one column 'outcomes:MODEL' per model"
            + " (the header has " + header + ")");
      }
      perModel.forEach((field, columns) -> columns.keySet().forEach(model -> {
        if (model != null && !outcomes.containsKey(model)) {
          throw InvalidFileException.atLine(file, 1, "column '" + field + ":" + model + "' names model '" + model
              + "', which has no column 'outcomes:" + model + "'");
        }
      }));
      return new CsvLayout(table, scalars, perModel);
    }

    Row row(CsvTable.Row row) {
      String[] cells = row.fields();
      Map<String, String> values = new HashMap<>();
      scalars.forEach((field, c) -> {
        if (!cells[c].isEmpty()) {
          values.put(field, cells[c]);
        }
      });
      String prompt = values.remove("prompt");
      if (prompt == null) {
        throw InvalidFileException.atLine(table.file(), row.line(), "field 'prompt' is missing or empty");
      }
      String id = values.remove("id");
      if (id != null && id.isBlank()) {
        throw InvalidFileException.atLine(table.file(), row.line(), "field 'id' must not be blank");
      }
      Map<String, Map<String, String>> perModelValues = new HashMap<>();
      perModel.forEach((field, columns) -> {
        Map<String, String> v = new LinkedHashMap<>();
        columns.forEach((model, c) -> {
          if (!cells[c].isEmpty()) {
            v.put(model, cells[c]);
          } else if (field.equals("outcomes")) {
            throw InvalidFileException.atLine(table.file(), row.line(), "field 'outcomes', model '" + model
                + "', is empty: every example needs every model's outcome");
          }
        });
        if (!v.isEmpty() || field.equals("outcomes")) {
          perModelValues.put(field, v);
        }
      });
      return new Row(row.line(), id, List.of(prompt), values, perModelValues);
    }
  }

  /** Turns rows into examples, checking each field. */
  private static final class Reader {
    private final Path file;
    private final String name;
    private final List<PoolExample> examples = new ArrayList<>();
    private final Map<String, Long> idLines = new HashMap<>();
    private List<String> models;
    private long modelsLine;
    private boolean allBoolean;
    private boolean allZeroOne = true;
    private boolean allUnit = true;
    private long typeLine;
    private String typeModel;

    Reader(Path file, String name) {
      this.file = file;
      this.name = name;
    }

    void add(Row row) {
      long line = row.line();
      String id = row.id() == null ? Long.toString(line) : row.id();
      Long first = idLines.putIfAbsent(id, line);
      if (first != null) {
        throw InvalidFileException.atLine(file, line, "field 'id': '" + id + "' is already used on line " + first);
      }
      Map<String, String> scalars = row.scalars();
      if (scalars.containsKey("group") && scalars.containsKey("task")) {
        throw InvalidFileException.atLine(file, line, "fields 'group' and 'task' are both given: give one");
      }
      Map<String, String> outcomes = row.perModel().get("outcomes");
      if (outcomes == null || outcomes.isEmpty()) {
        throw InvalidFileException.atLine(file, line, "field 'outcomes' is missing or empty");
      }
      if (models == null) {
        models = List.copyOf(outcomes.keySet());
        modelsLine = line;
      } else if (!outcomes.keySet().equals(Set.copyOf(models))) {
        Set<String> lacking = new TreeSet<>(models);
        lacking.removeAll(outcomes.keySet());
        Set<String> extra = new TreeSet<>(outcomes.keySet());
        extra.removeAll(models);
        throw InvalidFileException.atLine(file, line, "field 'outcomes' must name the same models as line "
            + modelsLine + " but " + (lacking.isEmpty() ? "" : "lacks " + lacking)
            + (lacking.isEmpty() || extra.isEmpty() ? "" : " and ") + (extra.isEmpty() ? "" : "has extra " + extra));
      }
      for (String field : row.perModel().keySet()) {
        for (String model : row.perModel().get(field).keySet()) {
          if (model != null && !outcomes.containsKey(model)) {
            throw InvalidFileException.atLine(file, line, "field '" + field + "' names model '" + model
                + "', which has no outcome on this line (models: " + models + ")");
          }
        }
      }
      String group = scalars.containsKey("group") ? scalars.get("group") : scalars.get("task");
      PoolExample.Builder b = PoolExample.builder().id(id).turns(row.turns()).group(group)
          .split(scalars.get("split")).reference(scalars.get("answer"));
      for (String model : models) {
        b.outcome(model, outcome(row, model, outcomes.get(model)));
      }
      examples.add(b.build());
    }

    private Outcome outcome(Row row, String model, String value) {
      long line = row.line();
      Outcome outcome;
      Boolean correct = CsvTable.booleanOrNull(value);
      if (correct != null) {
        outcome = Outcome.correct(correct);
      } else {
        double d = number(line, "outcomes", model, value, "true, false or a finite number");
        outcome = Outcome.judged(d);
        allZeroOne &= d == 0 || d == 1;
        allUnit &= d >= 0 && d <= 1;
      }
      outcomeType(line, model, value, correct != null);
      String response = perModel(row, "responses", model);
      if (response != null) {
        outcome = outcome.withResponse(response);
      }
      Usage usage = usage(row, model);
      if (usage != null) {
        outcome = outcome.withUsage(usage);
      }
      String cost = perModel(row, "costs", model);
      if (cost != null) {
        double dollars = number(line, "costs", model, cost, "a finite number >= 0");
        if (dollars < 0) {
          throw InvalidFileException.atLine(file, line,
              "field 'costs', model '" + model + "', must be a finite number >= 0 but was '" + cost + "'");
        }
        outcome = outcome.withCost(dollars);
      }
      return outcome;
    }

    private Usage usage(Row row, String model) {
      long line = row.line();
      String[] input = tokens(row, model, "input_tokens");
      String[] output = tokens(row, model, "output_tokens");
      if (input == null && output == null) {
        return null;
      }
      if (input == null || output == null) {
        throw InvalidFileException.atLine(file, line, "field '" + (input == null ? "input_tokens" : "output_tokens")
            + "' is missing for model '" + model + "': give both token counts or neither");
      }
      long in = integer(line, input[0], model, input[1]);
      long out = integer(line, output[0], model, output[1]);
      boolean estimated = input[0].endsWith("_est") || output[0].endsWith("_est");
      return new Usage(in, out, estimated);
    }

    /** The field that gave a token count and its value, or null when neither the count nor its estimate is given. */
    private String[] tokens(Row row, String model, String field) {
      String exact = perModel(row, field, model);
      String estimate = perModel(row, field + "_est", model);
      if (exact != null && estimate != null) {
        throw InvalidFileException.atLine(file, row.line(), "fields '" + field + "' and '" + field + "_est' both give"
            + " model '" + model + "' a count: give one");
      }
      return exact != null ? new String[] {field, exact} : estimate != null ? new String[] {field + "_est", estimate}
          : null;
    }

    /** A per-model value: the model's own, else the one for every model. */
    private static String perModel(Row row, String field, String model) {
      Map<String, String> values = row.perModel().get(field);
      if (values == null) {
        return null;
      }
      String own = values.get(model);
      return own != null ? own : values.get(null);
    }

    private void outcomeType(long line, String model, String value, boolean isBoolean) {
      if (typeLine == 0) {
        allBoolean = isBoolean;
        typeLine = line;
        typeModel = model;
      } else if (isBoolean != allBoolean) {
        throw InvalidFileException.atLine(file, line, "field 'outcomes', model '" + model + "', must be "
            + (allBoolean ? "true or false" : "a number") + " like the file's first outcome (line " + typeLine
            + ", model '" + typeModel + "') but was '" + abbreviate(value) + "': outcomes are all true/false or all"
            + " numbers");
      }
    }

    private double number(long line, String field, String model, String value, String expected) {
      try {
        double d = Double.parseDouble(value.strip());
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw InvalidFileException.atLine(file, line, "field '" + field + "', model '" + model + "', must be "
          + expected + " but was '" + abbreviate(value) + "'");
    }

    private long integer(long line, String field, String model, String value) {
      try {
        long n = Long.parseLong(value.strip());
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw InvalidFileException.atLine(file, line, "field '" + field + "', model '" + model
          + "', must be an integer >= 0 but was '" + abbreviate(value) + "'");
    }

    PoolDataset dataset() {
      if (examples.isEmpty()) {
        throw InvalidFileException.of(file, "holds no examples");
      }
      QualityUnit unit = allBoolean || allZeroOne ? QualityUnit.ACCURACY_PERCENT
          : allUnit ? PoolDataset.SCORE_PERCENT : QualityUnit.SCORE;
      return PoolDataset.builder().name(name).unit(unit).models(models).examples(examples).build();
    }

    private static String abbreviate(String value) {
      String oneLine = value.replace('\n', ' ').replace('\r', ' ');
      return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 37) + "...";
    }
  }
}
