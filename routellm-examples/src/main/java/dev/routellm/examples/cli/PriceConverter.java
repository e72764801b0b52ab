package dev.routellm.examples.cli;

import dev.routellm.cost.ModelPrice;
import java.math.BigDecimal;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses the price options of every command: {@code IN,OUT} dollars per million input and output tokens, or one number
 * for both. {@code IN:OUT} is accepted too (older {@code cascade} releases wrote it). Picocli prefixes the option's
 * name to the message, so an error names the flag and the value. Stateless and thread-safe.
 */
final class PriceConverter implements ITypeConverter<ModelPrice> {
  /** The format, as help texts show it. */
  static final String FORMAT = "IN,OUT";

  @Override
  public ModelPrice convert(String value) {
    try {
      return ModelPrice.parse(value.replace(':', ','));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("expected dollars per million tokens as " + FORMAT
          + " (e.g. 2.50,10.00) or one number for both, each finite and >= 0, but was '" + value + "'");
    }
  }

  /** The price as the options take it: one number when input and output cost the same, {@code IN,OUT} otherwise. */
  static String format(ModelPrice price) {
    String in = plain(price.inputPerMillion());
    return price.inputPerMillion() == price.outputPerMillion() ? in : in + "," + plain(price.outputPerMillion());
  }

  private static String plain(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
