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
    return signed(plain(dollars));
  }

  /**
   * The amount with a dollar sign, rounded (half-even) to {@code significantDigits} significant digits for a table a
   * person reads, every digit before the decimal point kept and never more than {@link #DECIMALS} places:
   * {@code $0.03856} for 0.03855540182 and {@code $1.574} for 1.573891205459 at 4 digits, {@code $12346} for 12345.6.
   * Trailing zeros are dropped, as in {@link #format(double)}; NaN and infinite amounts print as in {@link #plain}.
   *
   * @throws IllegalArgumentException when {@code significantDigits < 1}
   */
  public static String format(double dollars, int significantDigits) {
    if (significantDigits < 1) {
      throw new IllegalArgumentException("significantDigits must be >= 1 but was " + significantDigits);
    }
    if (!Double.isFinite(dollars)) {
      return signed(Double.toString(dollars));
    }
    BigDecimal d = BigDecimal.valueOf(dollars);
    if (d.signum() == 0) {
      return "$0";
    }
    int integerDigits = d.precision() - d.scale(); // <= 0 for an amount below 0.1
    int scale = Math.max(0, Math.min(DECIMALS, significantDigits - integerDigits));
    BigDecimal rounded = d.setScale(scale, RoundingMode.HALF_EVEN).stripTrailingZeros();
    return signed(rounded.signum() == 0 ? "0" : rounded.toPlainString());
  }

  private static String signed(String plain) {
    return plain.startsWith("-") ? "-$" + plain.substring(1) : "$" + plain;
  }
}
