package dev.routellm.examples.cli;

import dev.routellm.calibration.Calibration;
import dev.routellm.calibration.ThresholdCalibrator;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@code --strong-share} target became on the prompts it was calibrated on: the share the chosen threshold
 * really delivers, and a one-line warning when ties make the target unreachable (prompts with the same score always go
 * to the same model, so judge ratings that tie often leave only 0% and 100%). Commands print the delivered share, never
 * the requested one. Immutable.
 *
 * @param requested the share asked for
 * @param chosen the calibration at the chosen threshold, with the share it delivers
 * @param prompts how many prompts the share is counted over
 * @param warning why the requested share was not delivered, when it was not (for {@code --json}'s "warnings")
 */
record StrongShareCheck(double requested, Calibration chosen, int prompts, Optional<String> warning) {
  StrongShareCheck {
    Objects.requireNonNull(chosen, "chosen");
    Objects.requireNonNull(warning, "warning");
  }

  /**
   * Checks {@code chosen} against {@code requested} on the calibrator's sample. Without ties the delivered share is
   * within one prompt of any target; a larger miss is a tie block straddling the target, which the warning names with
   * the nearest shares some threshold reaches.
   *
   * @param what the prompts, as the message names them ("the training prompts")
   */
  static StrongShareCheck of(ThresholdCalibrator calibrator, double requested, Calibration chosen, String what) {
    int n = calibrator.size();
    if (Math.abs(chosen.strongShare() - requested) * n < 1 - 1e-9) {
      return new StrongShareCheck(requested, chosen, n, Optional.empty());
    }
    List<Calibration> near = calibrator.nearestReachable(requested);
    Calibration upper = near.get(near.size() - 1);
    double lowerShare = near.size() == 2 ? near.get(0).strongShare() : 0;
    long tied = Math.round((upper.strongShare() - lowerShare) * n);
    StringBuilder reachable = new StringBuilder(near.size() == 2 ? "the nearest shares a threshold reaches are "
        : "the nearest share a threshold reaches is ");
    String tie = threshold(upper.threshold());
    for (int i = 0; i < near.size(); i++) {
      String t = threshold(near.get(i).threshold());
      // Just above the tie block may print as the block's own score: say so rather than print the same number twice.
      reachable.append(i == 0 ? "" : " and ").append(String.format(Locale.ROOT, "%s (threshold %s)",
          percent(near.get(i).strongShare()), near.get(i) != upper && t.equals(tie) ? "just above " + t : t));
    }
    return new StrongShareCheck(requested, chosen, n, Optional.of(String.format(Locale.ROOT, "no threshold"
        + " sends %s of %s to the strong model: %,d of the %,d score exactly %.6f, and prompts with the same score go"
        + " to the same model; %s", percent(requested), what, tied, n, upper.threshold(), reachable)));
  }

  /** Prints the warning, if any, as every command prints one: a line on stderr. */
  void warn(PrintWriter err) {
    warning.ifPresent(w -> {
      err.println("routellm: warning: " + w);
      err.flush();
    });
  }

  /** How many of the prompts the chosen threshold sends to the strong model. */
  long strongPrompts() {
    return Math.round(chosen.strongShare() * prompts);
  }

  private static String threshold(double t) {
    return String.format(Locale.ROOT, "%.6f", t);
  }

  /** A share as people read it: {@code 30%}, {@code 12.5%}, {@code 33.3%}. */
  static String percent(double share) {
    String s = String.format(Locale.ROOT, "%.1f", 100 * share);
    return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "%";
  }
}
