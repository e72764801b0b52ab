package dev.routellm.routing;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A threshold that holds a target share of strong-model calls (or a target spend per request) on live traffic, so
 * that the share does not drift when the mix of prompts changes (RouteLLM issue #36). It keeps the last
 * {@link Builder#window} scores and moves the threshold toward their {@code (1 - share)} quantile (linear
 * interpolation between order statistics, as {@link dev.routellm.calibration.ThresholdCalibrator} calibrates once;
 * the share aimed at is corrected by the realised share of recent decisions, {@link Builder#correction}), by at
 * most {@link Builder#maxStep} per decision and at most {@link Builder#maxChangePerSecond} per second of the
 * injected clock, so that a burst of unusual prompts cannot swing it. Until {@link Builder#minSamples} scores have
 * been seen it stays at its {@link Builder#initial} value (a threshold calibrated offline, say).
 *
 * <pre>{@code
 * AdaptiveThreshold threshold = AdaptiveThreshold.builder()
 *     .strongShare(0.3)                       // or .spendPerRequest(0.002, strongCostPerRequest, weakCostPerRequest)
 *     .initial(calibrated)                    // from 'routellm calibrate'
 *     .build();
 * }</pre>
 *
 * <p>A spend target is a share target in disguise: with expected costs per request {@code c_strong} and
 * {@code c_weak}, spending {@code s} per request means a strong share of {@code (s - c_weak) / (c_strong - c_weak)}.
 *
 * <p>Thread-safe: {@link #next} and the accessors synchronise on this object, so concurrent decisions update it one
 * at a time (about a microsecond each with the default window). Deterministic: the same scores at the same clock
 * readings give the same thresholds. What is not guaranteed: the realised share while the window still holds traffic
 * of an older mix (about {@code window} decisions after a change), or when many prompts score exactly the same.
 */
public final class AdaptiveThreshold implements ThresholdSource {
  /** Scores kept by default: the estimate follows a change of mix within about this many decisions. */
  public static final int DEFAULT_WINDOW = 100;
  /** Gain of the correction by the realised share, by default. */
  public static final double DEFAULT_CORRECTION = 2.0;
  /** Decisions the realised share is counted over, by default. */
  public static final int DEFAULT_CORRECTION_WINDOW = 500;
  /** Scores seen before the threshold first moves, by default. */
  public static final int DEFAULT_MIN_SAMPLES = 50;
  /** Largest change of the threshold in one decision, by default. */
  public static final double DEFAULT_MAX_STEP = 0.01;
  /** Largest change per second of the clock, by default: unlimited (only {@link #DEFAULT_MAX_STEP} bounds it). */
  public static final double DEFAULT_MAX_CHANGE_PER_SECOND = Double.POSITIVE_INFINITY;
  /** Threshold before {@link Builder#minSamples} scores, by default. */
  public static final double DEFAULT_INITIAL = 0.5;

  private final double share;
  private final String target;
  private final int minSamples;
  private final double correction;
  private final double maxStep;
  private final double maxChangePerSecond;
  private final Clock clock;
  private final double[] ring;
  private final boolean[] strongRing;
  private final double[] sorted;
  private int count;
  private int next;
  private int nextDecision;
  private int strongCount;
  private long decisions;
  private long lastMillis;
  private volatile double current;

  private AdaptiveThreshold(Builder b, double share) {
    this.share = share;
    this.target = b.spend == null ? String.format(Locale.ROOT, "strong share %.1f%%", 100 * share)
        : String.format(Locale.ROOT, "spend $%s per request (strong share %.1f%%)", plain(b.spend), 100 * share);
    this.minSamples = Math.min(b.minSamples, b.window);
    this.correction = b.correction;
    this.maxStep = b.maxStep;
    this.maxChangePerSecond = b.maxChangePerSecond;
    this.clock = b.clock;
    this.ring = new double[b.window];
    this.strongRing = new boolean[b.correctionWindow];
    this.sorted = new double[b.window];
    this.current = b.initial;
    this.lastMillis = clock.millis();
  }

  /** A builder; a target ({@link Builder#strongShare} or {@link Builder#spendPerRequest}) is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds {@code score} to the window, moves the threshold toward the window's {@code (1 - share)} quantile within the
   * step and rate bounds, and returns the threshold this decision uses.
   *
   * @throws IllegalArgumentException when {@code score} is outside [0, 1] or NaN
   */
  @Override
  public synchronized double next(double score) {
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("score must be in [0, 1] but was " + score);
    }
    add(score);
    long now = clock.millis();
    double limit = maxStep;
    if (maxChangePerSecond != Double.POSITIVE_INFINITY) {
      limit = Math.min(limit, maxChangePerSecond * Math.max(0, now - lastMillis) / 1000.0);
    }
    lastMillis = now;
    double t = current;
    if (count >= minSamples) {
      double goal = goal(aim());
      t += Math.max(-limit, Math.min(limit, goal - t));
      current = t;
    }
    boolean strong = score >= t;
    remember(strong);
    decisions++;
    return t;
  }

  @Override
  public double current() {
    return current;
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "adaptive: %s, window %d", target, ring.length);
  }

  /** The target share of strong calls (for a spend target, the share it amounts to). */
  public double targetShare() {
    return share;
  }

  /**
   * The share of the last {@code min(decisions, correctionWindow)} decisions that went to the strong model (their score at or
   * above the threshold each used); {@code NaN} before the first decision. For monitoring.
   */
  public synchronized double recentStrongShare() {
    int n = (int) Math.min(decisions, strongRing.length);
    return n == 0 ? Double.NaN : (double) strongCount / n;
  }

  /** Decisions made so far. */
  public synchronized long decisions() {
    return decisions;
  }

  @Override
  public String toString() {
    return "AdaptiveThreshold{" + describe() + ", current " + current + "}";
  }

  /** Where the window's scores put the threshold: the {@code (1 - share)} quantile, or just above all for share 0. */
  /**
   * The share to aim the quantile at: the target, corrected by how far the realised share of the window's decisions
   * is from it, so that an overshoot while the window still held the old mix is paid back.
   */
  private double aim() {
    int n = (int) Math.min(decisions, strongRing.length);
    if (n == 0 || correction == 0) {
      return share;
    }
    double realised = (double) strongCount / n;
    return Math.max(0, Math.min(1, share + correction * (share - realised)));
  }

  private double goal(double share) {
    if (share == 0) {
      return Math.min(1, Math.nextUp(sorted[count - 1]));
    }
    double h = (count - 1) * (1 - share);
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, count - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Puts a score in the ring and the sorted window, dropping the oldest once full. */
  private void add(double score) {
    if (count == ring.length) {
      int at = find(ring[next]);
      System.arraycopy(sorted, at + 1, sorted, at, count - at - 1);
      count--;
    }
    ring[next] = score;
    next = (next + 1) % ring.length;
    int at = insertionPoint(score);
    System.arraycopy(sorted, at, sorted, at + 1, count - at);
    sorted[at] = score;
    count++;
  }

  /** Records whether the decision that just added a score went strong; advances the ring. */
  private void remember(boolean strong) {
    if (decisions >= strongRing.length && strongRing[nextDecision]) {
      strongCount--;
    }
    strongRing[nextDecision] = strong;
    if (strong) {
      strongCount++;
    }
    nextDecision = (nextDecision + 1) % strongRing.length;
  }

  private int insertionPoint(double score) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < score) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private int find(double score) {
    int at = insertionPoint(score);
    if (at >= count || sorted[at] != score) {
      throw new IllegalStateException("window out of order: " + score + " missing"); // cannot happen
    }
    return at;
  }

  private static String plain(double dollars) {
    return new java.math.BigDecimal(Double.toString(dollars)).stripTrailingZeros().toPlainString();
  }

  /** Builds an {@link AdaptiveThreshold}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private Double share;
    private Double spend;
    private double strongCost;
    private double weakCost;
    private double initial = DEFAULT_INITIAL;
    private int window = DEFAULT_WINDOW;
    private int minSamples = DEFAULT_MIN_SAMPLES;
    private double correction = DEFAULT_CORRECTION;
    private int correctionWindow = DEFAULT_CORRECTION_WINDOW;
    private double maxStep = DEFAULT_MAX_STEP;
    private double maxChangePerSecond = DEFAULT_MAX_CHANGE_PER_SECOND;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Target share of requests sent to the strong model, in [0, 1]. Replaces a spend target.
     *
     * @throws IllegalArgumentException when outside [0, 1] or NaN
     */
    public Builder strongShare(double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException("strongShare must be in [0, 1] but was " + value);
      }
      this.share = value;
      this.spend = null;
      return this;
    }

    /**
     * Target spend per request, in dollars, given each model's expected cost per request (for example from
     * {@link dev.routellm.calibration.ThresholdCalibrator#strongCostPerRequest()}). Replaces a share target.
     *
     * @throws IllegalArgumentException when a value is negative or not finite, the strong model is not dearer than
     *     the weak one, or the target is outside [weak cost, strong cost]
     */
    public Builder spendPerRequest(double dollars, double strongCostPerRequest, double weakCostPerRequest) {
      for (double v : new double[] {dollars, strongCostPerRequest, weakCostPerRequest}) {
        if (!(v >= 0) || Double.isInfinite(v)) {
          throw new IllegalArgumentException("spend and costs must be finite and >= 0 but were " + plain(dollars)
              + ", " + plain(strongCostPerRequest) + " and " + plain(weakCostPerRequest));
        }
      }
      if (!(strongCostPerRequest > weakCostPerRequest)) {
        throw new IllegalArgumentException("the strong model's cost per request must exceed the weak one's but was $"
            + plain(strongCostPerRequest) + " against $" + plain(weakCostPerRequest));
      }
      if (dollars < weakCostPerRequest || dollars > strongCostPerRequest) {
        throw new IllegalArgumentException("spendPerRequest must be in [$" + plain(weakCostPerRequest) + ", $"
            + plain(strongCostPerRequest) + "] (all weak to all strong) but was $" + plain(dollars));
      }
      this.spend = dollars;
      this.strongCost = strongCostPerRequest;
      this.weakCost = weakCostPerRequest;
      this.share = null;
      return this;
    }

    /** The threshold until {@link #minSamples} scores have been seen; default {@value #DEFAULT_INITIAL}. */
    public Builder initial(double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException("initial must be in [0, 1] but was " + value);
      }
      this.initial = value;
      return this;
    }

    /** Recent scores the quantile is taken over, {@code >= 1}; default {@value #DEFAULT_WINDOW}. */
    public Builder window(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("window must be >= 1 but was " + value);
      }
      this.window = value;
      return this;
    }

    /**
     * Scores seen before the threshold first moves, {@code >= 1} (capped at the window); default
     * {@value #DEFAULT_MIN_SAMPLES}.
     */
    public Builder minSamples(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("minSamples must be >= 1 but was " + value);
      }
      this.minSamples = value;
      return this;
    }

    /**
     * Gain {@code g >= 0} of the correction by the realised share: the quantile is taken for {@code share + g (share
     * - realised)}, the realised share being that of the last {@link #correctionWindow} decisions, so that the calls a lagging estimate
     * sent to the strong model after a change of mix are paid back; 0 turns it off. Default
     * {@value #DEFAULT_CORRECTION}.
     */
    public Builder correction(double gain) {
      if (!(gain >= 0) || Double.isInfinite(gain)) {
        throw new IllegalArgumentException("correction must be finite and >= 0 but was " + gain);
      }
      this.correction = gain;
      return this;
    }

    /**
     * Decisions the realised share of {@link #correction} is counted over, {@code >= 1}; default
     * {@value #DEFAULT_CORRECTION_WINDOW}. Longer than {@link #window}: the correction pays back a transition's
     * excess slowly and stays quiet on steady traffic.
     */
    public Builder correctionWindow(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("correctionWindow must be >= 1 but was " + value);
      }
      this.correctionWindow = value;
      return this;
    }

    /** Largest change in one decision, in (0, 1]; default {@value #DEFAULT_MAX_STEP}. */
    public Builder maxStep(double value) {
      if (!(value > 0 && value <= 1)) {
        throw new IllegalArgumentException("maxStep must be in (0, 1] but was " + value);
      }
      this.maxStep = value;
      return this;
    }

    /**
     * Largest change per second of the clock, {@code > 0} (infinity for none); default: none.
     *
     * @throws IllegalArgumentException when not {@code > 0}
     */
    public Builder maxChangePerSecond(double value) {
      if (!(value > 0)) {
        throw new IllegalArgumentException("maxChangePerSecond must be > 0 but was " + value);
      }
      this.maxChangePerSecond = value;
      return this;
    }

    /** {@link #maxChangePerSecond} as a change over a duration. */
    public Builder maxChange(double change, Duration per) {
      Objects.requireNonNull(per, "per");
      if (per.isNegative() || per.isZero()) {
        throw new IllegalArgumentException("per must be > 0 but was " + per);
      }
      return maxChangePerSecond(change / (per.toNanos() / 1e9));
    }

    /** The clock the rate bound reads; default the system clock. Inject a fixed or stepping one in tests. */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * The threshold.
     *
     * @throws IllegalStateException when no target was set
     */
    public AdaptiveThreshold build() {
      if (share == null && spend == null) {
        throw new IllegalStateException("an adaptive threshold needs a target: strongShare or spendPerRequest");
      }
      double s = share != null ? share : (spend - weakCost) / (strongCost - weakCost);
      return new AdaptiveThreshold(this, s);
    }
  }
}
