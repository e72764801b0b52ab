package dev.routellm.evaluation;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Picks a policy's setting for what the user asks of it: a budget per request, a quality to reach, or a share of the
 * best single model's cost. The choice is made on operating points measured on the user's labelled data (one per
 * setting, {@link PoolPolicy#evaluate}); {@link PoolEvaluator} also measures, by cross-fitting, what the choice then
 * delivers on examples it was not made on.
 *
 * <p>Stateless and thread-safe.
 */
public final class PoolCalibration {
  private PoolCalibration() {}

  /** What to calibrate for. */
  public enum Kind {
    /** The best quality whose mean cost per request is within a budget (dollars). */
    BUDGET("budget per request"),
    /** The cheapest setting reaching a quality (in the data's unit). */
    QUALITY("target quality"),
    /** The best quality within a share of the best single model's cost (a fraction, 0.2 for 20%). */
    COST_SHARE("share of the best single model's cost");

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }

    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A calibration target.
   *
   * @param kind what {@code value} is
   * @param value dollars per request, a quality, or a share; finite, and {@code >= 0} for a budget or a share
   */
  public record Target(Kind kind, double value) {
    public Target {
      Objects.requireNonNull(kind, "kind");
      if (!Double.isFinite(value) || (kind != Kind.QUALITY && value < 0)) {
        throw new IllegalArgumentException(kind.description() + " must be a finite number"
            + (kind == Kind.QUALITY ? "" : " >= 0") + " but was " + value);
      }
    }

    /** A budget in dollars per request. */
    public static Target budget(double dollarsPerRequest) {
      return new Target(Kind.BUDGET, dollarsPerRequest);
    }

    /** A quality to reach, in the data's unit. */
    public static Target quality(double quality) {
      return new Target(Kind.QUALITY, quality);
    }

    /** A share of the best single model's cost (0.2 for 20%). */
    public static Target costShare(double share) {
      return new Target(Kind.COST_SHARE, share);
    }

    /** The most a request may cost on average under this target; infinite for a quality target. */
    double maxCost(double bestSingleCost) {
      return switch (kind) {
        case BUDGET -> value;
        case COST_SHARE -> value * bestSingleCost;
        case QUALITY -> Double.POSITIVE_INFINITY;
      };
    }

    @Override
    public String toString() {
      return switch (kind) {
        case BUDGET -> "budget " + dev.routellm.cost.Dollars.format(value) + " per request";
        case QUALITY -> String.format(Locale.ROOT, "quality %.4g", value);
        case COST_SHARE -> String.format(Locale.ROOT, "%.4g%% of the best single model's cost", 100 * value);
      };
    }
  }

  /**
   * The setting that meets the target: for a quality, the cheapest point reaching it (ties: the better); for a budget
   * or a cost share, the best point within it (ties: the cheaper).
   *
   * @param points one operating point per setting
   * @param bestSingleCost the best single model's cost per request (for a cost share)
   * @return the chosen point's index, or -1 when no point meets the target
   */
  public static int choose(List<OperatingPoint> points, Target target, double bestSingleCost) {
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(target, "target");
    int best = -1;
    double budget = target.maxCost(bestSingleCost);
    for (int s = 0; s < points.size(); s++) {
      OperatingPoint p = points.get(s);
      if (target.kind() == Kind.QUALITY) {
        if (p.quality() >= target.value() && (best < 0 || p.cost() < points.get(best).cost()
            || (p.cost() == points.get(best).cost() && p.quality() > points.get(best).quality()))) {
          best = s;
        }
      } else if (p.cost() <= budget && (best < 0 || p.quality() > points.get(best).quality()
          || (p.quality() == points.get(best).quality() && p.cost() < points.get(best).cost()))) {
        best = s;
      }
    }
    return best;
  }

  /**
   * {@link #choose}, falling back when no point meets the target: the best point for a quality target, the cheapest
   * for a budget or a share.
   */
  static int chooseOrNearest(List<OperatingPoint> points, Target target, double bestSingleCost) {
    int s = choose(points, target, bestSingleCost);
    if (s >= 0) {
      return s;
    }
    int nearest = 0;
    for (int i = 1; i < points.size(); i++) {
      OperatingPoint p = points.get(i);
      OperatingPoint n = points.get(nearest);
      boolean better = target.kind() == Kind.QUALITY ? p.quality() > n.quality()
          || (p.quality() == n.quality() && p.cost() < n.cost()) : p.cost() < n.cost();
      if (better) {
        nearest = i;
      }
    }
    return nearest;
  }

  /**
   * A calibration and what it delivered.
   *
   * @param target what was asked
   * @param setting the setting chosen on all the data (what to deploy), with its in-sample quality and cost
   * @param met whether that setting meets the target on all the data
   * @param heldOut quality and cost of the settings chosen without each fold, measured on that fold (cross-fitting:
   *     an honest estimate of what the calibration delivers on new prompts); null without folds
   * @param foldSettings the setting chosen without each fold, in fold order (empty without folds)
   */
  public record Result(Target target, OperatingPoint setting, boolean met, CostQualityPoint heldOut,
      List<String> foldSettings) {
    public Result {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(setting, "setting");
      foldSettings = List.copyOf(foldSettings);
    }
  }
}
