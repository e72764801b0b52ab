package dev.routellm.prediction;

import java.util.List;

/** Dense vector arithmetic shared by the embedding predictors: one implementation of each formula. */
final class Vectors {
  private Vectors() {}

  /** Dot product of {@code a} with {@code n} floats of {@code b} starting at {@code offset}. */
  static float dot(float[] a, float[] b, int offset, int n) {
    // Four independent accumulators let the CPU pipeline the multiply-adds (a single sum is latency-bound).
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[i] * b[offset + i];
      s1 += a[i + 1] * b[offset + i + 1];
      s2 += a[i + 2] * b[offset + i + 2];
      s3 += a[i + 3] * b[offset + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[i] * b[offset + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** A unit-length copy of {@code v}; the zero vector stays zero. */
  static float[] normalized(float[] v) {
    double sq = 0;
    for (float x : v) {
      sq += (double) x * x;
    }
    float[] out = v.clone();
    if (sq > 0) {
      float inv = (float) (1 / Math.sqrt(sq));
      for (int i = 0; i < out.length; i++) {
        out[i] *= inv;
      }
    }
    return out;
  }

  /** Unit-length rows packed into one row-major array of {@code rows.size() * dim} floats. */
  static float[] packNormalized(List<float[]> rows, int dim) {
    float[] out = new float[Math.multiplyExact(rows.size(), dim)];
    for (int i = 0; i < rows.size(); i++) {
      float[] row = rows.get(i);
      checkDimension(row, dim, "embedding " + i);
      System.arraycopy(normalized(row), 0, out, i * dim, dim);
    }
    return out;
  }

  /** Cosine similarity of unit vector {@code q} to every packed unit row. */
  static float[] similarities(float[] q, float[] rows, int dim) {
    int n = rows.length / dim;
    float[] sims = new float[n];
    for (int i = 0; i < n; i++) {
      sims[i] = dot(q, rows, i * dim, dim);
    }
    return sims;
  }

  /**
   * Checks an embedding's length and values.
   *
   * @throws IllegalArgumentException when the length is not {@code dim} or a value is not finite
   */
  static void checkDimension(float[] v, int dim, String what) {
    if (v == null) {
      throw new NullPointerException(what);
    }
    if (v.length != dim) {
      throw new IllegalArgumentException(what + " must have dimension " + dim + " but has " + v.length
          + " (was it made by another embedder?)");
    }
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException(what + " holds a non-finite value " + x);
      }
    }
  }

  /** The logistic function. */
  static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }
}
