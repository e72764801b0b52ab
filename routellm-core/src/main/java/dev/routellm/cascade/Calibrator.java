package dev.routellm.cascade;

import java.util.Arrays;

/** A fitted map from a feature vector to a confidence. Immutable and thread-safe. */
sealed interface Calibrator permits Calibrator.Linear, Calibrator.Logistic, Calibrator.Isotonic {

  CalibrationMethod method();

  /** How many features it takes. */
  int dimension();

  /** The confidence of a feature vector of length {@link #dimension()}. */
  double apply(double[] x);

  /** {@code intercept + coefficients . x}, not clipped. */
  record Linear(double intercept, double[] coefficients) implements Calibrator {
    public Linear {
      coefficients = coefficients.clone();
    }

    @Override
    public CalibrationMethod method() {
      return CalibrationMethod.OLS;
    }

    @Override
    public int dimension() {
      return coefficients.length;
    }

    @Override
    public double apply(double[] x) {
      return linear(intercept, coefficients, x);
    }

    @Override
    public double[] coefficients() {
      return coefficients.clone();
    }
  }

  /** {@code sigmoid(intercept + coefficients . x)}. */
  record Logistic(double intercept, double[] coefficients) implements Calibrator {
    public Logistic {
      coefficients = coefficients.clone();
    }

    @Override
    public CalibrationMethod method() {
      return CalibrationMethod.LOGISTIC;
    }

    @Override
    public int dimension() {
      return coefficients.length;
    }

    @Override
    public double apply(double[] x) {
      return sigmoid(linear(intercept, coefficients, x));
    }

    @Override
    public double[] coefficients() {
      return coefficients.clone();
    }
  }

  /**
   * A non-decreasing function of one feature through the points {@code (x[i], y[i])}: linear between them, constant
   * beyond the first and the last.
   */
  record Isotonic(double[] x, double[] y) implements Calibrator {
    public Isotonic {
      x = x.clone();
      y = y.clone();
    }

    @Override
    public CalibrationMethod method() {
      return CalibrationMethod.ISOTONIC;
    }

    @Override
    public int dimension() {
      return 1;
    }

    @Override
    public double apply(double[] features) {
      double v = features[0];
      int last = x.length - 1;
      if (v <= x[0]) {
        return y[0];
      }
      if (v >= x[last]) {
        return y[last];
      }
      int i = Arrays.binarySearch(x, v);
      if (i >= 0) {
        return y[i];
      }
      int hi = -i - 1;
      int lo = hi - 1;
      return y[lo] + (v - x[lo]) * (y[hi] - y[lo]) / (x[hi] - x[lo]);
    }

    @Override
    public double[] x() {
      return x.clone();
    }

    @Override
    public double[] y() {
      return y.clone();
    }
  }

  static double linear(double intercept, double[] coefficients, double[] x) {
    double z = intercept;
    for (int i = 0; i < coefficients.length; i++) {
      z += coefficients[i] * x[i];
    }
    return z;
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
  }
}
