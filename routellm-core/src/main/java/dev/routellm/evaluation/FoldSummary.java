package dev.routellm.evaluation;

import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * How the 1%-grid metrics vary across the folds of a cross-validation. Immutable and thread-safe; no component is
 * null.
 *
 * @param apgr APGR across folds
 * @param cpt20 CPT(20%) across folds
 * @param cpt50 CPT(50%) across folds
 * @param cpt80 CPT(80%) across folds
 */
public record FoldSummary(Spread apgr, Spread cpt20, Spread cpt50, Spread cpt80) {
  /**
   * The summary of some folds.
   *
   * @throws IllegalArgumentException when there are no folds
   */
  public static FoldSummary of(List<FoldResult> folds) {
    Objects.requireNonNull(folds, "folds");
    return new FoldSummary(spread(folds, CurveMetrics::apgr), spread(folds, CurveMetrics::cpt20),
        spread(folds, CurveMetrics::cpt50), spread(folds, CurveMetrics::cpt80));
  }

  private static Spread spread(List<FoldResult> folds, ToDoubleFunction<CurveMetrics> metric) {
    return Spread.of(folds.stream().mapToDouble(f -> metric.applyAsDouble(f.metrics())).toArray());
  }
}
