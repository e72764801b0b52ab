package dev.routellm.calibration;

import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.Dollars;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Chooses a router's threshold from its scores on the user's own prompts: for a target share of strong calls, for a
 * cost budget per request, or for a target quality; and reports the strong share, quality and cost to expect.
 *
 * <pre>{@code
 * double[] scores = predictor.scoreAll(myPrompts);
 * Calibration c = ThresholdCalibrator.of(scores).forStrongShare(0.3);
 * router = Router.builder()...threshold(c.threshold())...build();
 * }</pre>
 *
 * <p>The threshold for a strong share {@code p > 0} is the {@code (1 - p)} quantile of the scores with linear
 * interpolation between order statistics (numpy's and pandas' default, as RouteLLM calibrates); for {@code p = 0} it
 * is just above the highest score ({@link #aboveAll()}), since prompts scoring at or above the threshold go to the
 * strong model. Every reported strong share is counted at the chosen threshold, never taken from the target. A threshold
 * calibrated on someone else's traffic rarely gives the promised share on yours: calibrate on a sample of your own.
 *
 * <p>Immutable and thread-safe; {@code with...} methods return new calibrators.
 */
public final class ThresholdCalibrator {
  private final double[] sorted;
  private final double[] scores;
  private final double[] strongQuality;
  private final double[] weakQuality;
  private final double strongCost;
  private final double weakCost;

  private ThresholdCalibrator(double[] scores, double[] strongQuality, double[] weakQuality, double strongCost,
      double weakCost) {
    this.scores = scores;
    this.sorted = scores.clone();
    Arrays.sort(this.sorted);
    this.strongQuality = strongQuality;
    this.weakQuality = weakQuality;
    this.strongCost = strongCost;
    this.weakCost = weakCost;
  }

  /**
   * A calibrator over the router's scores of a representative sample of prompts.
   *
   * @throws IllegalArgumentException when there are no scores or one is outside [0, 1] (or NaN)
   */
  public static ThresholdCalibrator of(double[] scores) {
    Objects.requireNonNull(scores, "scores");
    if (scores.length == 0) {
      throw new IllegalArgumentException("need at least one score to calibrate on");
    }
    for (int i = 0; i < scores.length; i++) {
      if (!(scores[i] >= 0 && scores[i] <= 1)) {
        throw new IllegalArgumentException("score " + i + " must be in [0, 1] but was " + scores[i]);
      }
    }
    return new ThresholdCalibrator(scores.clone(), null, null, Double.NaN, Double.NaN);
  }

  /**
   * The same calibrator with the sample's outcomes: each prompt's quality when answered by the strong and by the
   * weak model (correctness 0/1 or a judge score). Needed for {@link #forQuality} and quality reports.
   *
   * @throws IllegalArgumentException when the lengths differ from the scores' or a value is not finite
   */
  public ThresholdCalibrator withOutcomes(double[] strong, double[] weak) {
    Objects.requireNonNull(strong, "strong");
    Objects.requireNonNull(weak, "weak");
    if (strong.length != scores.length || weak.length != scores.length) {
      throw new IllegalArgumentException("need one outcome per score (" + scores.length + ") but got "
          + strong.length + " strong and " + weak.length + " weak");
    }
    for (int i = 0; i < scores.length; i++) {
      if (!Double.isFinite(strong[i]) || !Double.isFinite(weak[i])) {
        throw new IllegalArgumentException("outcome " + i + " must be finite but was " + strong[i] + " / "
            + weak[i]);
      }
    }
    return new ThresholdCalibrator(scores, strong.clone(), weak.clone(), strongCost, weakCost);
  }

  /**
   * The same calibrator with prices: a request costs what {@code costModel} charges the chosen model for the
   * average usage. Needed for {@link #forBudget} and cost reports.
   *
   * @throws dev.routellm.ConfigurationException when a model has no price
   */
  public ThresholdCalibrator withCosts(CostModel costModel, String strongModel, String weakModel,
      Usage averageUsage) {
    Objects.requireNonNull(costModel, "costModel");
    Objects.requireNonNull(averageUsage, "averageUsage");
    double s = costModel.cost(Objects.requireNonNull(strongModel, "strongModel"), averageUsage);
    double w = costModel.cost(Objects.requireNonNull(weakModel, "weakModel"), averageUsage);
    return new ThresholdCalibrator(scores, strongQuality, weakQuality, s, w);
  }

  /**
   * The {@code q} quantile of the scores, linear interpolation between order statistics (numpy's default):
   * {@code h = (n - 1) q}, {@code x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])}.
   */
  public double quantile(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in [0, 1] but was " + q);
    }
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * The threshold that sends about {@code share} of the sample to the strong model: the {@code 1 - share} quantile,
   * or {@link #aboveAll()} for a share of 0. The returned strong share is the one counted at that threshold.
   *
   * @throws IllegalArgumentException when {@code share} is outside [0, 1]
   */
  public Calibration forStrongShare(double share) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("strong share must be in [0, 1] but was " + share);
    }
    return at(share == 0 ? aboveAll() : quantile(1 - share));
  }

  /** How many scores the sample has. */
  public int size() {
    return scores.length;
  }

  /**
   * The calibrations nearest {@code share} whose strong share some threshold really delivers on the sample: the one
   * with the largest share at or below {@code share} and the one with the smallest share at or above it, in that
   * order; one calibration when both are the same (a threshold delivers {@code share} exactly) or when no threshold
   * delivers a share on one side (none is below a share of 0 when the highest score is exactly 1). Each has the
   * highest threshold that delivers its share.
   *
   * <p>Prompts with the same score always go to the same model, so a block of tied scores makes every share inside
   * it unreachable: with 30 prompts all scoring 0.5, only 0% and 100% are. {@link #forStrongShare} still returns the
   * quantile threshold, and reports the share it delivers; compare it with these to tell a user what ties cost.
   *
   * @throws IllegalArgumentException when {@code share} is outside [0, 1]
   */
  public List<Calibration> nearestReachable(double share) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("strong share must be in [0, 1] but was " + share);
    }
    int n = sorted.length;
    double target = share * n;
    // Candidates by rising strong count: above every score (when a threshold in [0, 1] is), then each distinct score,
    // whose whole tie block goes to the strong model with it.
    List<double[]> candidates = new ArrayList<>();
    if (aboveAll() > sorted[n - 1]) {
      candidates.add(new double[] {aboveAll(), 0});
    }
    for (int i = n - 1; i >= 0; ) {
      double t = sorted[i];
      int j = i;
      while (j >= 0 && sorted[j] == t) {
        j--;
      }
      candidates.add(new double[] {t, n - 1 - j});
      i = j;
    }
    double[] below = null;
    double[] above = null;
    for (double[] c : candidates) {
      if (c[1] <= target + 1e-9) {
        below = c;
      }
      if (c[1] >= target - 1e-9 && above == null) {
        above = c;
      }
    }
    List<Calibration> out = new ArrayList<>(2);
    if (below != null) {
      out.add(at(below[0]));
    }
    if (above != null && above != below) {
      out.add(at(above[0]));
    }
    return List.copyOf(out);
  }

  /**
   * The lowest threshold above every score of the sample, {@code Math.nextUp(max)}, capped at 1: at it no prompt goes
   * to the strong model, unless the highest score is exactly 1 (no threshold in [0, 1] is above it; check
   * {@link Calibration#strongShare()}).
   */
  public double aboveAll() {
    return Math.min(1, Math.nextUp(sorted[sorted.length - 1]));
  }

  /**
   * Dollars per request when every request goes to the strong model, whatever the threshold.
   *
   * @throws IllegalStateException when no costs were given ({@link #withCosts})
   */
  public double strongCostPerRequest() {
    requireCosts("strongCostPerRequest");
    return strongCost;
  }

  /**
   * Dollars per request when every request goes to the weak model, whatever the threshold.
   *
   * @throws IllegalStateException when no costs were given ({@link #withCosts})
   */
  public double weakCostPerRequest() {
    requireCosts("weakCostPerRequest");
    return weakCost;
  }

  private void requireCosts(String method) {
    if (Double.isNaN(strongCost)) {
      throw new IllegalStateException("no prices: call withCosts(...) before " + method);
    }
  }

  /**
   * The lowest threshold whose expected cost per request on the sample is at most {@code dollarsPerRequest}: the most
   * strong calls the budget affords, {@code (budget - weakCost) / (strongCost - weakCost)} of the prompts, rounded
   * down to whole prompts and to whole blocks of tied scores, so the budget is never exceeded on the sample.
   *
   * @throws IllegalStateException when no costs were given ({@link #withCosts})
   * @throws IllegalArgumentException when the budget is below the all-weak cost (the message gives that cost)
   */
  public Calibration forBudget(double dollarsPerRequest) {
    requireCosts("forBudget");
    if (!(dollarsPerRequest >= weakCost)) {
      throw new IllegalArgumentException("a budget of " + Dollars.format(dollarsPerRequest) + " per request is below the cost of"
          + " sending everything to the weak model (" + Dollars.format(weakCost) + ")");
    }
    double share = strongCost > weakCost ? (dollarsPerRequest - weakCost) / (strongCost - weakCost) : 1;
    int n = sorted.length;
    int affordable = (int) Math.floor(Math.min(1, share) * n + 1e-9);
    // Walk down from the highest score; stop before a tie block that would not fit whole.
    int strong = 0;
    double threshold = aboveAll();
    for (int i = n - 1; i >= 0; ) {
      double t = sorted[i];
      int j = i;
      while (j >= 0 && sorted[j] == t) {
        j--;
      }
      if (strong + (i - j) > affordable) {
        break;
      }
      strong += i - j;
      threshold = t;
      i = j;
    }
    return at(threshold);
  }

  /**
   * The highest threshold (fewest strong calls) at which the sample's mean quality reaches {@code target}, in the
   * outcomes' own unit (a mean of 0/1 correctness is in [0, 1]).
   *
   * @throws IllegalStateException when no outcomes were given ({@link #withOutcomes})
   * @throws IllegalArgumentException when no threshold reaches the target (the message gives the best reachable,
   *     {@link #bestQuality()})
   */
  public Calibration forQuality(double target) {
    if (strongQuality == null) {
      throw new IllegalStateException("no outcomes: call withOutcomes(...) before forQuality");
    }
    if (Double.isNaN(target)) {
      throw new IllegalArgumentException("target quality must not be NaN");
    }
    double threshold = walkQuality(target);
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("no threshold reaches quality " + target + " on this sample; the best"
          + " reachable is " + bestQuality());
    }
    return at(threshold);
  }

  /**
   * The highest mean quality any threshold reaches on the sample, in the outcomes' unit.
   *
   * @throws IllegalStateException when no outcomes were given ({@link #withOutcomes})
   */
  public double bestQuality() {
    double[] best = {Double.NEGATIVE_INFINITY};
    walkQuality(Double.POSITIVE_INFINITY, best);
    return best[0];
  }

  private double walkQuality(double target) {
    return walkQuality(target, new double[1]);
  }

  /**
   * Walks thresholds from high (all weak) to low, adding prompts in decreasing score order; returns the first
   * threshold whose mean quality reaches {@code target}, or NaN, and leaves the best mean seen in {@code best[0]}.
   */
  private double walkQuality(double target, double[] best) {
    if (strongQuality == null) {
      throw new IllegalStateException("no outcomes: call withOutcomes(...) before forQuality or bestQuality");
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    double total = 0;
    for (double w : weakQuality) {
      total += w;
    }
    int n = scores.length;
    best[0] = total / n;
    if (total / n >= target) {
      return aboveAll();
    }
    for (int i = 0; i < n; ) {
      double t = scores[order[i]];
      for (; i < n && scores[order[i]] == t; i++) {
        total += strongQuality[order[i]] - weakQuality[order[i]];
      }
      best[0] = Math.max(best[0], total / n);
      if (total / n >= target) {
        return t;
      }
    }
    return Double.NaN;
  }

  /** What to expect at a given threshold. */
  public Calibration at(double threshold) {
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1] but was " + threshold);
    }
    int strong = 0;
    double quality = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean toStrong = scores[i] >= threshold;
      strong += toStrong ? 1 : 0;
      if (strongQuality != null) {
        quality += toStrong ? strongQuality[i] : weakQuality[i];
      }
    }
    double share = (double) strong / scores.length;
    return new Calibration(threshold, share,
        strongQuality == null ? OptionalDouble.empty() : OptionalDouble.of(quality / scores.length),
        Double.isNaN(strongCost) ? OptionalDouble.empty()
            : OptionalDouble.of(share * strongCost + (1 - share) * weakCost));
  }
}
