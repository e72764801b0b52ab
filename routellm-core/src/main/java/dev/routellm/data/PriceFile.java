package dev.routellm.data;

import dev.routellm.InvalidFileException;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.PriceTable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a price table from a CSV file with the header {@code model,input_usd_per_mtok,output_usd_per_mtok}: one model
 * per row, its price in US dollars per million input and output tokens (finite, {@code >= 0}), as in
 * {@code ../shared/data/nway/*}{@code /prices.csv}.
 *
 * <pre>
 * model,input_usd_per_mtok,output_usd_per_mtok
 * gpt-4o-2024-08-06,2.5,10.0
 * gemini-1.5-flash,0.075,0.3
 * </pre>
 *
 * <p>Stateless and thread-safe. A missing or extra column, an empty or repeated model, or a price that is not a finite
 * number {@code >= 0} is an {@link InvalidFileException} naming the file, the line and the field.
 */
public final class PriceFile {
  /** The header, in order. */
  public static final List<String> COLUMNS = List.of("model", "input_usd_per_mtok", "output_usd_per_mtok");

  private PriceFile() {}

  /**
   * Reads a price file.
   *
   * @throws InvalidFileException when the file is missing or malformed
   */
  public static PriceTable read(Path file) {
    Objects.requireNonNull(file, "file");
    CsvTable table = CsvTable.read(file);
    if (!table.header().equals(COLUMNS)) {
      throw InvalidFileException.atLine(file, 1, "the header must be " + String.join(",", COLUMNS) + " but was "
          + String.join(",", table.header()));
    }
    CostModel.Builder prices = CostModel.builder();
    Map<String, Long> lines = new HashMap<>();
    for (CsvTable.Row row : table.rows()) {
      String model = row.fields()[0].strip();
      if (model.isEmpty()) {
        throw InvalidFileException.atLine(file, row.line(), "field 'model' is empty");
      }
      Long first = lines.putIfAbsent(model, row.line());
      if (first != null) {
        throw InvalidFileException.atLine(file, row.line(), "field 'model': '" + model + "' already has a price on"
            + " line " + first);
      }
      prices.price(model, price(file, row, 1), price(file, row, 2));
    }
    if (lines.isEmpty()) {
      throw InvalidFileException.of(file, "holds no prices");
    }
    return prices.build();
  }

  private static double price(Path file, CsvTable.Row row, int column) {
    String value = row.fields()[column].strip();
    try {
      double d = Double.parseDouble(value);
      if (d >= 0 && Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw InvalidFileException.atLine(file, row.line(), "field '" + COLUMNS.get(column) + "' must be a finite price"
        + " >= 0 (US dollars per million tokens) but was '" + value + "'");
  }
}
