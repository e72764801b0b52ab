package dev.routellm.evaluation;

import dev.routellm.data.Dataset;
import dev.routellm.data.QualityUnit;
import dev.routellm.routing.Tier;
import java.util.Arrays;
import java.util.Objects;

/**
 * A router's quality-versus-cost curve on a dataset, read two ways: on a fine grid (every 1% of strong share,
 * {@value #FINE_GRID_STEPS} steps) and at RouteLLM's 11 operating points. Also the two reference curves: random
 * routing and the oracle.
 *
 * <h2>From scores to a curve</h2>
 *
 * A router scores every example; at threshold {@code t}, examples scoring {@code >= t} go to the strong model. Each
 * distinct score is a threshold, so the exactly achievable operating points are the shares of examples scoring at
 * least each distinct score, from the highest down. <b>Ties</b> are handled deterministically and without regard to
 * example order: examples with equal scores move to the strong model together, and between two achievable points the
 * curve is the straight line between them, which is exactly the expected quality of sending a random part of the tied
 * block to the strong model. The fine grid reads this exact curve at shares 0, 1%, ..., 100%.
 *
 * <p>RouteLLM's 11 points use thresholds at the minimum, the deciles and the maximum of the scores (quantiles with
 * linear interpolation, numpy's default); each point routes examples with score {@code >= t} to the strong model,
 * except the last (the maximum), which routes those with score {@code > t}, so the points run from 100% to 0% strong
 * calls. Tied thresholds give repeated points; they add nothing to the area.
 *
 * <h2>References</h2>
 *
 * <ul>
 *   <li>{@link #random(Dataset)}: the expected curve of random routing, the straight line from always-weak to
 *       always-strong (APGR 0.5, CPT(x) = x). Its 11 points are read at shares 0, 10%, ..., 100%.
 *   <li>{@link #oracle(Dataset)}: the best quality reachable with at most a given share of strong calls, knowing every
 *       outcome: the examples the strong model improves on most go first and no example it does not improve goes at
 *       all; between whole examples the curve is linear. For right/wrong data this is RouteLLM's "optimal" curve
 *       (strong only where the weak model is wrong and the strong one right). Its 11 points are read at shares 0,
 *       10%, ..., 100%, as RouteLLM plots it; APGR can exceed 1.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param fineGrid the curve read every 1% of strong share (101 points)
 * @param routeLlm the curve at RouteLLM's 11 operating points
 */
public record RoutingCurves(Curve fineGrid, Curve routeLlm) {
  /** Steps of the fine grid: 100, one per 1% of strong share. */
  public static final int FINE_GRID_STEPS = 100;
  /** Steps between RouteLLM's 11 points (min, deciles, max). */
  public static final int ROUTELLM_STEPS = 10;

  public RoutingCurves {
    Objects.requireNonNull(fineGrid, "fineGrid");
    Objects.requireNonNull(routeLlm, "routeLlm");
  }

  /**
   * The curves of a router's scores.
   *
   * @param data the examples, with both models' outcomes
   * @param scores one finite score per example, in the dataset's order; higher means more in need of the strong model
   * @throws IllegalArgumentException when the lengths differ, the dataset is empty, a score is not finite, or both
   *     models have the same quality (PGR is undefined)
   */
  public static RoutingCurves of(Dataset data, double[] scores) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(scores, "scores");
    if (scores.length != data.size()) {
      throw new IllegalArgumentException("expected one score per example (" + data.size() + ") but got "
          + scores.length);
    }
    if (data.isEmpty()) {
      throw new IllegalArgumentException("dataset '" + data.name() + "' is empty: it has no curve");
    }
    int n = scores.length;
    double[] sorted = new double[n];
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(scores[i])) {
        throw new IllegalArgumentException("scores must be finite but score " + i + " (example '"
            + data.example(i).id() + "') was " + scores[i]);
      }
      sorted[i] = scores[i] + 0.0; // folds -0.0 into 0.0: a threshold treats them alike
    }
    Arrays.sort(sorted);
    double[] distinct = new double[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (m == 0 || sorted[i] != distinct[m - 1]) {
        distinct[m++] = sorted[i];
      }
    }
    distinct = Arrays.copyOf(distinct, m);

    // Per distinct score: how many examples have it and what sending them to the strong model gains.
    double[] strong = data.scores(Tier.STRONG);
    double[] weak = data.scores(Tier.WEAK);
    long[] count = new long[m + 1];
    double[] gain = new double[m + 1];
    double weakSum = 0;
    for (int i = 0; i < n; i++) {
      int k = Arrays.binarySearch(distinct, scores[i] + 0.0);
      count[k]++;
      gain[k] += strong[i] - weak[i];
      weakSum += weak[i];
    }
    // Suffix sums: count[k], gain[k] become the totals over scores >= distinct[k]; index m is the empty suffix.
    count[m] = 0;
    gain[m] = 0;
    for (int k = m - 1; k >= 0; k--) {
      count[k] += count[k + 1];
      gain[k] += gain[k + 1];
    }

    QualityUnit unit = data.unit();
    double weakQuality = unit.of(weakSum / n);
    double strongQuality = data.quality(Tier.STRONG);

    // The exact curve: one point per distinct score, from the highest down, after the all-weak point.
    double[] shares = new double[m + 1];
    double[] qualities = new double[m + 1];
    for (int j = 0; j <= m; j++) {
      int k = m - j;
      shares[j] = j == m ? 1.0 : (double) count[k] / n;
      qualities[j] = unit.of((weakSum + gain[k]) / n);
    }
    Curve exact = Curve.of(shares, qualities, weakQuality, strongQuality);

    // RouteLLM's 11 points, in order of increasing share: threshold quantile 1.0 (> max) down to 0.0 (>= min).
    double[] s11 = new double[ROUTELLM_STEPS + 1];
    double[] q11 = new double[ROUTELLM_STEPS + 1];
    for (int j = 0; j <= ROUTELLM_STEPS; j++) {
      int decile = ROUTELLM_STEPS - j;
      int k;
      if (decile == ROUTELLM_STEPS) {
        k = m; // strictly above the maximum: nothing goes to the strong model
      } else {
        double t = quantile(sorted, (double) decile / ROUTELLM_STEPS);
        k = lowerBound(distinct, t);
      }
      s11[j] = decile == 0 ? 1.0 : (double) count[k] / n;
      q11[j] = unit.of((weakSum + gain[k]) / n);
    }
    return new RoutingCurves(exact.sample(FINE_GRID_STEPS), Curve.of(s11, q11, weakQuality, strongQuality));
  }

  /** The expected curve of random routing: the straight line from always-weak to always-strong. */
  public static RoutingCurves random(Dataset data) {
    requireNotEmpty(data);
    Curve line = Curve.of(new double[] {0, 1}, new double[] {data.quality(Tier.WEAK), data.quality(Tier.STRONG)},
        data.quality(Tier.WEAK), data.quality(Tier.STRONG));
    return references(line);
  }

  /** The oracle: the best quality reachable with at most each share of strong calls, knowing every outcome. */
  public static RoutingCurves oracle(Dataset data) {
    requireNotEmpty(data);
    double[] strong = data.scores(Tier.STRONG);
    double[] weak = data.scores(Tier.WEAK);
    int n = strong.length;
    double[] positive = new double[n];
    int p = 0;
    double weakSum = 0;
    for (int i = 0; i < n; i++) {
      weakSum += weak[i];
      double gain = strong[i] - weak[i];
      if (gain > 0) {
        positive[p++] = gain;
      }
    }
    Arrays.sort(positive, 0, p);
    boolean tail = p < n;
    double[] shares = new double[p + 1 + (tail ? 1 : 0)];
    double[] qualities = new double[shares.length];
    double sum = weakSum;
    QualityUnit unit = data.unit();
    qualities[0] = unit.of(sum / n);
    for (int k = 1; k <= p; k++) {
      sum += positive[p - k]; // largest gains first
      shares[k] = k == n ? 1.0 : (double) k / n;
      qualities[k] = unit.of(sum / n);
    }
    if (tail) {
      shares[p + 1] = 1.0;
      qualities[p + 1] = qualities[p];
    }
    return references(Curve.of(shares, qualities, data.quality(Tier.WEAK), data.quality(Tier.STRONG)));
  }

  private static RoutingCurves references(Curve exact) {
    return new RoutingCurves(exact.sample(FINE_GRID_STEPS), exact.sample(ROUTELLM_STEPS));
  }

  private static void requireNotEmpty(Dataset data) {
    if (Objects.requireNonNull(data, "data").isEmpty()) {
      throw new IllegalArgumentException("dataset '" + data.name() + "' is empty: it has no curve");
    }
  }

  /** The q-quantile of sorted values, interpolating linearly between order statistics (numpy's default). */
  static double quantile(double[] sorted, double q) {
    double position = q * (sorted.length - 1);
    int lo = (int) Math.floor(position);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
  }

  /** The index of the first value {@code >= t}, or {@code values.length} when there is none. */
  private static int lowerBound(double[] values, double t) {
    int lo = 0;
    int hi = values.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (values[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
