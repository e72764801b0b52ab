package dev.routellm.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money as people read it: a plain decimal ({@code 0.0000013}), never scientific notation ({@code 1.3E-6}). Every
 * dollar amount the library prints (in {@code toString()}, messages, the command line and the server) goes through
 * here, so all of them round alike. Stateless and thread-safe.
 */
public final class Dollars {
  /**
   * Decimal places kept: {@value}, a millionth of a millionth of a dollar, below any per-token price (the cheapest
   * models cost cents per million tokens, that is 1e-8 dollars per token).
   */
  public static final int DECIMALS = 12;

  private Dollars() {}

  /**
   * The amount as an exact decimal rounded to {@link #DECIMALS} places (half-even), without trailing zeros; zero is
   * {@code 0}.
   *
   * @throws IllegalArgumentException when {@code dollars} is NaN or infinite
   */
  public static BigDecimal decimal(double dollars) {
    if (!Double.isFinite(dollars)) {
      throw new IllegalArgumentException("a dollar amount must be finite but was " + dollars);
    }
    BigDecimal d = BigDecimal.valueOf(dollars).setScale(DECIMALS, RoundingMode.HALF_EVEN).stripTrailingZeros();
    return d.signum() == 0 ? BigDecimal.ZERO : d;
  }

  /**
   * The amount as a plain decimal without a currency sign: {@code 0.00000125} for 1.25e-6, {@code 12.5} for 12.5,
   * {@code -0.3} for -0.3. A NaN or infinite amount prints as {@code NaN} or {@code Infinity} (for diagnostics; it
   * never is a price).
   */
  public static String plain(double dollars) {
    return Double.isFinite(dollars) ? decimal(dollars).toPlainString() : Double.toString(dollars);
  }

  /** The amount with a dollar sign: {@code $0.00000125}, {@code -$0.3}. */
  public static String format(double dollars) {
    String plain = plain(dollars);
    return plain.startsWith("-") ? "-$" + plain.substring(1) : "$" + plain;
  }
}
