package dev.routellm.cost;

/**
 * A model's price in US dollars per million tokens.
 *
 * @param inputPerMillion price of one million prompt tokens, finite and {@code >= 0}
 * @param outputPerMillion price of one million completion tokens, finite and {@code >= 0}
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion) {
  public ModelPrice {
    check("inputPerMillion", inputPerMillion);
    check("outputPerMillion", outputPerMillion);
  }

  private static void check(String field, double value) {
    if (!(value >= 0.0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(field + " must be a finite price >= 0 but was " + value);
    }
  }

  /** The same price for input and output tokens. */
  public static ModelPrice flat(double perMillion) {
    return new ModelPrice(perMillion, perMillion);
  }

  /**
   * Parses a price as people write it in configuration and on command lines: {@code IN,OUT} dollars per million input
   * and output tokens ({@code 2.50,10.00}), or one number for both ({@code 0.24}).
   *
   * @throws IllegalArgumentException quoting the text when it is not one or two finite numbers {@code >= 0}
   */
  public static ModelPrice parse(String text) {
    java.util.Objects.requireNonNull(text, "text");
    String[] parts = text.split(",", -1);
    if (parts.length == 1 || parts.length == 2) {
      try {
        double in = Double.parseDouble(parts[0].trim());
        double out = parts.length == 1 ? in : Double.parseDouble(parts[1].trim());
        if (in >= 0 && out >= 0 && Double.isFinite(in) && Double.isFinite(out)) {
          return new ModelPrice(in, out);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException("a price must be IN,OUT dollars per million tokens (e.g. 2.50,10.00) or one"
        + " number for both, each finite and >= 0, but was '" + text + "'");
  }

  /** Dollar cost of the given token counts. */
  public double cost(long promptTokens, long completionTokens) {
    return (promptTokens * inputPerMillion + completionTokens * outputPerMillion) / 1_000_000.0;
  }

  /** As a record prints itself, with the prices as plain decimals. */
  @Override
  public String toString() {
    return "ModelPrice[inputPerMillion=" + Dollars.format(inputPerMillion) + ", outputPerMillion="
        + Dollars.format(outputPerMillion) + "]";
  }
}
