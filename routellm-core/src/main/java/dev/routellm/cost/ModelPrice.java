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
