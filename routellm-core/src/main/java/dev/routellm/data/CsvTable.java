package dev.routellm.data;

import dev.routellm.internal.BoundedFiles;
import dev.routellm.InvalidFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvReadFeature;
import tools.jackson.dataformat.csv.CsvSchema;

/**
 * A whole CSV file with a header line, read with Jackson's RFC 4180 parser (quoted fields may hold commas, quotes and
 * newlines). Every row remembers the line it starts on, so errors name the file and line. A row whose field count
 * differs from the header's is an error; blank lines are skipped.
 */
final class CsvTable {
  private static final CsvMapper CSV = CsvMapper.builder().enable(CsvReadFeature.SKIP_EMPTY_LINES).build();

  /** One data row: the line it starts on (1-based) and its fields, in header order. */
  record Row(long line, String[] fields) {}

  private final Path file;
  private final List<String> header;
  private final Map<String, Integer> columns;
  private final List<Row> rows;

  private CsvTable(Path file, List<String> header, List<Row> rows) {
    this.file = file;
    this.header = List.copyOf(header);
    this.columns = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      if (columns.putIfAbsent(header.get(i), i) != null) {
        throw InvalidFileException.atLine(file, 1, "column '" + header.get(i) + "' appears twice in the header");
      }
    }
    this.rows = rows;
  }

  /**
   * Reads a CSV file.
   *
   * @throws InvalidFileException when the file is missing, unreadable, has no header or a malformed row
   */
  static CsvTable read(Path file) {
    requireFile(file);
    List<String> header = null;
    List<Row> rows = new ArrayList<>();
    long rowLine = 1;
    try (JsonParser parser = CSV.reader().with(CsvSchema.emptySchema()).with(CsvReadFeature.WRAP_AS_ARRAY)
        .createParser(file.toFile())) {
      List<String> fields = new ArrayList<>();
      int depth = 0;
      long lastLine = 0; // the line the previous row ended on
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token == JsonToken.START_ARRAY && ++depth == 2) {
          fields.clear();
          rowLine = lastLine + 1; // until the row's first field says where it starts
        } else if (token == JsonToken.VALUE_STRING) {
          long valueLine = parser.currentTokenLocation().getLineNr();
          String value = parser.getString();
          if (fields.isEmpty()) {
            rowLine = valueLine;
          }
          fields.add(value);
          lastLine = valueLine + value.chars().filter(c -> c == '\n').count();
        } else if (token == JsonToken.END_ARRAY && depth-- == 2) {
          if (header == null) {
            header = List.copyOf(fields);
          } else if (fields.size() != header.size()) {
            throw InvalidFileException.atLine(file, rowLine, "expected " + header.size() + " fields " + header
                + " but found " + fields.size());
          } else {
            rows.add(new Row(rowLine, fields.toArray(String[]::new)));
          }
        }
      }
    } catch (JacksonException e) {
      throw InvalidFileException.atLine(file, rowLine, "malformed CSV: " + e.getOriginalMessage(), e);
    } catch (java.io.UncheckedIOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    }
    if (header == null) {
      throw InvalidFileException.of(file, "is empty: expected a header line");
    }
    return new CsvTable(file, header, rows);
  }

  /** Checks that {@code file} is a readable regular file within the size limit of data files. */
  static void requireFile(Path file) {
    BoundedFiles.check(file, BoundedFiles.MAX_DATA_BYTES, "data file");
  }

  /** {@code true} or {@code false} for those words in any case (surrounding spaces ignored), otherwise null. */
  static Boolean booleanOrNull(String value) {
    String v = value.strip();
    if (v.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    return v.equalsIgnoreCase("false") ? Boolean.FALSE : null;
  }

  Path file() {
    return file;
  }

  List<String> header() {
    return header;
  }

  List<Row> rows() {
    return rows;
  }

  /** The index of a column, or -1 when the header lacks it. */
  int column(String name) {
    return columns.getOrDefault(name, -1);
  }

  /**
   * The index of a column the file must have.
   *
   * @throws InvalidFileException naming the file, the column and the columns it has
   */
  int requireColumn(String name) {
    int index = column(name);
    if (index < 0) {
      throw InvalidFileException.atLine(file, 1, "missing column '" + name + "' (the header has " + header + ")");
    }
    return index;
  }
}
