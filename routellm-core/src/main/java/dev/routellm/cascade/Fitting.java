package dev.routellm.cascade;

import dev.routellm.internal.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Fits {@link Calibrator}s to labelled examples: rows of features {@code x[i]} (all of one length, named by {@code
 * names} for error messages) and whether each answer was correct.
 */
final class Fitting {
  /**
   * L2 penalty of the logistic fit on standardised coefficients (the intercept is not penalised): scikit-learn's
   * default strength ({@code C = 1}). Negligible with hundreds of examples; keeps the fit finite when the classes are
   * separable.
   */
  static final double DEFAULT_L2 = 1.0;

  private static final int MAX_NEWTON_STEPS = 100;
  private static final double NEWTON_TOLERANCE = 1e-10;

  private Fitting() {}

  /** Fits a calibrator to training rows; what {@link #crossFit} repeats per fold. */
  @FunctionalInterface
  interface Trainer {
    Calibrator fit(double[][] x, boolean[] correct, List<String> names);
  }

  /** Fits by {@code method}; a feature with one value throughout is an error (the caller chose it). */
  static Calibrator fit(CalibrationMethod method, double[][] x, boolean[] correct, List<String> names) {
    check(x, correct, names);
    return switch (method) {
      case OLS -> ols(x, correct, names);
      case LOGISTIC -> logistic(x, correct, names, DEFAULT_L2, false);
      case ISOTONIC -> isotonic(x, correct, names);
    };
  }

  /** The trainer of {@link #fit} for {@code method}. */
  static Trainer trainer(CalibrationMethod method) {
    return (x, y, names) -> fit(method, x, y, names);
  }

  /**
   * Out-of-fold confidences: each example scored by a calibrator fitted on the other folds (stratified by
   * correctness, seeded).
   */
  static double[] crossFit(
      Trainer trainer, double[][] x, boolean[] correct, List<String> names, int folds, long seed) {
    check(x, correct, names);
    int[] fold = Folds.assign(correct, folds, seed);
    double[] out = new double[x.length];
    for (int k = 0; k < folds; k++) {
      int size = 0;
      for (int f : fold) {
        size += f != k ? 1 : 0;
      }
      double[][] trainX = new double[size][];
      boolean[] trainY = new boolean[size];
      int at = 0;
      for (int i = 0; i < fold.length; i++) {
        if (fold[i] != k) {
          trainX[at] = x[i];
          trainY[at++] = correct[i];
        }
      }
      Calibrator c;
      try {
        c = trainer.fit(trainX, trainY, names);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("fold " + (k + 1) + " of " + folds + ": " + e.getMessage(), e);
      }
      for (int i = 0; i < fold.length; i++) {
        if (fold[i] == k) {
          out[i] = c.apply(x[i]);
        }
      }
    }
    return out;
  }

  /** Least squares of correctness on the features with an intercept, solved by QR. */
  static Calibrator.Linear ols(double[][] x, boolean[] correct, List<String> names) {
    int n = x.length;
    int p = names.size();
    DenseMatrix a = new DenseMatrix(n, p + 1);
    DenseMatrix b = new DenseMatrix(n, 1);
    for (int i = 0; i < n; i++) {
      a.set(i, 0, 1.0);
      for (int j = 0; j < p; j++) {
        a.set(i, j + 1, x[i][j]);
      }
      b.set(i, 0, correct[i] ? 1.0 : 0.0);
    }
    requireVarying(x, names);
    DenseMatrix beta = DenseMatrix.leastSquares(a, b, 1e-12);
    if (beta == null) {
      throw new IllegalArgumentException("features " + names + " are collinear in the training data; drop one");
    }
    double[] coefficients = new double[p];
    for (int j = 0; j < p; j++) {
      coefficients[j] = beta.get(j + 1, 0);
    }
    return new Calibrator.Linear(beta.get(0, 0), coefficients);
  }

  /**
   * Logistic regression by Newton's method on standardised features, with an L2 penalty {@code l2} on the
   * coefficients (not the intercept); the result is expressed on the raw features. A feature with one value
   * throughout is an error unless {@code allowConstant} (and {@code l2 > 0}), when its coefficient is 0.
   */
  static Calibrator.Logistic logistic(
      double[][] x, boolean[] correct, List<String> names, double l2, boolean allowConstant) {
    check(x, correct, names);
    int n = x.length;
    int p = names.size();
    if (!allowConstant || !(l2 > 0)) {
      requireVarying(x, names);
    }
    double[] mean = new double[p];
    double[] scale = new double[p];
    for (int j = 0; j < p; j++) {
      double s = 0;
      for (double[] row : x) {
        s += row[j];
      }
      mean[j] = s / n;
      double ss = 0;
      for (double[] row : x) {
        ss += (row[j] - mean[j]) * (row[j] - mean[j]);
      }
      // A constant column centres to zeros: any scale works, and the penalty holds its coefficient at 0.
      scale[j] = ss > 0 ? Math.sqrt(ss / n) : 1.0;
    }
    DenseMatrix z = new DenseMatrix(n, p + 1);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      z.set(i, 0, 1.0);
      for (int j = 0; j < p; j++) {
        z.set(i, j + 1, (x[i][j] - mean[j]) / scale[j]);
      }
      y[i] = correct[i] ? 1.0 : 0.0;
    }
    double[] theta = new double[p + 1];
    double loss = logisticLoss(z, y, theta, l2);
    boolean converged = false;
    for (int step = 0; step < MAX_NEWTON_STEPS && !converged; step++) {
      DenseMatrix gradient = new DenseMatrix(p + 1, 1);
      DenseMatrix hessian = new DenseMatrix(p + 1, p + 1);
      for (int i = 0; i < n; i++) {
        double eta = 0;
        for (int j = 0; j <= p; j++) {
          eta += z.get(i, j) * theta[j];
        }
        double prob = Calibrator.sigmoid(eta);
        double w = prob * (1 - prob);
        for (int j = 0; j <= p; j++) {
          double zij = z.get(i, j);
          gradient.add(j, 0, zij * (prob - y[i]));
          for (int k = 0; k <= j; k++) {
            hessian.add(j, k, w * zij * z.get(i, k));
          }
        }
      }
      for (int j = 0; j <= p; j++) {
        for (int k = 0; k < j; k++) {
          hessian.set(k, j, hessian.get(j, k));
        }
        if (j > 0) {
          gradient.add(j, 0, l2 * theta[j]);
          hessian.add(j, j, l2);
        }
      }
      DenseMatrix delta = DenseMatrix.solveSymmetricPositiveDefinite(hessian, gradient);
      if (delta == null) {
        throw new IllegalArgumentException(
            "logistic fit on " + names + " failed: the problem is singular (separable classes without a penalty?)");
      }
      // Damped Newton: halve the step until the penalised loss does not increase.
      double t = 1.0;
      double[] next = new double[p + 1];
      double nextLoss;
      while (true) {
        for (int j = 0; j <= p; j++) {
          next[j] = theta[j] - t * delta.get(j, 0);
        }
        nextLoss = logisticLoss(z, y, next, l2);
        if (nextLoss <= loss + 1e-12 || t < 1e-8) {
          break;
        }
        t /= 2;
      }
      double largest = delta.maxAbs() * t;
      theta = next.clone();
      loss = nextLoss;
      converged = largest < NEWTON_TOLERANCE;
    }
    if (!converged) {
      throw new IllegalArgumentException(
          "logistic fit on " + names + " did not converge in " + MAX_NEWTON_STEPS + " Newton steps");
    }
    double intercept = theta[0];
    double[] coefficients = new double[p];
    for (int j = 0; j < p; j++) {
      coefficients[j] = theta[j + 1] / scale[j];
      intercept -= coefficients[j] * mean[j];
    }
    return new Calibrator.Logistic(intercept, coefficients);
  }

  private static double logisticLoss(DenseMatrix z, double[] y, double[] theta, double l2) {
    double loss = 0;
    for (int i = 0; i < y.length; i++) {
      double eta = 0;
      for (int j = 0; j < theta.length; j++) {
        eta += z.get(i, j) * theta[j];
      }
      // log(1 + e^eta) - y * eta, computed without overflow
      loss += (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta))) - y[i] * eta;
    }
    for (int j = 1; j < theta.length; j++) {
      loss += 0.5 * l2 * theta[j] * theta[j];
    }
    return loss;
  }

  /**
   * Isotonic (non-decreasing) regression of correctness on one feature by pool-adjacent-violators; examples with
   * equal feature values are pooled first. Keeps only the points where the fitted function bends.
   */
  static Calibrator.Isotonic isotonic(double[][] x, boolean[] correct, List<String> names) {
    if (names.size() != 1) {
      throw new IllegalArgumentException("isotonic calibration takes exactly one feature but was given " + names);
    }
    Integer[] order = new Integer[x.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> x[i][0]));
    // Blocks of (x, mean y, weight); first one per distinct x, then merged while they decrease.
    List<double[]> blocks = new ArrayList<>();
    for (int k = 0; k < order.length; k++) {
      double xv = x[order[k]][0];
      double yv = correct[order[k]] ? 1.0 : 0.0;
      double[] last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
      if (last != null && last[0] == xv) {
        last[1] = (last[1] * last[2] + yv) / (last[2] + 1);
        last[2] += 1;
      } else {
        blocks.add(new double[] {xv, yv, 1});
      }
    }
    int m = blocks.size();
    double[] xs = new double[m];
    double[] level = new double[m];
    double[] weight = new double[m];
    int[] size = new int[m]; // number of distinct x in each pooled block
    int top = -1;
    for (double[] b : blocks) {
      top++;
      level[top] = b[1];
      weight[top] = b[2];
      size[top] = 1;
      while (top > 0 && level[top - 1] > level[top]) {
        double w = weight[top - 1] + weight[top];
        level[top - 1] = (level[top - 1] * weight[top - 1] + level[top] * weight[top]) / w;
        weight[top - 1] = w;
        size[top - 1] += size[top];
        top--;
      }
    }
    double[] fitted = new double[m];
    int at = 0;
    for (int b = 0; b <= top; b++) {
      for (int k = 0; k < size[b]; k++) {
        fitted[at++] = level[b];
      }
    }
    for (int i = 0; i < m; i++) {
      xs[i] = blocks.get(i)[0];
    }
    // Drop interior points of flat runs: they do not change the interpolation.
    List<Integer> keep = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      boolean interior = i > 0 && i < m - 1 && fitted[i - 1] == fitted[i] && fitted[i] == fitted[i + 1];
      if (!interior) {
        keep.add(i);
      }
    }
    double[] px = new double[keep.size()];
    double[] py = new double[keep.size()];
    for (int k = 0; k < px.length; k++) {
      px[k] = xs[keep.get(k)];
      py[k] = fitted[keep.get(k)];
    }
    return new Calibrator.Isotonic(px, py);
  }

  private static void check(double[][] x, boolean[] correct, List<String> names) {
    if (x.length != correct.length) {
      throw new IllegalArgumentException(
          "expected one correctness flag per example (" + x.length + ") but got " + correct.length);
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("at least one feature is required");
    }
    int right = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i].length != names.size()) {
        throw new IllegalArgumentException(
            "example " + i + " has " + x[i].length + " features but " + names.size() + " were named: " + names);
      }
      for (int j = 0; j < x[i].length; j++) {
        if (!Double.isFinite(x[i][j])) {
          throw new IllegalArgumentException(
              "example " + i + ": feature '" + names.get(j) + "' must be finite but was " + x[i][j]);
        }
      }
      right += correct[i] ? 1 : 0;
    }
    if (right == 0 || right == x.length) {
      throw new IllegalArgumentException(
          "fitting a confidence needs both correct and incorrect answers but all " + x.length + " were "
              + (right == 0 ? "incorrect" : "correct"));
    }
  }

  private static void requireVarying(double[][] x, List<String> names) {
    for (int j = 0; j < names.size(); j++) {
      boolean varies = false;
      for (double[] row : x) {
        if (row[j] != x[0][j]) {
          varies = true;
          break;
        }
      }
      if (!varies) {
        throw new IllegalArgumentException(
            "feature '" + names.get(j) + "' has the same value in every training example; drop it");
      }
    }
  }
}
