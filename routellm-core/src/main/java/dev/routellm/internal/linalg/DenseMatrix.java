package dev.routellm.internal.linalg;

import java.util.Arrays;

/**
 * A dense, row-major matrix of doubles, with the handful of operations the library's fitting and scoring need:
 * products (plain, with either operand transposed), LU, Cholesky and Householder QR solves. Not part of the API (the
 * package is not exported); mutable and not thread-safe.
 *
 * <p>Products sum over the shared dimension in ascending order, as EJML's row-major kernels do, so results are
 * reproducible to the bit across platforms and equal to what the library computed with EJML before.
 *
 * <p>Why not EJML: its newest release (0.46.1) has no {@code Automatic-Module-Name}, so a module requiring it names a
 * module after a jar file name, which Maven warns must not be published; the library used five of its operations.
 */
public final class DenseMatrix {
  /** Row-major values: element (i, j) is at {@code i * cols + j}. Exposed for tight loops. */
  public final double[] data;

  private final int rows;
  private final int cols;

  /** A zero matrix. */
  public DenseMatrix(int rows, int cols) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("matrix shape must be >= 0 but was " + rows + " x " + cols);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = new double[Math.multiplyExact(rows, cols)];
  }

  /** The identity matrix of size {@code n}. */
  public static DenseMatrix identity(int n) {
    DenseMatrix m = new DenseMatrix(n, n);
    for (int i = 0; i < n; i++) {
      m.data[i * n + i] = 1.0;
    }
    return m;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public double get(int i, int j) {
    return data[i * cols + j];
  }

  public void set(int i, int j, double value) {
    data[i * cols + j] = value;
  }

  public void add(int i, int j, double value) {
    data[i * cols + j] += value;
  }

  /** Sets every element to zero. */
  public void zero() {
    Arrays.fill(data, 0.0);
  }

  /** The largest absolute value of an element; 0 for an empty matrix. */
  public double maxAbs() {
    double max = 0;
    for (double v : data) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  /** {@code a * b}. */
  public static DenseMatrix mult(DenseMatrix a, DenseMatrix b) {
    requireShape(a.cols == b.rows, "mult", a, b);
    DenseMatrix c = new DenseMatrix(a.rows, b.cols);
    int n = b.cols;
    for (int i = 0; i < a.rows; i++) {
      for (int j = 0; j < n; j++) {
        double total = 0;
        for (int k = 0; k < a.cols; k++) {
          total += a.data[i * a.cols + k] * b.data[k * n + j];
        }
        c.data[i * n + j] = total;
      }
    }
    return c;
  }

  /** {@code transpose(a) * b}. */
  public static DenseMatrix multTransA(DenseMatrix a, DenseMatrix b) {
    requireShape(a.rows == b.rows, "multTransA", a, b);
    DenseMatrix c = new DenseMatrix(a.cols, b.cols);
    int n = b.cols;
    // Row k of a and of b contribute a.(k, i) * b.(k, j) to c.(i, j): ascending k for every element, inner loop
    // contiguous in both b and c.
    for (int k = 0; k < a.rows; k++) {
      for (int i = 0; i < a.cols; i++) {
        double aki = a.data[k * a.cols + i];
        int row = i * n;
        int from = k * n;
        for (int j = 0; j < n; j++) {
          c.data[row + j] += aki * b.data[from + j];
        }
      }
    }
    return c;
  }

  /** {@code a * transpose(b)}. */
  public static DenseMatrix multTransB(DenseMatrix a, DenseMatrix b) {
    requireShape(a.cols == b.cols, "multTransB", a, b);
    DenseMatrix c = new DenseMatrix(a.rows, b.rows);
    int shared = a.cols;
    for (int i = 0; i < a.rows; i++) {
      for (int j = 0; j < b.rows; j++) {
        double total = 0;
        for (int k = 0; k < shared; k++) {
          total += a.data[i * shared + k] * b.data[j * shared + k];
        }
        c.data[i * b.rows + j] = total;
      }
    }
    return c;
  }

  /**
   * Solves the square system {@code a x = b} by LU decomposition with partial pivoting; {@code a} and {@code b} are
   * not modified.
   *
   * @return the solution, or {@code null} when {@code a} is singular (a zero pivot)
   */
  public static DenseMatrix solve(DenseMatrix a, DenseMatrix b) {
    requireShape(a.rows == a.cols && a.rows == b.rows, "solve", a, b);
    int n = a.rows;
    double[] lu = a.data.clone();
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int j = 0; j < n; j++) {
      int p = j;
      for (int i = j + 1; i < n; i++) {
        if (Math.abs(lu[i * n + j]) > Math.abs(lu[p * n + j])) {
          p = i;
        }
      }
      if (lu[p * n + j] == 0.0) {
        return null;
      }
      if (p != j) {
        for (int k = 0; k < n; k++) {
          double t = lu[p * n + k];
          lu[p * n + k] = lu[j * n + k];
          lu[j * n + k] = t;
        }
        int t = perm[p];
        perm[p] = perm[j];
        perm[j] = t;
      }
      double pivot = lu[j * n + j];
      for (int i = j + 1; i < n; i++) {
        double factor = lu[i * n + j] / pivot;
        lu[i * n + j] = factor;
        for (int k = j + 1; k < n; k++) {
          lu[i * n + k] -= factor * lu[j * n + k];
        }
      }
    }
    DenseMatrix x = new DenseMatrix(n, b.cols);
    double[] y = new double[n];
    for (int c = 0; c < b.cols; c++) {
      for (int i = 0; i < n; i++) {
        double s = b.data[perm[i] * b.cols + c];
        for (int k = 0; k < i; k++) {
          s -= lu[i * n + k] * y[k];
        }
        y[i] = s;
      }
      for (int i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int k = i + 1; k < n; k++) {
          s -= lu[i * n + k] * x.data[k * b.cols + c];
        }
        x.data[i * b.cols + c] = s / lu[i * n + i];
      }
    }
    return x;
  }

  /**
   * Solves {@code a x = b} for a symmetric positive-definite {@code a} by Cholesky decomposition (only the lower
   * triangle of {@code a} is read); {@code a} and {@code b} are not modified.
   *
   * @return the solution, or {@code null} when {@code a} is not positive definite
   */
  public static DenseMatrix solveSymmetricPositiveDefinite(DenseMatrix a, DenseMatrix b) {
    requireShape(a.rows == a.cols && a.rows == b.rows, "solveSymmetricPositiveDefinite", a, b);
    int n = a.rows;
    double[] l = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a.data[i * n + j];
        for (int k = 0; k < j; k++) {
          s -= l[i * n + k] * l[j * n + k];
        }
        if (i == j) {
          if (!(s > 0)) {
            return null;
          }
          l[i * n + i] = Math.sqrt(s);
        } else {
          l[i * n + j] = s / l[j * n + j];
        }
      }
    }
    DenseMatrix x = new DenseMatrix(n, b.cols);
    double[] y = new double[n];
    for (int c = 0; c < b.cols; c++) {
      for (int i = 0; i < n; i++) {
        double s = b.data[i * b.cols + c];
        for (int k = 0; k < i; k++) {
          s -= l[i * n + k] * y[k];
        }
        y[i] = s / l[i * n + i];
      }
      for (int i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int k = i + 1; k < n; k++) {
          s -= l[k * n + i] * x.data[k * b.cols + c];
        }
        x.data[i * b.cols + c] = s / l[i * n + i];
      }
    }
    return x;
  }

  /**
   * The least-squares solution of {@code a x = b} ({@code a} has at least as many rows as columns) by Householder QR;
   * {@code a} and {@code b} are not modified.
   *
   * @param minQuality the smallest acceptable {@linkplain #triangularQuality quality} of R; below it the columns of
   *     {@code a} are taken as (nearly) collinear
   * @return the solution, or {@code null} when R's quality is below {@code minQuality}
   */
  public static DenseMatrix leastSquares(DenseMatrix a, DenseMatrix b, double minQuality) {
    requireShape(a.rows >= a.cols && a.rows == b.rows, "leastSquares", a, b);
    int m = a.rows;
    int n = a.cols;
    double[] r = a.data.clone();
    double[] qtb = b.data.clone();
    int bc = b.cols;
    double[] v = new double[m];
    for (int j = 0; j < n; j++) {
      double norm = 0;
      for (int i = j; i < m; i++) {
        norm = Math.hypot(norm, r[i * n + j]);
      }
      if (norm == 0) {
        continue; // a zero column: R's diagonal keeps the 0 and the quality check rejects it
      }
      double alpha = r[j * n + j] > 0 ? -norm : norm;
      double vnorm2 = 0;
      for (int i = j; i < m; i++) {
        v[i] = r[i * n + j];
      }
      v[j] -= alpha;
      for (int i = j; i < m; i++) {
        vnorm2 += v[i] * v[i];
      }
      if (vnorm2 == 0) {
        continue;
      }
      for (int k = j; k < n; k++) {
        double dot = 0;
        for (int i = j; i < m; i++) {
          dot += v[i] * r[i * n + k];
        }
        double f = 2 * dot / vnorm2;
        for (int i = j; i < m; i++) {
          r[i * n + k] -= f * v[i];
        }
      }
      for (int c = 0; c < bc; c++) {
        double dot = 0;
        for (int i = j; i < m; i++) {
          dot += v[i] * qtb[i * bc + c];
        }
        double f = 2 * dot / vnorm2;
        for (int i = j; i < m; i++) {
          qtb[i * bc + c] -= f * v[i];
        }
      }
    }
    double[] diagonal = new double[n];
    for (int j = 0; j < n; j++) {
      diagonal[j] = r[j * n + j];
    }
    if (!(triangularQuality(diagonal) >= minQuality)) {
      return null;
    }
    DenseMatrix x = new DenseMatrix(n, bc);
    for (int c = 0; c < bc; c++) {
      for (int i = n - 1; i >= 0; i--) {
        double s = qtb[i * bc + c];
        for (int k = i + 1; k < n; k++) {
          s -= r[i * n + k] * x.data[k * bc + c];
        }
        x.data[i * bc + c] = s / r[i * n + i];
      }
    }
    return x;
  }

  /**
   * How far a triangular matrix with this diagonal is from singular: the absolute product of its diagonal elements,
   * each divided by the largest in magnitude (1 for a scaled identity, 0 for a singular matrix).
   */
  static double triangularQuality(double[] diagonal) {
    double max = 0;
    for (double d : diagonal) {
      max = Math.max(max, Math.abs(d));
    }
    if (max == 0) {
      return 0;
    }
    double quality = 1;
    for (double d : diagonal) {
      quality *= d / max;
    }
    return Math.abs(quality);
  }

  private static void requireShape(boolean ok, String operation, DenseMatrix a, DenseMatrix b) {
    if (!ok) {
      throw new IllegalArgumentException(
          operation + " cannot combine a " + a.rows + " x " + a.cols + " matrix with a " + b.rows + " x " + b.cols
              + " one");
    }
  }

  @Override
  public String toString() {
    return "DenseMatrix[" + rows + " x " + cols + "]";
  }
}
