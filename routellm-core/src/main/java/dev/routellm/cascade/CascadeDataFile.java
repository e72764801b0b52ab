package dev.routellm.cascade;

import dev.routellm.internal.BoundedFiles;
import dev.routellm.InvalidFileException;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvReadFeature;
import tools.jackson.dataformat.csv.CsvSchema;

/**
 * Reads weak-model answers with known outcomes, to fit a {@link ConfidenceModel} and compute a {@link TradeOff}.
 * Stateless and thread-safe.
 *
 * <p>Two formats, chosen by the file's extension:
 *
 * <p><b>JSONL</b> ({@code .jsonl}, {@code .ndjson}, {@code .json}): one JSON object per line, blank lines skipped.
 *
 * <pre>{@code
 * {"correct": true, "logprobs": [-0.01, -0.52, -0.003], "strong_correct": true,
 *  "prompt_tokens": 95, "completion_tokens": 3}
 * {"correct": false, "features": {"sum": -31.2, "mean": -0.41, "tokens": 76}}
 * {"correct": true, "logprobs": [{"token": "4", "logprob": -0.02,
 *                                 "top_logprobs": [{"token": "4", "logprob": -0.02}, {"token": "5", "logprob": -4.1}]}]}
 * }</pre>
 *
 * <ul>
 *   <li>{@code correct} (required): whether the weak answer was right; {@code true}/{@code false} or 1/0.
 *   <li>exactly one of {@code logprobs}, the answer's tokens (numbers, or objects as in OpenAI's
 *       {@code choices[0].logprobs.content}, whose {@code top_logprobs} give the margin features), and
 *       {@code features}, precomputed {@link LogprobFeature} values by {@linkplain LogprobFeature#key() key}.
 *   <li>optional {@code strong_correct}: whether the strong model answered the same question correctly.
 *   <li>optional {@code prompt_tokens} and {@code completion_tokens} (the weak call) and
 *       {@code strong_completion_tokens} (the strong call; its prompt is the same), for costs.
 *   <li>optional {@code id}: any string or number, ignored.
 * </ul>
 *
 * <p><b>CSV</b> ({@code .csv}, RFC 4180, with a header row): a {@code correct} column; either a {@code logprobs}
 * column of whitespace-separated numbers or one column per feature key ({@code sum}, {@code mean}, ...); and the
 * optional columns {@code strong_correct}, {@code prompt_tokens}, {@code completion_tokens},
 * {@code strong_completion_tokens}, {@code id}. An empty optional cell means "not known".
 *
 * <p>Log-probabilities (and the features {@code sum}, {@code mean}, {@code min}, {@code p10}, {@code p25}) must be
 * finite and {@code <= 0}, up to {@link #LOGPROB_TOLERANCE} for rounding; {@code tokens} must be {@code >= 1} and the
 * margins {@code >= 0}.
 *
 * <p>Anything else is an error naming the file, the line and the field: an unknown field or column (a typo would
 * otherwise be ignored; for CSV the header, line 1), a missing {@code correct}, a value of the wrong type or out of
 * range, both or neither of {@code logprobs}/{@code features}, an empty file.
 */
public final class CascadeDataFile {
  static final Set<String> OPTIONAL_FIELDS =
      Set.of("strong_correct", "prompt_tokens", "completion_tokens", "strong_completion_tokens", "id");

  /** How far above 0 a log-probability may be and still be read (as 0): rounding, not a probability above 1. */
  public static final double LOGPROB_TOLERANCE = 1e-6;

  private CascadeDataFile() {}

  /** {@code value} when it can be a log-probability; else the error names {@code field}. */
  private static double logprob(String field, double value, Function<String, InvalidFileException> error) {
    if (!(value <= LOGPROB_TOLERANCE)) {
      throw error.apply("field '" + field + "' must be a log-probability, finite and <= 0, but was " + value);
    }
    return value;
  }

  /** {@code value} when it is in the feature's range; else the error names {@code field}. */
  private static double feature(
      LogprobFeature feature, String field, double value, Function<String, InvalidFileException> error) {
    switch (feature) {
      case TOKENS -> {
        if (!(value >= 1)) {
          throw error.apply("field '" + field + "' must be a token count >= 1 but was " + value);
        }
      }
      case MARGIN_MEAN, MARGIN_MIN -> {
        if (!(value >= 0)) {
          throw error.apply("field '" + field + "' must be a log-probability margin >= 0 but was " + value);
        }
      }
      default -> logprob(field, value, error);
    }
    return value;
  }

  /**
   * Reads every example of the file.
   *
   * @throws InvalidFileException when the file is missing, unreadable, empty or malformed
   */
  public static List<CascadeExample> read(Path file) {
    Objects.requireNonNull(file, "file");
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    List<CascadeExample> examples;
    try {
      if (name.endsWith(".csv") || name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
        BoundedFiles.check(file, BoundedFiles.MAX_DATA_BYTES, "cascade data file");
      }
      if (name.endsWith(".csv")) {
        examples = readCsv(file);
      } else if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
        examples = readJsonl(file);
      } else {
        throw InvalidFileException.of(file, "unknown data format: expected a .jsonl or .csv file");
      }
    } catch (NoSuchFileException e) {
      throw InvalidFileException.of(file, "no such file", e);
    } catch (JacksonException e) {
      // A CSV header that cannot be read fails before the first row.
      long at = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw at > 0
          ? InvalidFileException.atLine(file, at, "malformed CSV: " + e.getOriginalMessage(), e)
          : InvalidFileException.of(file, "malformed CSV: " + e.getOriginalMessage(), e);
    } catch (BoundedFiles.LineTooLongException e) {
      throw InvalidFileException.atLine(file, e.line(), "line is longer than " + BoundedFiles.MAX_LINE_CHARS
          + " characters", e);
    } catch (IOException e) {
      throw InvalidFileException.of(file, "cannot read: " + e.getMessage(), e);
    }
    if (examples.isEmpty()) {
      throw InvalidFileException.of(file, "holds no examples");
    }
    return List.copyOf(examples);
  }

  private static List<CascadeExample> readJsonl(Path file) throws IOException {
    List<CascadeExample> out = new ArrayList<>();
    Set<String> known = new HashSet<>(OPTIONAL_FIELDS);
    known.addAll(Set.of("correct", "logprobs", "features"));
    try (BoundedFiles.Lines reader = BoundedFiles.lines(file, BoundedFiles.MAX_DATA_BYTES, "cascade data file")) {
      String text;
      long line = 0;
      while ((text = reader.next()) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        long at = line;
        Function<String, InvalidFileException> error = p -> InvalidFileException.atLine(file, at, p);
        JsonNode node;
        try {
          node = ConfidenceModelFile.mapper().readTree(text);
        } catch (JacksonException e) {
          throw InvalidFileException.atLine(file, line, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonFields f = new JsonFields(node, error);
        f.rejectUnknown(known);
        LogprobFeatures features;
        if (f.has("logprobs") == f.has("features")) {
          throw f.error("exactly one of the fields 'logprobs' and 'features' is required but "
              + (f.has("logprobs") ? "both were" : "neither was") + " given");
        } else if (f.has("logprobs")) {
          features = jsonLogprobs(f);
        } else {
          features = jsonFeatures(f);
        }
        out.add(example(f, features, line));
      }
    }
    return out;
  }

  private static LogprobFeatures jsonLogprobs(JsonFields f) {
    JsonNode array = f.get("logprobs");
    if (!array.isArray() || array.isEmpty()) {
      throw f.error("field 'logprobs' must be a non-empty array but was " + JsonFields.describe(array));
    }
    if (array.get(0).isNumber()) {
      double[] values = f.numbers("logprobs");
      for (int i = 0; i < values.length; i++) {
        logprob("logprobs[" + i + "]", values[i], f::error);
      }
      return LogprobFeatures.ofLogprobs(values);
    }
    List<TokenLogprob> tokens = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String where = "logprobs[" + i + "]";
      JsonFields t = new JsonFields(array.get(i), p -> f.error("field '" + where + "': " + p));
      String token = t.has("token") ? t.get("token").asString() : "";
      double logprob = logprob(where + ".logprob", t.number("logprob"), f::error);
      List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
      if (t.has("top_logprobs")) {
        JsonNode top = t.get("top_logprobs");
        if (!top.isArray()) {
          throw f.error("field '" + where + ".top_logprobs' must be an array but was " + JsonFields.describe(top));
        }
        for (int k = 0; k < top.size(); k++) {
          String altWhere = where + ".top_logprobs[" + k + "]";
          JsonFields a = new JsonFields(top.get(k), p -> f.error("field '" + altWhere + "': " + p));
          alternatives.add(
              new TokenLogprob.Alternative(
                  a.has("token") ? a.get("token").asString() : "",
                  logprob(altWhere + ".logprob", a.number("logprob"), f::error)));
        }
      }
      tokens.add(new TokenLogprob(token, logprob, alternatives));
    }
    return LogprobFeatures.of(tokens);
  }

  private static LogprobFeatures jsonFeatures(JsonFields f) {
    JsonNode node = f.get("features");
    JsonFields features = new JsonFields(node, p -> f.error("field 'features': " + p));
    Map<LogprobFeature, Double> values = new EnumMap<>(LogprobFeature.class);
    for (String key : node.propertyNames()) {
      LogprobFeature feature;
      try {
        feature = LogprobFeature.fromKey(key);
      } catch (IllegalArgumentException e) {
        throw f.error("field 'features': " + e.getMessage());
      }
      values.put(feature, feature(feature, "features." + key, features.number(key), f::error));
    }
    if (values.isEmpty()) {
      throw f.error("field 'features' must hold at least one feature; known: " + LogprobFeature.keys());
    }
    return LogprobFeatures.of(values);
  }

  private static CascadeExample example(JsonFields f, LogprobFeatures features, long line) {
    boolean correct = f.bool("correct");
    Optional<Boolean> strongCorrect = f.has("strong_correct") ? Optional.of(f.bool("strong_correct")) : Optional.empty();
    return new CascadeExample(
        features, correct, strongCorrect, usage(f, "completion_tokens"), usage(f, "strong_completion_tokens"), line);
  }

  /** The weak call's usage, or the strong call's: present when its completion count is (the prompt is shared). */
  private static Optional<Usage> usage(JsonFields f, String completionField) {
    boolean prompt = f.has("prompt_tokens");
    boolean completion = f.has(completionField);
    if (!completion && (!prompt || !completionField.equals("completion_tokens"))) {
      return Optional.empty();
    }
    if (!prompt || !completion) {
      throw f.error(
          "fields 'prompt_tokens' and '" + completionField + "' go together but only '"
              + (prompt ? "prompt_tokens" : completionField) + "' was given");
    }
    return Optional.of(Usage.of(f.nonNegativeLong("prompt_tokens"), f.nonNegativeLong(completionField)));
  }

  private static List<CascadeExample> readCsv(Path file) throws IOException {
    CsvMapper csv = CsvMapper.builder().enable(CsvReadFeature.TRIM_SPACES).build();
    CsvSchema schema = CsvSchema.emptySchema().withHeader();
    List<CascadeExample> out = new ArrayList<>();
    try (MappingIterator<Map<String, String>> rows =
        csv.readerFor(Map.class).with(schema).readValues(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
      Set<String> known = new HashSet<>(OPTIONAL_FIELDS);
      known.addAll(Set.of("correct", "logprobs"));
      for (LogprobFeature feature : LogprobFeature.values()) {
        known.add(feature.key());
      }
      while (true) {
        Map<String, String> row;
        long line;
        try {
          if (!rows.hasNextValue()) {
            break;
          }
          line = rows.currentLocation().getLineNr();
          row = rows.nextValue();
        } catch (JacksonException e) {
          long at = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
          throw at > 0
              ? InvalidFileException.atLine(file, at, "malformed CSV: " + e.getOriginalMessage(), e)
              : InvalidFileException.of(file, "malformed CSV: " + e.getOriginalMessage(), e);
        }
        long at = line;
        CsvRow r = new CsvRow(row, p -> InvalidFileException.atLine(file, at, p));
        if (out.isEmpty()) {
          // The header is line 1 (RFC 4180); the row only carries its column names.
          new CsvRow(row, p -> InvalidFileException.atLine(file, 1, p)).rejectUnknown(known);
        }
        out.add(r.example(line));
      }
    }
    return out;
  }

  /** One CSV row's cells, read by column name. */
  private static final class CsvRow {
    private final Map<String, String> cells;
    private final Function<String, InvalidFileException> error;

    CsvRow(Map<String, String> cells, Function<String, InvalidFileException> error) {
      this.cells = cells;
      this.error = error;
    }

    void rejectUnknown(Set<String> known) {
      for (String column : cells.keySet()) {
        if (!known.contains(column)) {
          throw error.apply(
              "unknown column '" + column + "' in the header; expected some of " + new java.util.TreeSet<>(known));
        }
      }
    }

    private String cell(String column) {
      String v = cells.get(column);
      return v == null || v.isBlank() ? null : v.trim();
    }

    CascadeExample example(long line) {
      String correct = cell("correct");
      if (correct == null) {
        throw error.apply("column 'correct' is required and must not be empty");
      }
      String logprobs = cell("logprobs");
      Map<LogprobFeature, Double> given = new EnumMap<>(LogprobFeature.class);
      for (LogprobFeature feature : LogprobFeature.values()) {
        String v = cell(feature.key());
        if (v != null) {
          given.put(feature, CascadeDataFile.feature(feature, feature.key(), number(feature.key(), v), error));
        }
      }
      if ((logprobs == null) == given.isEmpty()) {
        throw error.apply(
            "exactly one of a 'logprobs' column and feature columns (" + LogprobFeature.keys()
                + ") is required but " + (logprobs == null ? "neither was" : "both were") + " given");
      }
      LogprobFeatures features;
      if (logprobs != null) {
        String[] parts = logprobs.split("\\s+");
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
          values[i] = logprob("logprobs[" + i + "]", number("logprobs[" + i + "]", parts[i]), error);
        }
        features = LogprobFeatures.ofLogprobs(values);
      } else {
        features = LogprobFeatures.of(given);
      }
      String strong = cell("strong_correct");
      return new CascadeExample(
          features,
          bool("correct", correct),
          strong == null ? Optional.empty() : Optional.of(bool("strong_correct", strong)),
          usage("completion_tokens"),
          usage("strong_completion_tokens"),
          line);
    }

    private Optional<Usage> usage(String completionColumn) {
      String prompt = cell("prompt_tokens");
      String completion = cell(completionColumn);
      if (completion == null && (prompt == null || !completionColumn.equals("completion_tokens"))) {
        return Optional.empty();
      }
      if (prompt == null || completion == null) {
        throw error.apply(
            "columns 'prompt_tokens' and '" + completionColumn + "' go together but only '"
                + (prompt != null ? "prompt_tokens" : completionColumn) + "' has a value");
      }
      return Optional.of(Usage.of(count("prompt_tokens", prompt), count(completionColumn, completion)));
    }

    private double number(String column, String v) {
      try {
        double d = Double.parseDouble(v);
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw error.apply("field '" + column + "' must be a finite number but was '" + v + "'");
    }

    private long count(String column, String v) {
      try {
        long n = Long.parseLong(v);
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw error.apply("field '" + column + "' must be an integer >= 0 but was '" + v + "'");
    }

    private boolean bool(String column, String v) {
      return switch (v.toLowerCase(Locale.ROOT)) {
        case "true", "1" -> true;
        case "false", "0" -> false;
        default -> throw error.apply("field '" + column + "' must be true or false (or 1 or 0) but was '" + v + "'");
      };
    }
  }
}
