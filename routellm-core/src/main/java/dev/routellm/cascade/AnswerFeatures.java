package dev.routellm.cascade;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Features of an answer's text that say whether it is likely right, without log-probabilities. Aimed at answers that
 * end in a number (maths word problems); each is documented at its name in {@link #NAMES}. Stateless.
 */
final class AnswerFeatures {
  /**
   * The text features, in vector order:
   *
   * <ul>
   *   <li>{@code log_chars}: ln(1 + characters of the answer)
   *   <li>{@code final_stated}: 1 when a final answer is stated ({@code #### 42}, {@code the answer is 42},
   *       {@code \boxed{42}})
   *   <li>{@code final_repeated}: 1 when that final number also appears earlier in the answer (derived, not asserted)
   *   <li>{@code final_non_integer}: 1 when the final number has a fractional part
   *   <li>{@code truncated}: 1 when the answer stops without a final answer and without closing punctuation, or the
   *       server reported that it hit the token limit
   *   <li>{@code hedges}: hedging phrases ("approximately", "assume", "however", "not possible", ...), capped at 3
   *   <li>{@code equations}: ln(1 + equalities the arithmetic check could re-compute)
   *   <li>{@code question_coverage}: share of the question's numbers that the answer uses (1 when it has none)
   *   <li>{@code question_log_chars}: ln(1 + characters of the question)
   * </ul>
   */
  static final List<String> NAMES =
      List.of(
          "log_chars", "final_stated", "final_repeated", "final_non_integer", "truncated", "hedges", "equations",
          "question_coverage", "question_log_chars");

  /** Phrases that signal doubt or a problem the model noticed, lower case. */
  static final List<String> HEDGES =
      List.of(
          "approximately", "assume", "assuming", "however", "not possible", "can't", "cannot", "round", "actually",
          "wait", "mistake", "apolog", "unclear", "not enough information", "estimate", "roughly", "but since",
          "not specified", "not given", "impossible", "doesn't make sense", "partial", "let me", "correction",
          "re-evaluate", "recheck");

  static final int HEDGE_CAP = 3;

  private static final String NUMBER = "-?\\d(?:\\d|,\\d\\d\\d)*(?:\\.\\d+)?";
  private static final Pattern NUMBER_PATTERN = Pattern.compile(NUMBER);
  private static final Pattern FINAL_MARKED = Pattern.compile("####\\s*\\$?\\s*(" + NUMBER + ")");
  private static final Pattern FINAL_SAID =
      Pattern.compile("(?:answer is|answer:|\\\\boxed\\{)\\s*\\$?\\s*(" + NUMBER + ")", Pattern.CASE_INSENSITIVE);
  private static final Pattern CLOSED = Pattern.compile("[.!)\\]}]\\s*$");

  private AnswerFeatures() {}

  /**
   * The text features followed by one value per check.
   *
   * @param cutOff whether the server said generation stopped at the token limit
   */
  static double[] of(String question, String answer, boolean cutOff, List<AnswerCheck> checks) {
    String text = answer.strip();
    double[] v = new double[NAMES.size() + checks.size()];
    v[0] = Math.log1p(text.length());
    Double finalNumber = null;
    int bodyEnd = text.length();
    Matcher marked = FINAL_MARKED.matcher(text);
    if (marked.find()) {
      finalNumber = number(marked.group(1));
      bodyEnd = marked.start();
    } else {
      Matcher said = FINAL_SAID.matcher(text);
      while (said.find()) {
        finalNumber = number(said.group(1));
        bodyEnd = said.start();
      }
    }
    v[1] = finalNumber != null ? 1 : 0;
    v[2] = finalNumber != null && numbers(text.substring(0, bodyEnd)).contains(finalNumber) ? 1 : 0;
    v[3] = finalNumber != null && finalNumber != Math.rint(finalNumber) ? 1 : 0;
    v[4] = cutOff || (finalNumber == null && !CLOSED.matcher(text).find()) ? 1 : 0;
    String lower = text.toLowerCase(Locale.ROOT);
    int hedges = 0;
    for (String h : HEDGES) {
      for (int i = lower.indexOf(h); i >= 0; i = lower.indexOf(h, i + 1)) {
        hedges++;
      }
    }
    v[5] = Math.min(HEDGE_CAP, hedges);
    v[6] = Math.log1p(ArithmeticCheck.scan(text).checked());
    Set<Double> asked = numbers(question);
    Set<Double> used = numbers(text);
    long covered = asked.stream().filter(used::contains).count();
    v[7] = asked.isEmpty() ? 1.0 : (double) covered / asked.size();
    v[8] = Math.log1p(question.length());
    for (int c = 0; c < checks.size(); c++) {
      double r = checks.get(c).check(question, answer);
      if (!Double.isFinite(r)) {
        throw new IllegalStateException("answer check '" + checks.get(c).name() + "' returned " + r);
      }
      v[NAMES.size() + c] = r;
    }
    return v;
  }

  /** Names of {@link #of}'s values: the text features, then the checks'. */
  static List<String> names(List<AnswerCheck> checks) {
    List<String> names = new ArrayList<>(NAMES);
    checks.forEach(c -> names.add(c.name()));
    return List.copyOf(names);
  }

  private static Set<Double> numbers(String text) {
    Set<Double> out = new HashSet<>();
    Matcher m = NUMBER_PATTERN.matcher(text.replace("$", ""));
    while (m.find()) {
      Double d = number(m.group());
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }

  private static Double number(String s) {
    try {
      return Double.parseDouble(s.replace(",", ""));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
