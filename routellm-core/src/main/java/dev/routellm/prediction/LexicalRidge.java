package dev.routellm.prediction;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Ridge regression of a target (a strong win rate) on the words of a prompt: each prompt becomes a bag of its word
 * unigrams and adjacent bigrams, hashed into {@value #BUCKETS} buckets, weighted by inverse document frequency and
 * scaled to unit length (TF-IDF with binary term counts). It sees what an embedding of the topic blurs: the wording of
 * a question ("EXCEPT", "Statement 1 |", a passage shared by several questions), which tells how hard a question is
 * within its topic.
 *
 * <p><b>Tokens.</b> The prompt is lower-cased; a token is a run of ASCII letters, a run of ASCII digits, or any other
 * single non-whitespace character. A bigram is two adjacent tokens. Each distinct bucket counts once.
 *
 * <p><b>Fit.</b> With {@code x} the unit TF-IDF rows and {@code y} the targets, the weights minimise
 * {@code |X w - (y - mean(y))|^2 + lambda |w|^2} (conjugate gradients on the normal equations); a prompt scores
 * {@code mean(y) + x . w}. The IDF is {@code ln((1 + n) / (1 + df)) + 1} over the training prompts only.
 *
 * <p>Immutable and thread-safe. Scores are not clipped: they order prompts, and {@link LexicalNeighbors} uses them
 * only through their ranks.
 */
public final class LexicalRidge {
  /** Hash buckets of the features: 2^18, so that distinct words rarely share one. */
  public static final int BUCKETS = 1 << 18;
  /** Conjugate-gradient iterations at most per fit. */
  static final int MAX_ITERATIONS = 500;
  /** Relative residual at which conjugate gradients stop. */
  static final double TOLERANCE = 1e-6;

  private final float[] idf;
  private final float[] weights;
  private final double intercept;

  LexicalRidge(float[] idf, float[] weights, double intercept) {
    this.idf = idf;
    this.weights = weights;
    this.intercept = intercept;
  }

  /**
   * Fits on training prompts and their targets.
   *
   * @param prompts the training prompts
   * @param targets one finite target per prompt
   * @param lambda the ridge penalty, {@code > 0}
   * @throws IllegalArgumentException when the sizes differ, there is no prompt, a target is not finite or
   *     {@code lambda <= 0}
   */
  public static LexicalRidge fit(List<String> prompts, double[] targets, double lambda) {
    return fitPath(prompts, targets, new double[] {lambda})[0];
  }

  /**
   * Fits one model per penalty on the same data, each started from the previous solution (cheaper than separate
   * fits when the penalties are close).
   *
   * @throws IllegalArgumentException as {@link #fit}, for any penalty
   */
  public static LexicalRidge[] fitPath(List<String> prompts, double[] targets, double[] lambdas) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(lambdas, "lambdas");
    int n = prompts.size();
    if (n == 0 || targets.length != n) {
      throw new IllegalArgumentException("need one target per prompt and at least one prompt, but got "
          + n + " prompts and " + targets.length + " targets");
    }
    double mean = 0;
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(targets[i])) {
        throw new IllegalArgumentException("target " + i + " must be finite but was " + targets[i]);
      }
      mean += targets[i];
    }
    mean /= n;
    for (double l : lambdas) {
      if (!(l > 0 && Double.isFinite(l))) {
        throw new IllegalArgumentException("lambda must be > 0 and finite but was " + l);
      }
    }
    int[][] rows = new int[n][];
    int[] df = new int[BUCKETS];
    for (int i = 0; i < n; i++) {
      rows[i] = buckets(Objects.requireNonNull(prompts.get(i), "prompt " + i));
      for (int b : rows[i]) {
        df[b]++;
      }
    }
    float[] idf = idf(df, n);
    float[][] values = new float[n][];
    for (int i = 0; i < n; i++) {
      values[i] = unitValues(rows[i], idf);
    }
    double[] centred = new double[n];
    for (int i = 0; i < n; i++) {
      centred[i] = targets[i] - mean;
    }
    LexicalRidge[] out = new LexicalRidge[lambdas.length];
    double[] w = new double[BUCKETS];
    for (int l = 0; l < lambdas.length; l++) {
      solve(rows, values, centred, lambdas[l], w);
      float[] weights = new float[BUCKETS];
      for (int b = 0; b < BUCKETS; b++) {
        weights[b] = (float) w[b];
      }
      out[l] = new LexicalRidge(idf, weights, mean);
    }
    return out;
  }

  /** The IDF of every bucket from its document frequency over {@code n} prompts: {@code ln((1 + n) / (1 + df)) + 1}. */
  static float[] idf(int[] df, int n) {
    float[] idf = new float[BUCKETS];
    for (int b = 0; b < BUCKETS; b++) {
      idf[b] = (float) (Math.log((1.0 + n) / (1.0 + df[b])) + 1);
    }
    return idf;
  }

  /** Conjugate gradients for {@code (X'X + lambda I) w = X'y}, from the given {@code w}, in place. */
  private static void solve(int[][] rows, float[][] values, double[] y, double lambda, double[] w) {
    double[] b = transposeTimes(rows, values, y);
    double[] r = b.clone();
    double[] aw = normalTimes(rows, values, w, lambda);
    for (int j = 0; j < r.length; j++) {
      r[j] -= aw[j];
    }
    double[] p = r.clone();
    double rr = dot(r, r);
    double stop = TOLERANCE * TOLERANCE * Math.max(dot(b, b), Double.MIN_NORMAL);
    for (int it = 0; it < MAX_ITERATIONS && rr > stop; it++) {
      double[] ap = normalTimes(rows, values, p, lambda);
      double alpha = rr / dot(p, ap);
      for (int j = 0; j < w.length; j++) {
        w[j] += alpha * p[j];
        r[j] -= alpha * ap[j];
      }
      double next = dot(r, r);
      double beta = next / rr;
      rr = next;
      for (int j = 0; j < p.length; j++) {
        p[j] = r[j] + beta * p[j];
      }
    }
  }

  private static double[] normalTimes(int[][] rows, float[][] values, double[] v, double lambda) {
    double[] xv = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      double s = 0;
      for (int k = 0; k < rows[i].length; k++) {
        s += values[i][k] * v[rows[i][k]];
      }
      xv[i] = s;
    }
    double[] out = transposeTimes(rows, values, xv);
    for (int j = 0; j < out.length; j++) {
      out[j] += lambda * v[j];
    }
    return out;
  }

  private static double[] transposeTimes(int[][] rows, float[][] values, double[] y) {
    double[] out = new double[BUCKETS];
    for (int i = 0; i < rows.length; i++) {
      for (int k = 0; k < rows[i].length; k++) {
        out[rows[i][k]] += values[i][k] * y[i];
      }
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** The IDF of each bucket scaled so that the row has unit length; all zeros for an empty row. */
  static float[] unitValues(int[] row, float[] idf) {
    double sq = 0;
    for (int b : row) {
      sq += (double) idf[b] * idf[b];
    }
    float[] v = new float[row.length];
    if (sq > 0) {
      double inv = 1 / Math.sqrt(sq);
      for (int k = 0; k < row.length; k++) {
        v[k] = (float) (idf[row[k]] * inv);
      }
    }
    return v;
  }

  /** The prompt's score: {@code mean(y) + x . w}. */
  public double score(String prompt) {
    int[] row = buckets(Objects.requireNonNull(prompt, "prompt"));
    float[] v = unitValues(row, idf);
    double s = intercept;
    for (int k = 0; k < row.length; k++) {
      s += v[k] * weights[row[k]];
    }
    return s;
  }

  /** The mean training target: the score of a prompt with no known word. */
  public double intercept() {
    return intercept;
  }

  float[] idf() {
    return idf;
  }

  float[] weights() {
    return weights;
  }

  /** The distinct feature buckets of a prompt, in increasing order. */
  static int[] buckets(String prompt) {
    String s = prompt.toLowerCase(java.util.Locale.ROOT);
    List<String> tokens = new java.util.ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      int end = i + 1;
      if (c >= 'a' && c <= 'z') {
        while (end < s.length() && s.charAt(end) >= 'a' && s.charAt(end) <= 'z') {
          end++;
        }
      } else if (c >= '0' && c <= '9') {
        while (end < s.length() && s.charAt(end) >= '0' && s.charAt(end) <= '9') {
          end++;
        }
      } else if (Character.isWhitespace(c)) {
        i = end;
        continue;
      }
      tokens.add(s.substring(i, end));
      i = end;
    }
    int[] out = new int[2 * tokens.size()];
    int m = 0;
    for (int t = 0; t < tokens.size(); t++) {
      out[m++] = bucket(tokens.get(t));
      if (t + 1 < tokens.size()) {
        out[m++] = bucket(tokens.get(t) + ' ' + tokens.get(t + 1));
      }
    }
    int[] sorted = Arrays.copyOf(out, m);
    Arrays.sort(sorted);
    int distinct = 0;
    for (int k = 0; k < sorted.length; k++) {
      if (distinct == 0 || sorted[k] != sorted[distinct - 1]) {
        sorted[distinct++] = sorted[k];
      }
    }
    return Arrays.copyOf(sorted, distinct);
  }

  /**
   * A feature's bucket: {@link String#hashCode()} (fixed by the language specification) mixed by MurmurHash3's
   * finaliser.
   */
  static int bucket(String feature) {
    int h = feature.hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h & (BUCKETS - 1);
  }

  @Override
  public String toString() {
    return "LexicalRidge{buckets=" + BUCKETS + ", intercept=" + intercept + "}";
  }
}
