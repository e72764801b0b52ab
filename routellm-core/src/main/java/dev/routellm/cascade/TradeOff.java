package dev.routellm.cascade;

import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a cascade would do over a set of answers at each confidence threshold: share escalated to the strong model,
 * expected accuracy and expected cost. Immutable and thread-safe.
 *
 * <p>At threshold {@code t} an answer is kept when its confidence is {@code >= t} and escalated otherwise (as the
 * cascade router does). With {@code k} the kept share: expected accuracy {@code = k * acc(weak | kept) + (1 - k) *
 * acc(strong | escalated)}; expected cost per request {@code = mean(weak cost) + mean(strong cost of the escalated
 * ones)}: the weak call is always paid (Alamere's accounting). Cost per million tokens divides the total cost by the
 * requests' tokens (each request's weak call, prompt plus completion): with equal token counts and flat prices it is
 * Alamere's {@code c_weak + (1 - k) c_strong}.
 */
public final class TradeOff {
  /**
   * One answer of the weak model, scored and priced.
   *
   * @param confidence its confidence, finite
   * @param weakCorrect whether the weak answer was correct
   * @param strongCorrect probability that the strong model answers it correctly: 1 or 0 when known, the strong
   *     model's accuracy when not
   * @param weakCost dollars of the weak call, {@code >= 0}
   * @param strongCost dollars of the strong call if escalated, {@code >= 0}
   * @param tokens the request's tokens (the weak call's prompt plus completion), {@code >= 0}
   */
  public record Outcome(
      double confidence, boolean weakCorrect, double strongCorrect, double weakCost, double strongCost, long tokens) {
    public Outcome {
      if (!Double.isFinite(confidence)) {
        throw new IllegalArgumentException("confidence must be finite but was " + confidence);
      }
      if (!(strongCorrect >= 0 && strongCorrect <= 1)) {
        throw new IllegalArgumentException("strongCorrect must be in [0, 1] but was " + strongCorrect);
      }
      if (!(weakCost >= 0) || !(strongCost >= 0) || Double.isInfinite(weakCost) || Double.isInfinite(strongCost)) {
        throw new IllegalArgumentException(
            "costs must be finite and >= 0 but were weak " + weakCost + ", strong " + strongCost);
      }
      if (tokens < 0) {
        throw new IllegalArgumentException("tokens must be >= 0 but was " + tokens);
      }
    }

    /**
     * An outcome priced by a cost model.
     *
     * @param strongCorrect as {@link Outcome#strongCorrect()}
     * @param weakUsage the weak call's tokens
     * @param strongUsage the strong call's tokens, if it were made
     * @throws dev.routellm.ConfigurationException when a model has no price
     */
    public static Outcome priced(
        double confidence,
        boolean weakCorrect,
        double strongCorrect,
        CostModel costs,
        String weakModel,
        Usage weakUsage,
        String strongModel,
        Usage strongUsage) {
      Objects.requireNonNull(costs, "costs");
      return new Outcome(
          confidence,
          weakCorrect,
          strongCorrect,
          costs.cost(weakModel, weakUsage),
          costs.cost(strongModel, strongUsage),
          weakUsage.totalTokens());
    }
  }

  /**
   * The cascade at one threshold.
   *
   * @param threshold answers with confidence below it are escalated
   * @param escalatedShare share of requests sent on to the strong model
   * @param accuracy expected accuracy of the answers returned
   * @param costPerRequest expected dollars per request, the weak call included
   * @param costPerMillionTokens expected dollars per million request tokens
   */
  public record Row(
      double threshold, double escalatedShare, double accuracy, double costPerRequest, double costPerMillionTokens) {}

  private final double[] confidence; // ascending
  private final double[] strongPrefix; // strongPrefix[k] = sum of strongCorrect of the k least confident
  private final double[] weakPrefix; // weakPrefix[k] = sum of weakCorrect of the k least confident
  private final double[] strongCostPrefix;
  private final double weakCostTotal;
  private final double tokenTotal;

  private TradeOff(List<Outcome> outcomes) {
    int n = outcomes.size();
    Outcome[] sorted = outcomes.toArray(new Outcome[0]);
    Arrays.sort(sorted, (a, b) -> Double.compare(a.confidence(), b.confidence()));
    confidence = new double[n];
    strongPrefix = new double[n + 1];
    weakPrefix = new double[n + 1];
    strongCostPrefix = new double[n + 1];
    double weakCost = 0;
    double tokens = 0;
    for (int i = 0; i < n; i++) {
      Outcome o = sorted[i];
      confidence[i] = o.confidence();
      strongPrefix[i + 1] = strongPrefix[i] + o.strongCorrect();
      weakPrefix[i + 1] = weakPrefix[i] + (o.weakCorrect() ? 1 : 0);
      strongCostPrefix[i + 1] = strongCostPrefix[i] + o.strongCost();
      weakCost += o.weakCost();
      tokens += o.tokens();
    }
    weakCostTotal = weakCost;
    tokenTotal = tokens;
  }

  /**
   * The trade-off over these outcomes.
   *
   * @throws IllegalArgumentException when there are none
   */
  public static TradeOff of(List<Outcome> outcomes) {
    Objects.requireNonNull(outcomes, "outcomes");
    if (outcomes.isEmpty()) {
      throw new IllegalArgumentException("a trade-off needs at least one outcome");
    }
    outcomes.forEach(o -> Objects.requireNonNull(o, "outcome"));
    return new TradeOff(outcomes);
  }

  /** Number of outcomes. */
  public int size() {
    return confidence.length;
  }

  /** The cascade at threshold {@code t} (any finite number; the router accepts [0, 1]). */
  public Row at(double threshold) {
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException("threshold must be finite but was " + threshold);
    }
    int escalated = lowerBound(threshold);
    int n = confidence.length;
    double correct = strongPrefix[escalated] + (weakPrefix[n] - weakPrefix[escalated]);
    double cost = weakCostTotal + strongCostPrefix[escalated];
    return new Row(
        threshold,
        (double) escalated / n,
        correct / n,
        cost / n,
        tokenTotal == 0 ? Double.NaN : cost / tokenTotal * 1_000_000.0);
  }

  /** Rows at thresholds {@code 0, step, 2 step, ...} below 1, then 1. */
  public List<Row> table(double step) {
    if (!(step > 0 && step <= 1)) {
      throw new IllegalArgumentException("step must be in (0, 1] but was " + step);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; ; i++) {
      // Rounded to 10 decimals so that 16 * 0.05 is the 0.8 a reader expects.
      double t = Math.round(i * step * 1e10) / 1e10;
      if (t >= 1.0) {
        break;
      }
      rows.add(at(t));
    }
    rows.add(at(1.0));
    return List.copyOf(rows);
  }

  /**
   * Every threshold in [0, 1] at which the escalated set changes (each distinct confidence in (0, 1]), with 0 and 1,
   * ascending.
   */
  public List<Row> candidates() {
    List<Row> rows = new ArrayList<>();
    rows.add(at(0.0));
    double previous = 0.0;
    for (double c : confidence) {
      if (c > previous && c < 1.0) {
        rows.add(at(c));
        previous = c;
      }
    }
    rows.add(at(1.0));
    return List.copyOf(rows);
  }

  /**
   * The cheapest threshold in [0, 1] whose expected accuracy reaches {@code target}: the highest among those that
   * escalate least. Empty when none does.
   */
  public Optional<Row> cheapestReaching(double targetAccuracy) {
    if (!(targetAccuracy >= 0 && targetAccuracy <= 1)) {
      throw new IllegalArgumentException("target accuracy must be in [0, 1] but was " + targetAccuracy);
    }
    Row best = null;
    for (Row r : candidates()) {
      if (r.accuracy() >= targetAccuracy - 1e-12 && (best == null || r.costPerRequest() < best.costPerRequest())) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The most accurate threshold in [0, 1] whose expected cost per request stays within {@code maxCostPerRequest}
   * dollars (the cheaper one on ties). Empty when even keeping every weak answer costs more.
   */
  public Optional<Row> bestWithinBudget(double maxCostPerRequest) {
    if (!(maxCostPerRequest >= 0) || Double.isInfinite(maxCostPerRequest)) {
      throw new IllegalArgumentException("budget must be a finite number >= 0 but was " + maxCostPerRequest);
    }
    Row best = null;
    for (Row r : candidates()) {
      if (r.costPerRequest() <= maxCostPerRequest * (1 + 1e-12)
          && (best == null
              || r.accuracy() > best.accuracy()
              || (r.accuracy() == best.accuracy() && r.costPerRequest() < best.costPerRequest()))) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Index of the first confidence {@code >= t}: the number escalated at {@code t}. */
  private int lowerBound(double t) {
    int lo = 0;
    int hi = confidence.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (confidence[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
