package dev.routellm.cost;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Dollar amounts for people: plain decimals ({@code $0.00000125}, never {@code 1.25E-6}), to
 * {@value #SIGNIFICANT_DIGITS} significant digits, trailing zeros dropped.
 */
public final class Money {
  /** Significant digits kept by {@link #format}. */
  public static final int SIGNIFICANT_DIGITS = 6;

  private Money() {}

  /**
   * {@code dollars} as {@code $} and a plain decimal, for example {@code $0.00000125}, {@code $12.5}, {@code $0};
   * a negative amount as {@code -$0.5}; NaN and infinities as Java prints them.
   */
  public static String format(double dollars) {
    if (!Double.isFinite(dollars)) {
      return Double.toString(dollars);
    }
    String digits = plain(Math.abs(dollars));
    return (dollars < 0 ? "-$" : "$") + digits;
  }

  /**
   * {@code value} as a plain decimal without the dollar sign, to {@value #SIGNIFICANT_DIGITS} significant digits
   * ({@code 0.00000125}); for tables whose header carries the unit.
   *
   * @throws IllegalArgumentException when {@code value} is NaN or infinite
   */
  public static String plain(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("value must be finite but was " + value);
    }
    if (value == 0.0) {
      return "0";
    }
    return new BigDecimal(value).round(new MathContext(SIGNIFICANT_DIGITS)).stripTrailingZeros().toPlainString();
  }
}
