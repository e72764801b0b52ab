package dev.routellm.data;

import java.util.Objects;

/**
 * How a dataset's quality is reported: a name for people and the factor from a mean outcome to that unit. Outcomes
 * are stored as they were judged (1 or 0 for right or wrong, a judge's score); the unit only changes how means are
 * shown: the mean of 0/1 outcomes times 100 is an accuracy in percent.
 *
 * <p>PGR, APGR and CPT are ratios, so they do not depend on the unit. Immutable and thread-safe; never null.
 *
 * @param name what the numbers are, for output ({@code "accuracy %"}, {@code "judge score"}); not blank
 * @param scale factor from a mean outcome to the unit, finite and {@code > 0}
 */
public record QualityUnit(String name, double scale) {
  /** Mean of 0/1 correctness, shown in percent (MMLU, GSM8K, boolean user data). */
  public static final QualityUnit ACCURACY_PERCENT = new QualityUnit("accuracy %", 100.0);
  /** MT-Bench's GPT-4 judge score (1 to 10), shown as is. */
  public static final QualityUnit JUDGE_SCORE = new QualityUnit("judge score", 1.0);
  /** A numeric score of the user's own, shown as is. */
  public static final QualityUnit SCORE = new QualityUnit("score", 1.0);

  public QualityUnit {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("quality unit name must not be blank");
    }
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and > 0 but was " + scale);
    }
  }

  /** A mean outcome expressed in this unit. */
  public double of(double meanOutcome) {
    return meanOutcome * scale;
  }
}
