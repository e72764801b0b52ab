package dev.routellm.cascade;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stock {@link AnswerExtractor}s: numbers, choice letters, code, short text, and MATH-style expressions.
 *
 * <p>Each first looks for where the text states its final answer, in this order: the {@code "answer"} field of a
 * JSON-formatted reply ({@code {"reasoning": "...", "answer": "18"}}, the format ZeroEval asks models for), then (for
 * numbers and maths) the last {@code \boxed{...}}, then what follows the last "answer is" / "Answer:"; failing all of
 * them, the whole text. Each then normalises what it found so that two answers that say the same thing compare equal.
 *
 * <p>Every extractor is stateless, thread-safe and never throws on odd text; {@code toString()} gives its name.
 */
public final class AnswerExtractors {
  private AnswerExtractors() {}

  /**
   * Numbers, GSM8K style: the first number of the stated final answer, else the last number of the text; thousands
   * separators, currency and percent signs, units and trailing zeros dropped; a fraction {@code p/q} is one number
   * ({@code "$1,250.00"} and {@code "1250 dollars"} give {@code "1250"}, {@code "5/4"} and {@code "1.25"} give
   * {@code "1.25"}, {@code "1/3"} gives {@code "1/3"}).
   */
  public static AnswerExtractor number() {
    return NumberExtractor.INSTANCE;
  }

  /**
   * Multiple-choice letters A to J: a stated answer that starts with the letter ({@code "B"}, {@code "(B)"},
   * {@code "B. Paris"}), else the letter after the last "answer is", else the last letter in parentheses, in bold or
   * alone at the end; upper case.
   */
  public static AnswerExtractor choiceLetter() {
    return ChoiceExtractor.INSTANCE;
  }

  /**
   * Code: the last fenced code block ({@code ```python ... ```}, JSON blocks skipped), else a JSON answer field, with
   * the language tag, blank lines, whole-line comments ({@code #}, {@code //}), common indentation and runs of spaces
   * removed. Two programs that differ only in layout or comments compare equal; renamed variables do not.
   */
  public static AnswerExtractor code() {
    return CodeExtractor.INSTANCE;
  }

  /**
   * Short text answers (names, words, phrases): the stated final answer, else the last non-empty line, normalised as
   * SQuAD does: Unicode-normalised (NFKC), lower case, punctuation and the articles a/an/the removed, spaces
   * collapsed.
   */
  public static AnswerExtractor text() {
    return TextExtractor.INSTANCE;
  }

  /**
   * MATH-style answers: the stated final answer or the last {@code \boxed{...}}, then normalised as the MATH
   * benchmark's equivalence check does: spacing commands, {@code \left}/{@code \right}, dollar and percent signs,
   * degrees and {@code \text{...}} units removed, {@code \dfrac}/{@code \tfrac} read as {@code \frac}, {@code \frac12}
   * and {@code \sqrt2} braced, a leading {@code x =} dropped, spaces removed; a result that is a number or a fraction
   * of integers ({@code \frac{5}{4}}, {@code 5/4}, {@code 1.25}) becomes the canonical number of {@link #number()}.
   */
  public static AnswerExtractor math() {
    return MathExtractor.INSTANCE;
  }

  /** The stock extractors' names, as {@link #named} takes them. */
  public static final List<String> NAMES = List.of("number", "math", "choice-letter", "code", "text");

  /**
   * A stock extractor by name: {@code number}, {@code math}, {@code choice-letter}, {@code code} or {@code text}.
   *
   * @throws IllegalArgumentException naming the known extractors when there is none by that name
   */
  public static AnswerExtractor named(String name) {
    Objects.requireNonNull(name, "name");
    return switch (name) {
      case "number" -> number();
      case "math" -> math();
      case "choice-letter" -> choiceLetter();
      case "code" -> code();
      case "text" -> text();
      default -> throw new IllegalArgumentException("answer extractor must be one of " + NAMES + " but was '" + name
          + "'");
    };
  }

  /** The stated final answer: the JSON answer field, then (when asked) a boxed answer, then "answer is". */
  private static String stated(String answer, boolean boxedFirst) {
    String json = FinalAnswers.jsonAnswer(answer);
    if (json != null) {
      return json;
    }
    String boxed = boxedFirst ? FinalAnswers.boxed(answer) : null;
    return boxed != null ? boxed : FinalAnswers.afterAnswerPhrase(answer);
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  private abstract static class Named implements AnswerExtractor {
    private final String name;

    Named(String name) {
      this.name = name;
    }

    @Override
    public final Optional<String> extract(String question, String answer) {
      Objects.requireNonNull(answer, "answer");
      return nonEmpty(find(answer));
    }

    abstract String find(String answer);

    @Override
    public String toString() {
      return name;
    }
  }

  private static final class NumberExtractor extends Named {
    static final NumberExtractor INSTANCE = new NumberExtractor();

    NumberExtractor() {
      super("number");
    }

    @Override
    String find(String answer) {
      String stated = stated(answer, true);
      String n = stated == null ? null : FinalAnswers.firstNumber(stated);
      return n != null ? n : FinalAnswers.lastNumber(answer);
    }
  }

  private static final class ChoiceExtractor extends Named {
    static final ChoiceExtractor INSTANCE = new ChoiceExtractor();
    private static final Pattern LEADING = Pattern.compile("^[\\s*(\\[]*(?:option\\s+)?([A-Ja-j])(?![A-Za-z])",
        Pattern.CASE_INSENSITIVE);
    private static final Pattern AFTER_PHRASE = Pattern.compile(
        "(?i)answer\\s*(?:is|:)\\s*(?:option\\s*)?[*(\\[]*([A-J])(?![A-Za-z])");
    private static final Pattern PARENTHESISED = Pattern.compile("[(\\[]([A-J])[)\\]]");
    private static final Pattern BOLD = Pattern.compile("\\*\\*\\(?([A-J])\\)?[.:)]?\\*\\*");
    private static final Pattern ALONE_AT_END = Pattern.compile("(?<![A-Za-z])([A-J])[.)]?\\s*$");

    ChoiceExtractor() {
      super("choice-letter");
    }

    @Override
    String find(String answer) {
      String json = FinalAnswers.jsonAnswer(answer);
      if (json != null) {
        Matcher m = LEADING.matcher(json);
        if (m.find()) {
          return m.group(1).toUpperCase(Locale.ROOT);
        }
      }
      for (Pattern p : List.of(AFTER_PHRASE, BOLD, PARENTHESISED, ALONE_AT_END)) {
        String last = last(p, answer);
        if (last != null) {
          return last.toUpperCase(Locale.ROOT);
        }
      }
      return null;
    }

    private static String last(Pattern p, String text) {
      Matcher m = p.matcher(text);
      String found = null;
      while (m.find()) {
        found = m.group(1);
      }
      return found;
    }
  }

  private static final class CodeExtractor extends Named {
    static final CodeExtractor INSTANCE = new CodeExtractor();
    private static final Pattern FENCE = Pattern.compile("```([^\\n`]*)\\n(.*?)```", Pattern.DOTALL);

    CodeExtractor() {
      super("code");
    }

    @Override
    String find(String answer) {
      Matcher m = FENCE.matcher(answer);
      String code = null;
      while (m.find()) {
        if (!m.group(1).strip().equalsIgnoreCase("json")) {
          code = m.group(2);
        }
      }
      if (code == null) {
        code = FinalAnswers.jsonAnswer(answer);
      }
      return code == null ? null : normalise(code);
    }

    static String normalise(String code) {
      List<String> lines = new ArrayList<>();
      int indent = Integer.MAX_VALUE;
      for (String raw : code.replace("\r\n", "\n").replace('\t', ' ').split("\n")) {
        String line = raw.stripTrailing();
        String body = line.stripLeading();
        if (body.isEmpty() || body.startsWith("//") || body.equals("#") || body.startsWith("# ")) {
          continue;
        }
        indent = Math.min(indent, line.length() - body.length());
        lines.add(line);
      }
      StringBuilder out = new StringBuilder();
      for (String line : lines) {
        String dedented = line.substring(indent);
        int lead = dedented.length() - dedented.stripLeading().length();
        out.append(" ".repeat(lead)).append(dedented.strip().replaceAll(" {2,}", " ")).append('\n');
      }
      return out.toString().strip();
    }
  }

  private static final class TextExtractor extends Named {
    static final TextExtractor INSTANCE = new TextExtractor();
    private static final Pattern ARTICLES = Pattern.compile("\\b(?:a|an|the)\\b");
    private static final Pattern PUNCTUATION = Pattern.compile("[\\p{P}\\p{S}]");

    TextExtractor() {
      super("text");
    }

    @Override
    String find(String answer) {
      String stated = stated(answer, false);
      if (stated == null) {
        String[] lines = answer.strip().split("\n");
        stated = lines[lines.length - 1];
      }
      return normalise(stated);
    }

    static String normalise(String text) {
      String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
      s = PUNCTUATION.matcher(s).replaceAll(" ");
      s = ARTICLES.matcher(s).replaceAll(" ");
      return s.strip().replaceAll("\\s+", " ");
    }
  }

  private static final class MathExtractor extends Named {
    static final MathExtractor INSTANCE = new MathExtractor();
    private static final Pattern TEXT_COMMAND = Pattern.compile("\\\\(?:text|textbf|mbox|mathrm|mathbf)\\{([^{}]*)}");
    private static final Pattern FRAC_SHORT = Pattern.compile("\\\\frac(\\d)(\\d)");
    private static final Pattern FRAC_HALF_SHORT = Pattern.compile("\\\\frac\\{([^{}]*)}(\\d)");
    private static final Pattern SQRT_SHORT = Pattern.compile("\\\\sqrt(\\d+)");
    private static final Pattern LATEX_FRACTION = Pattern.compile("(-?)\\\\frac\\{(-?\\d+)}\\{(-?\\d+)}");
    private static final Pattern EQUATION_LEFT = Pattern.compile("^[a-zA-Z]{1,2}(?:_\\{?\\w+}?)?\\s*=\\s*");
    private static final Pattern TRAILING_UNITS = Pattern.compile("^([-+]?[\\d.,/]+)\\s*[a-zA-Z][a-zA-Z ]*$");

    MathExtractor() {
      super("math");
    }

    @Override
    String find(String answer) {
      String stated = stated(answer, true);
      if (stated == null) {
        stated = FinalAnswers.lastNumber(answer);
      }
      return stated == null ? null : normalise(stated);
    }

    static String normalise(String answer) {
      String s = answer.strip().replace('\u2212', '-');
      if (s.startsWith("\\boxed") || s.startsWith("\\fbox")) {
        String inner = FinalAnswers.boxed(s);
        s = inner == null ? s : inner;
      }
      for (String remove : List.of("\\!", "\\,", "\\;", "\\:", "\\left", "\\right", "\\displaystyle", "^\\circ",
          "^{\\circ}", "\u00b0", "\\$", "$", "\\%", "%")) {
        s = s.replace(remove, "");
      }
      s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\ ", " ");
      Matcher text = TEXT_COMMAND.matcher(s);
      s = text.replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
      s = FRAC_SHORT.matcher(s).replaceAll("\\\\frac{$1}{$2}");
      s = FRAC_HALF_SHORT.matcher(s).replaceAll("\\\\frac{$1}{$2}");
      s = SQRT_SHORT.matcher(s).replaceAll("\\\\sqrt{$1}");
      s = EQUATION_LEFT.matcher(s.strip()).replaceFirst("");
      Matcher units = TRAILING_UNITS.matcher(s.strip());
      if (units.matches()) {
        s = units.group(1);
      }
      s = s.replace(" ", "");
      while (s.endsWith(".")) {
        s = s.substring(0, s.length() - 1);
      }
      Matcher frac = LATEX_FRACTION.matcher(s);
      if (frac.matches()) {
        String value = FinalAnswers.fraction(new java.math.BigInteger(frac.group(2)),
            new java.math.BigInteger(frac.group(3)));
        if (value != null) {
          return frac.group(1).isEmpty() ? value : negate(value);
        }
      }
      String number = FinalAnswers.canonicalNumber(s);
      return number != null ? number : s;
    }

    private static String negate(String value) {
      return value.startsWith("-") ? value.substring(1) : value.equals("0") ? value : "-" + value;
    }
  }
}
