package dev.routellm.cascade;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * How well confidences match outcomes on a set of answers. Immutable.
 *
 * @param count answers scored
 * @param accuracy share of them that were correct
 * @param meanConfidence mean confidence
 * @param binSize answers per bin in {@link #binnedR2()}
 * @param binnedR2 Alamere's calibration r²: answers sorted by confidence (ties in input order), cut into consecutive
 *     bins of {@code binSize} (the last may be smaller), then {@code 1 - sum (acc_b - conf_b)^2 / sum (acc_b -
 *     mean acc)^2} over bins, with {@code acc_b} and {@code conf_b} the bin's accuracy and mean confidence and the mean
 *     taken over bins unweighted. Measured against the identity line, so it is negative when the confidences are
 *     further off than a constant at the mean accuracy; NaN when every bin has the same accuracy.
 * @param auroc area under the ROC curve of confidence as a predictor of correctness (ties count half); 0.5 is chance;
 *     NaN when only one class occurs
 * @param brier mean of {@code (confidence - correct)^2}, confidences used as given (an unclipped linear fit is
 *     penalised outside [0, 1])
 * @param bins the bins of {@link #binnedR2()}, lowest confidence first
 */
public record CalibrationReport(
    int count,
    double accuracy,
    double meanConfidence,
    int binSize,
    double binnedR2,
    double auroc,
    double brier,
    List<Bin> bins) {
  /** Alamere's bin size. */
  public static final int DEFAULT_BIN_SIZE = 100;

  public CalibrationReport {
    bins = List.copyOf(bins);
  }

  /**
   * One bin of answers with neighbouring confidences.
   *
   * @param count answers in the bin
   * @param meanConfidence their mean confidence
   * @param accuracy the share of them that were correct
   */
  public record Bin(int count, double meanConfidence, double accuracy) {}

  /** A report with bins of {@value #DEFAULT_BIN_SIZE}. */
  public static CalibrationReport of(double[] confidence, boolean[] correct) {
    return of(confidence, correct, DEFAULT_BIN_SIZE);
  }

  /**
   * A report with bins of {@code binSize}.
   *
   * @throws IllegalArgumentException when the arrays are empty or differ in length, a confidence is not finite, or
   *     {@code binSize < 1}
   */
  public static CalibrationReport of(double[] confidence, boolean[] correct, int binSize) {
    Objects.requireNonNull(confidence, "confidence");
    Objects.requireNonNull(correct, "correct");
    if (confidence.length != correct.length) {
      throw new IllegalArgumentException(
          "expected one correctness flag per confidence (" + confidence.length + ") but got " + correct.length);
    }
    if (confidence.length == 0) {
      throw new IllegalArgumentException("a calibration report needs at least one answer");
    }
    if (binSize < 1) {
      throw new IllegalArgumentException("binSize must be >= 1 but was " + binSize);
    }
    int n = confidence.length;
    double right = 0;
    double confSum = 0;
    double brier = 0;
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(confidence[i])) {
        throw new IllegalArgumentException("confidence " + i + " must be finite but was " + confidence[i]);
      }
      double y = correct[i] ? 1 : 0;
      right += y;
      confSum += confidence[i];
      brier += (confidence[i] - y) * (confidence[i] - y);
    }
    Integer[] order = ascending(confidence);
    List<Bin> bins = new ArrayList<>();
    for (int start = 0; start < n; start += binSize) {
      int end = Math.min(n, start + binSize);
      double c = 0;
      double a = 0;
      for (int k = start; k < end; k++) {
        c += confidence[order[k]];
        a += correct[order[k]] ? 1 : 0;
      }
      bins.add(new Bin(end - start, c / (end - start), a / (end - start)));
    }
    return new CalibrationReport(
        n, right / n, confSum / n, binSize, binnedR2(bins), auroc(confidence, correct, order), brier / n, bins);
  }

  private static double binnedR2(List<Bin> bins) {
    double meanAcc = bins.stream().mapToDouble(Bin::accuracy).average().orElseThrow();
    double residual = 0;
    double total = 0;
    for (Bin b : bins) {
      residual += (b.accuracy() - b.meanConfidence()) * (b.accuracy() - b.meanConfidence());
      total += (b.accuracy() - meanAcc) * (b.accuracy() - meanAcc);
    }
    return total == 0 ? Double.NaN : 1 - residual / total;
  }

  /** Mann-Whitney form: average ranks for ties. */
  private static double auroc(double[] confidence, boolean[] correct, Integer[] order) {
    int n = confidence.length;
    long positives = 0;
    double rankSum = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && confidence[order[j + 1]] == confidence[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1; // 1-based average rank of the tied run
      for (int k = i; k <= j; k++) {
        if (correct[order[k]]) {
          positives++;
          rankSum += rank;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Indices sorted by confidence, ascending; a stable sort, so ties keep their input order. */
  static Integer[] ascending(double[] confidence) {
    Integer[] order = new Integer[confidence.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> confidence[i]));
    return order;
  }
}
