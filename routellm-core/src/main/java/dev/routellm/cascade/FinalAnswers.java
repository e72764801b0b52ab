package dev.routellm.cascade;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a model's text states its final answer, and the normal form of numbers: the shared parts of the stock
 * {@link AnswerExtractors}. Stateless and thread-safe.
 */
final class FinalAnswers {
  /** The value of the last {@code "answer":} key in the text: quoted, or bare up to a comma, a brace or a line end. */
  private static final Pattern JSON_ANSWER =
      Pattern.compile("\"answer\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^,}\\n]+))", Pattern.DOTALL);
  private static final Pattern ANSWER_PHRASE = Pattern.compile(
      "(?i)(?:final answer|the answer|answer)\\s*(?:is|:|=)\\s*:?\\s*([^\\n]+)");
  /**
   * A number as written: optional sign, digits with optional thousands separators, optional decimals, or a bare
   * decimal fraction ({@code .5}).
   */
  static final Pattern NUMBER = Pattern.compile("[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?|[-+]?\\.\\d+");
  private static final Pattern FRACTION = Pattern.compile("\\s*([-+]?\\d+)\\s*/\\s*([-+]?\\d+)\\s*");
  /** Digits a canonical decimal keeps after the point, for a fraction that does not terminate sooner. */
  private static final int MAX_DECIMALS = 12;

  private FinalAnswers() {}

  /**
   * The final answer of a JSON-formatted reply ({@code {"reasoning": "...", "answer": "18"}}, as ZeroEval asks for),
   * with JSON string escapes undone; null when the text has no {@code "answer"} key.
   */
  static String jsonAnswer(String text) {
    Matcher m = JSON_ANSWER.matcher(text);
    String found = null;
    while (m.find()) {
      found = m.group(1) != null ? unescape(m.group(1)) : m.group(2).strip();
    }
    return found == null || found.isBlank() ? null : found.strip();
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 == s.length()) {
        out.append(c);
        continue;
      }
      char next = s.charAt(++i);
      boolean latex = (next == 'n' || next == 't') && i + 1 < s.length() && Character.isLetter(s.charAt(i + 1));
      if (latex) { // \neq, \text written with one backslash: LaTeX, not an escape
        out.append('\\').append(next);
        continue;
      }
      switch (next) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case '"', '\\', '/' -> out.append(next);
        case 'u' -> {
          if (i + 4 < s.length() && s.substring(i + 1, i + 5).matches("[0-9a-fA-F]{4}")) {
            out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
            i += 4;
          } else {
            out.append("\\u");
          }
        }
        default -> out.append('\\').append(next); // LaTeX written with single backslashes: keep it as written
      }
    }
    return out.toString();
  }

  /** The content of the last {@code \boxed{...}} (or {@code \fbox{...}}), braces balanced; null when none. */
  static String boxed(String text) {
    int at = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
    if (at < 0) {
      return null;
    }
    int open = text.indexOf('{', at);
    if (open < 0) {
      return null;
    }
    String inner = balanced(text, open);
    return inner == null || inner.isBlank() ? null : inner.strip();
  }

  /** The text between the brace at {@code open} and its match, or null when it is never closed. */
  static String balanced(String text, int open) {
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return text.substring(open + 1, i);
      }
    }
    return null;
  }

  /** What follows the last "answer is" / "Answer:" on its line; null when the text has no such phrase. */
  static String afterAnswerPhrase(String text) {
    Matcher m = ANSWER_PHRASE.matcher(text);
    String found = null;
    while (m.find()) {
      found = m.group(1);
    }
    return found == null || found.isBlank() ? null : found.strip();
  }

  /**
   * The canonical form of a number written in {@code text} ({@code "1,250.00"}, {@code "-3"}, {@code ".5"}, {@code
   * "7/2"}): a plain decimal without thousands separators, leading plus or trailing zeros ({@code "1250"}, {@code
   * "0.5"}, {@code "3.5"}); a fraction that does not terminate within {@value #MAX_DECIMALS} decimals as {@code
   * "p/q"} in lowest terms. Null when {@code text} is not one number or fraction (surrounding spaces allowed).
   */
  static String canonicalNumber(String text) {
    String t = text.strip().replace('\u2212', '-');
    Matcher f = FRACTION.matcher(t);
    if (f.matches()) {
      return fraction(new BigInteger(f.group(1).replace("+", "")), new BigInteger(f.group(2).replace("+", "")));
    }
    if (!NUMBER.matcher(t).matches()) {
      return null;
    }
    return plain(new BigDecimal(t.replace(",", "").replace("+", "")));
  }

  /** The canonical form of the first number in {@code text}, a fraction {@code p/q} counting as one; null when none. */
  static String firstNumber(String text) {
    String t = text.replace('\u2212', '-');
    Matcher m = NUMBER.matcher(t);
    if (!m.find()) {
      return null;
    }
    Matcher f = FRACTION.matcher(t).region(m.start(), t.length());
    return canonicalNumber(f.lookingAt() ? f.group() : m.group());
  }

  /** The canonical form of the last number in {@code text}; null when none. */
  static String lastNumber(String text) {
    Matcher m = NUMBER.matcher(text.replace('\u2212', '-'));
    String found = null;
    while (m.find()) {
      found = m.group();
    }
    return found == null ? null : canonicalNumber(found);
  }

  static String fraction(BigInteger p, BigInteger q) {
    if (q.signum() == 0) {
      return null;
    }
    if (q.signum() < 0) {
      p = p.negate();
      q = q.negate();
    }
    BigInteger g = p.gcd(q);
    if (g.signum() != 0) {
      p = p.divide(g);
      q = q.divide(g);
    }
    BigInteger rest = q;
    for (BigInteger factor : new BigInteger[] {BigInteger.TWO, BigInteger.valueOf(5)}) {
      while (rest.mod(factor).signum() == 0) {
        rest = rest.divide(factor);
      }
    }
    if (rest.equals(BigInteger.ONE)) {
      BigDecimal d = new BigDecimal(p).divide(new BigDecimal(q), MAX_DECIMALS, RoundingMode.UNNECESSARY);
      return plain(d);
    }
    return q.equals(BigInteger.ONE) ? p.toString() : p + "/" + q;
  }

  private static String plain(BigDecimal d) {
    if (d.signum() == 0) {
      return "0";
    }
    return d.stripTrailingZeros().toPlainString();
  }
}
