package dev.routellm.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Quality as a function of the share of strong-model calls, piecewise linear through its points, with the qualities
 * of always-weak and always-strong routing that PGR is measured against. Every metric of RouteLLM's protocol is
 * defined here, once:
 *
 * <ul>
 *   <li>{@code PGR(q) = (q - weak) / (strong - weak)}: the share of the quality gap between the two models recovered;
 *   <li>{@code APGR}: the area under PGR over the strong share in [0, 1], by the trapezoid rule over the points;
 *   <li>{@code CPT(x)}: the strong share at which PGR first reaches {@code x}, walking the points in order of share
 *       and interpolating linearly within the segment where it is crossed ({@code NaN} when never reached).
 * </ul>
 *
 * <p>A curve runs from strong share 0 to 1: its first point has share 0, its last share 1, and shares never decrease.
 * Immutable and thread-safe.
 */
public final class Curve {
  private final double[] shares;
  private final double[] qualities;
  private final double weakQuality;
  private final double strongQuality;

  private Curve(double[] shares, double[] qualities, double weakQuality, double strongQuality) {
    this.shares = shares;
    this.qualities = qualities;
    this.weakQuality = weakQuality;
    this.strongQuality = strongQuality;
  }

  /**
   * A curve through the given points.
   *
   * @param points at least two, in order of non-decreasing share, the first at share 0 and the last at share 1
   * @param weakQuality quality of sending everything to the weak model
   * @param strongQuality quality of sending everything to the strong model; must differ from {@code weakQuality}
   * @throws IllegalArgumentException when the points or qualities break these rules
   */
  public static Curve of(List<CurvePoint> points, double weakQuality, double strongQuality) {
    Objects.requireNonNull(points, "points");
    double[] shares = new double[points.size()];
    double[] qualities = new double[points.size()];
    for (int i = 0; i < shares.length; i++) {
      CurvePoint p = Objects.requireNonNull(points.get(i), "point");
      shares[i] = p.strongShare();
      qualities[i] = p.quality();
    }
    return of(shares, qualities, weakQuality, strongQuality);
  }

  /** The same as {@link #of(List, double, double)}, from arrays it takes ownership of. */
  static Curve of(double[] shares, double[] qualities, double weakQuality, double strongQuality) {
    if (shares.length < 2) {
      throw new IllegalArgumentException("a curve needs at least 2 points but had " + shares.length);
    }
    if (shares[0] != 0 || shares[shares.length - 1] != 1) {
      throw new IllegalArgumentException("a curve must run from strong share 0 to 1 but ran from " + shares[0]
          + " to " + shares[shares.length - 1]);
    }
    for (int i = 1; i < shares.length; i++) {
      if (shares[i] < shares[i - 1]) {
        throw new IllegalArgumentException("strong shares must not decrease but point " + i + " has " + shares[i]
            + " after " + shares[i - 1]);
      }
    }
    if (!Double.isFinite(weakQuality) || !Double.isFinite(strongQuality)) {
      throw new IllegalArgumentException(
          "weak and strong quality must be finite but were " + weakQuality + " and " + strongQuality);
    }
    if (weakQuality == strongQuality) {
      throw new IllegalArgumentException("strong and weak quality are equal (" + weakQuality
          + "): there is no gap to recover, so PGR is undefined");
    }
    return new Curve(shares, qualities, weakQuality, strongQuality);
  }

  /** The points, in order of share. */
  public List<CurvePoint> points() {
    List<CurvePoint> points = new ArrayList<>(shares.length);
    for (int i = 0; i < shares.length; i++) {
      points.add(new CurvePoint(shares[i], qualities[i]));
    }
    return List.copyOf(points);
  }

  /** The number of points. */
  public int size() {
    return shares.length;
  }

  /** Quality of sending every request to the weak model. */
  public double weakQuality() {
    return weakQuality;
  }

  /** Quality of sending every request to the strong model. */
  public double strongQuality() {
    return strongQuality;
  }

  /**
   * The performance gap recovered at a quality: {@code (quality - weak) / (strong - weak)}.
   *
   * @throws IllegalArgumentException when {@code quality} is not finite
   */
  public double pgr(double quality) {
    requireFinite("quality", quality);
    return gapRecovered(quality);
  }

  private double gapRecovered(double quality) {
    return (quality - weakQuality) / (strongQuality - weakQuality);
  }

  /**
   * The quality at which PGR equals {@code pgr}: {@code weak + pgr * (strong - weak)}.
   *
   * @throws IllegalArgumentException when {@code pgr} is not finite
   */
  public double qualityAtPgr(double pgr) {
    requireFinite("pgr", pgr);
    return weakQuality + pgr * (strongQuality - weakQuality);
  }

  private static void requireFinite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be finite but was " + value);
    }
  }

  /**
   * The curve's quality at a strong share, interpolated linearly between the points around it (at a share held by
   * several points, the first).
   *
   * @throws IllegalArgumentException when {@code share} is not in [0, 1]
   */
  public double qualityAt(double share) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("share must be in [0, 1] but was " + share);
    }
    int i = 1;
    while (i < shares.length - 1 && shares[i] < share) {
      i++;
    }
    return interpolate(i, share);
  }

  private double interpolate(int i, double share) {
    double width = shares[i] - shares[i - 1];
    if (width == 0) {
      return qualities[i - 1];
    }
    double t = (share - shares[i - 1]) / width;
    return qualities[i - 1] + t * (qualities[i] - qualities[i - 1]);
  }

  /** APGR: the area under PGR over the strong share, trapezoid rule over the points. */
  public double apgr() {
    double area = 0;
    for (int i = 1; i < shares.length; i++) {
      area += (shares[i] - shares[i - 1]) * (gapRecovered(qualities[i]) + gapRecovered(qualities[i - 1])) / 2;
    }
    return area;
  }

  /**
   * CPT(x): the strong share at which PGR first reaches {@code pgr}, interpolating linearly within the segment where
   * it is crossed; {@code NaN} when the curve never reaches it.
   *
   * @throws IllegalArgumentException when {@code pgr} is not finite
   */
  public double cpt(double pgr) {
    requireFinite("pgr", pgr);
    double previous = gapRecovered(qualities[0]);
    if (previous >= pgr) {
      return shares[0];
    }
    for (int i = 1; i < shares.length; i++) {
      double current = gapRecovered(qualities[i]);
      if (current >= pgr) {
        double t = (pgr - previous) / (current - previous);
        return shares[i - 1] + t * (shares[i] - shares[i - 1]);
      }
      previous = current;
    }
    return Double.NaN;
  }

  /** APGR and CPT at 20, 50 and 80%. */
  public CurveMetrics metrics() {
    return CurveMetrics.of(this);
  }

  /**
   * This curve read at {@code steps + 1} evenly spaced shares {@code 0, 1/steps, ..., 1} (100 steps: every 1%).
   *
   * @throws IllegalArgumentException when {@code steps < 1}
   */
  public Curve sample(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1 but was " + steps);
    }
    double[] s = new double[steps + 1];
    double[] q = new double[steps + 1];
    int segment = 1;
    for (int k = 0; k <= steps; k++) {
      double share = k == steps ? 1.0 : (double) k / steps;
      while (segment < shares.length - 1 && shares[segment] < share) {
        segment++;
      }
      s[k] = share;
      q[k] = interpolate(segment, share);
    }
    return new Curve(s, q, weakQuality, strongQuality);
  }

  @Override
  public String toString() {
    return "Curve{points=" + shares.length + ", weak=" + weakQuality + ", strong=" + strongQuality + ", apgr=" + apgr()
        + "}";
  }
}
