package dev.routellm.labelling;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a judge's verdict from its answer, strictly: a single-answer rating must appear as {@code [[n]]} with
 * {@code n} in [1, 10], a pairwise verdict as exactly one of {@code [[A]]}, {@code [[B]]}, {@code [[C]]}. An answer with
 * no verdict, a rating out of range, or two different verdicts is unparseable: never guessed. Stateless.
 */
final class Verdicts {
  /** What the judge wrote in a pairwise comparison. */
  enum Pairwise {
    A,
    B,
    /** A tie. */
    C
  }

  private static final Pattern RATING = Pattern.compile("\\[\\[\\s*(\\d+(?:\\.\\d+)?)\\s*\\]\\]");

  private Verdicts() {}

  /** The rating, or empty when the answer holds none, several different ones, or one outside [1, 10]. */
  static OptionalDouble rating(String judgement) {
    Matcher m = RATING.matcher(judgement);
    Double found = null;
    while (m.find()) {
      double v = Double.parseDouble(m.group(1));
      if (found != null && found != v) {
        return OptionalDouble.empty();
      }
      found = v;
    }
    return found != null && found >= 1 && found <= 10 ? OptionalDouble.of(found) : OptionalDouble.empty();
  }

  /** The pairwise verdict, or null when the answer holds none or more than one kind. */
  static Pairwise pairwise(String judgement) {
    Pairwise found = null;
    for (Pairwise p : Pairwise.values()) {
      if (judgement.contains("[[" + p.name() + "]]")) {
        if (found != null) {
          return null;
        }
        found = p;
      }
    }
    return found;
  }
}
