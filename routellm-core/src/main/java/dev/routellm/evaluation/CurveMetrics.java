package dev.routellm.evaluation;

/**
 * RouteLLM's summary of a quality-versus-cost curve; the formulas are {@link Curve}'s. Immutable and thread-safe.
 *
 * @param apgr average performance gap recovered: the area under PGR over the strong share in [0, 1]
 * @param cpt20 the strong share at which PGR first reaches 20%, or NaN when it never does
 * @param cpt50 the same for 50%
 * @param cpt80 the same for 80%
 */
public record CurveMetrics(double apgr, double cpt20, double cpt50, double cpt80) {
  /** The metrics of a curve. */
  public static CurveMetrics of(Curve curve) {
    return new CurveMetrics(curve.apgr(), curve.cpt(0.2), curve.cpt(0.5), curve.cpt(0.8));
  }
}
