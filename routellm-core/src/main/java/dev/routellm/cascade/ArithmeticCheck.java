package dev.routellm.cascade;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the arithmetic written in an answer and re-computes it. Counts wrong equalities, capped at {@link #CAP}.
 * Stateless and thread-safe.
 *
 * <p>Recognised: calculator annotations {@code <<expr=result>>} and chains {@code a op b [op c ...] = r} where the
 * operands are plain numbers (thousands separators, decimals, {@code $} and {@code %} signs allowed), the operators
 * are {@code + - * / x × ÷} and parentheses may group. An equality is wrong when the result differs from the value by
 * more than 1.1% (rounded money and percentages written as "0.2 = 20" pass). Expressions preceded by a letter, an
 * operator or a minus sign are skipped (an unknown {@code x * 4 + 8 = 40} or a negative first operand would be misread).
 */
final class ArithmeticCheck implements AnswerCheck {
  static final String NAME = "arithmetic_errors";
  /** Counts above this are reported as this: two wrong equalities already say the answer is unreliable. */
  static final int CAP = 2;

  static final ArithmeticCheck INSTANCE = new ArithmeticCheck();

  private static final String NUMBER = "\\d(?:\\d|,\\d\\d\\d)*(?:\\.\\d+)?";
  private static final String OPERAND = "(?:\\(\\s*)*" + NUMBER + "(?:\\s*\\)\\s*)*";
  private static final Pattern CHAIN =
      Pattern.compile(
          "(" + OPERAND + "(?:\\s*[-+*/x×÷]\\s*" + OPERAND + ")+)\\s*=\\s*(-?" + NUMBER + ")"
              + "(?!\\.?\\d|,\\d)(?!\\s*[-+*/x×÷(])");
  private static final Pattern ANNOTATION = Pattern.compile("<<([^=<>]+)=([^<>]+)>>");
  private static final double TOLERANCE = 0.011;
  private static final String ANNOTATION_MARK = "\u00a7";

  private ArithmeticCheck() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double check(String question, String answer) {
    return Math.min(CAP, scan(answer).wrong().size());
  }

  /**
   * What a scan of an answer found.
   *
   * @param checked equalities re-computed
   * @param wrong the wrong ones, as written, in order
   */
  record Scan(int checked, List<String> wrong) {}

  static Scan scan(String answer) {
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    Matcher a = ANNOTATION.matcher(answer);
    while (a.find()) {
      Double value = Expression.evaluate(a.group(1));
      Double result = parse(a.group(2).replace("$", "").trim());
      if (value != null && result != null) {
        checked++;
        if (!close(value, result)) {
          wrong.add(a.group(0));
        }
      }
    }
    // An annotation is checked once: the marker left in its place keeps the written equality around it
    // ("9 * $2 = $<<9*2=18>>18") from being checked a second time.
    String text =
        ANNOTATION.matcher(answer).replaceAll(ANNOTATION_MARK).replace("\\*", "*").replace("$", "").replace("%", "");
    Matcher m = CHAIN.matcher(text);
    while (m.find()) {
      if (!standsAlone(text, m.start())) {
        continue;
      }
      Double value = Expression.evaluate(m.group(1));
      Double result = parse(m.group(2));
      if (value != null && result != null) {
        checked++;
        if (!close(value, result)) {
          wrong.add(m.group(0).trim());
        }
      }
    }
    return new Scan(checked, List.copyOf(wrong));
  }

  /**
   * Whether the expression at {@code start} is not the tail of something longer: a word or number glued to it, or an
   * operator before it (an unknown as in {@code x * 4 + 8 = 40}, a minus sign).
   */
  private static boolean standsAlone(String text, int start) {
    if (start == 0) {
      return true;
    }
    char adjacent = text.charAt(start - 1);
    if (Character.isLetterOrDigit(adjacent) || adjacent == '.') {
      return false;
    }
    int i = start - 1;
    while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
      i--;
    }
    return i < 0 || "-+*/×÷)".indexOf(text.charAt(i)) < 0;
  }

  private static boolean close(double value, double result) {
    if (Math.abs(value - result) <= TOLERANCE * Math.max(1, Math.abs(result))) {
      return true;
    }
    // A fraction written as a percentage: (2000 - 1800) / 2000 = 10 (%).
    return result != 0 && Math.abs(value * 100 - result) <= TOLERANCE * Math.abs(result);
  }

  private static Double parse(String s) {
    try {
      return Double.parseDouble(s.replace(",", ""));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A recursive-descent evaluator of + - * / and parentheses over numbers; null when the text is not one. */
  static final class Expression {
    private final String s;
    private int pos;

    private Expression(String s) {
      this.s = s;
    }

    static Double evaluate(String text) {
      String normalised = text.replace(",", "").replace('x', '*').replace('×', '*').replace('÷', '/').replace(" ", "");
      if (normalised.isEmpty()) {
        return null;
      }
      Expression e = new Expression(normalised);
      try {
        double v = e.sum();
        return e.pos == e.s.length() && Double.isFinite(v) ? v : null;
      } catch (IllegalArgumentException ex) {
        return null;
      }
    }

    private double sum() {
      double v = product();
      while (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
        char op = s.charAt(pos++);
        double r = product();
        v = op == '+' ? v + r : v - r;
      }
      return v;
    }

    private double product() {
      double v = factor();
      while (pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/')) {
        char op = s.charAt(pos++);
        double r = factor();
        v = op == '*' ? v * r : v / r;
      }
      return v;
    }

    private double factor() {
      if (pos < s.length() && s.charAt(pos) == '-') {
        pos++;
        return -factor();
      }
      if (pos < s.length() && s.charAt(pos) == '(') {
        pos++;
        double v = sum();
        if (pos >= s.length() || s.charAt(pos) != ')') {
          throw new IllegalArgumentException("unbalanced");
        }
        pos++;
        return v;
      }
      int start = pos;
      while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
        pos++;
      }
      if (start == pos) {
        throw new IllegalArgumentException("number expected");
      }
      try {
        return Double.parseDouble(s.substring(start, pos));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(e);
      }
    }
  }
}
