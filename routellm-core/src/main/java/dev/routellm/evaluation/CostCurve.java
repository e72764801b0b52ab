package dev.routellm.evaluation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The best quality reachable at each cost by mixing operating points: the upper convex hull of the points, made
 * non-decreasing (RouterBench's construction). Sending a share {@code p} of requests to one operating point and the
 * rest to another reaches any point of the segment between them, so every point under the hull is reachable; beyond
 * the hull's best point, spending more buys nothing, so the curve stays flat. Built from the single models of a pool
 * it is the single-model frontier ("zero router"); built from a router's settings it is what the router can do.
 *
 * <p>Immutable and thread-safe. Points are sorted by cost, with strictly increasing cost and quality.
 */
public final class CostCurve {
  private final List<CostQualityPoint> points;

  private CostCurve(List<CostQualityPoint> points) {
    this.points = points;
  }

  /**
   * The non-decreasing upper convex hull of the points.
   *
   * @throws IllegalArgumentException when there are no points
   */
  public static CostCurve hull(Collection<CostQualityPoint> points) {
    Objects.requireNonNull(points, "points");
    if (points.isEmpty()) {
      throw new IllegalArgumentException("a curve needs at least one point");
    }
    List<CostQualityPoint> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble(CostQualityPoint::cost)
        .thenComparing(Comparator.comparingDouble(CostQualityPoint::quality).reversed()));
    List<CostQualityPoint> hull = new ArrayList<>();
    for (CostQualityPoint p : sorted) {
      if (!hull.isEmpty() && hull.get(hull.size() - 1).cost() == p.cost()) {
        continue; // same cost, lower quality
      }
      while (hull.size() >= 2 && cross(hull.get(hull.size() - 2), hull.get(hull.size() - 1), p) >= 0) {
        hull.remove(hull.size() - 1);
      }
      hull.add(p);
    }
    int best = 0;
    for (int i = 1; i < hull.size(); i++) {
      if (hull.get(i).quality() > hull.get(best).quality()) {
        best = i;
      }
    }
    return new CostCurve(List.copyOf(hull.subList(0, best + 1)));
  }

  /** {@code > 0} when {@code o -> a -> b} turns left (b above the line through o and a). */
  private static double cross(CostQualityPoint o, CostQualityPoint a, CostQualityPoint b) {
    return (a.cost() - o.cost()) * (b.quality() - o.quality()) - (a.quality() - o.quality()) * (b.cost() - o.cost());
  }

  /** The hull's vertices, by increasing cost (and quality). */
  public List<CostQualityPoint> points() {
    return points;
  }

  /** The cheapest point. */
  public CostQualityPoint first() {
    return points.get(0);
  }

  /** The best point. */
  public CostQualityPoint last() {
    return points.get(points.size() - 1);
  }

  /**
   * The quality reachable at a cost: interpolated between vertices, flat beyond the last; NaN below the cheapest
   * point (nothing is reachable there).
   */
  public double qualityAt(double cost) {
    if (Double.isNaN(cost) || cost < first().cost()) {
      return Double.NaN;
    }
    for (int i = 1; i < points.size(); i++) {
      CostQualityPoint b = points.get(i);
      if (cost <= b.cost()) {
        CostQualityPoint a = points.get(i - 1);
        return a.quality() + (b.quality() - a.quality()) * (cost - a.cost()) / (b.cost() - a.cost());
      }
    }
    return last().quality();
  }

  /**
   * The mean quality over the cost range {@code [from, to]}: the area under the curve divided by the range
   * (RouterBench's AIQ, in the data's quality unit); NaN when {@code from} is below the cheapest point.
   *
   * @throws IllegalArgumentException when {@code to <= from}
   */
  public double meanQuality(double from, double to) {
    if (!(to > from)) {
      throw new IllegalArgumentException("the cost range must have to > from but was [" + from + ", " + to + "]");
    }
    if (from < first().cost()) {
      return Double.NaN;
    }
    double area = 0;
    double x = from;
    double y = qualityAt(from);
    for (CostQualityPoint p : points) {
      if (p.cost() <= from) {
        continue;
      }
      double nx = Math.min(p.cost(), to);
      double ny = qualityAt(nx);
      area += (nx - x) * (y + ny) / 2;
      x = nx;
      y = ny;
      if (x >= to) {
        break;
      }
    }
    if (x < to) {
      area += (to - x) * y;
    }
    return area / (to - from);
  }

  /** The least cost at which the curve reaches {@code quality}; NaN when it never does. */
  public double costReaching(double quality) {
    if (first().quality() >= quality) {
      return first().cost();
    }
    for (int i = 1; i < points.size(); i++) {
      CostQualityPoint a = points.get(i - 1);
      CostQualityPoint b = points.get(i);
      if (b.quality() >= quality) {
        return a.cost() + (b.cost() - a.cost()) * (quality - a.quality()) / (b.quality() - a.quality());
      }
    }
    return Double.NaN;
  }

  @Override
  public String toString() {
    return "CostCurve" + points;
  }
}
