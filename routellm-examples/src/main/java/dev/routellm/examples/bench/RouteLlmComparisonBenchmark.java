package dev.routellm.examples.bench;

import dev.routellm.checkpoint.Tensor;
import dev.routellm.prediction.Battle;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.MatrixFactorization;
import dev.routellm.prediction.SimilarityWeightedRanking;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Our scorers side by side with RouteLLM's formulations computed per request, in the same run, on RouteLLM-shaped
 * inputs (random values: the cost does not depend on them).
 *
 * <ul>
 *   <li>Matrix factorization: {@code mfCollapsed} is our one dot product per query; {@code mfPerQuery} computes
 *       RouteLLM's formula as written, {@code sigmoid(w2 . (v_s * W1 e) - w2 . (v_w * W1 e))}, projecting the query
 *       through the 128 x d matrix each time.
 *   <li>Similarity-weighted ranking over an Arena-sized battle set (64 models in 10 tiers): {@code swOurs} sums the
 *       weighted wins into a tier-by-tier table and runs a warm-started Newton fit; {@code swPerRow} fits RouteLLM's
 *       regression as it is posed, two design rows per battle (+ln 10 / -ln 10 in the tiers' columns), by Newton
 *       steps over all rows, as a library without the aggregation would.
 * </ul>
 *
 * <pre>
 * java -cp routellm-examples/target/routellm.jar org.openjdk.jmh.Main RouteLlmComparisonBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgs = "-Xmx4g")
public class RouteLlmComparisonBenchmark {
  private static final int HIDDEN = 128;
  private static final int TIERS = 10;
  private static final double LN10 = Math.log(10);

  /** Battles in the SW training set (RouteLLM's Arena data: about 165,000, a 330,000-row regression). */
  @Param({"20000", "165000"})
  public int battles;

  /** Embedding dimension of the SW prompts (MiniLM's). */
  @Param({"384"})
  public int dimension;

  private EmbeddingScorer mf;
  private float[][] mfProjection;
  private float[] mfStrong;
  private float[] mfWeak;
  private float[] mfQuery;

  private EmbeddingScorer sw;
  private float[] swPrompts;
  private int[] tierA;
  private int[] tierB;
  private double[] labelA;
  private float[] swQuery;

  @Setup(Level.Trial)
  public void setUp() {
    Random r = new Random(7);
    int mfDim = 1536; // RouteLLM's MF runs on OpenAI's 1536-d embeddings
    List<String> models = MatrixFactorization.ROUTELLM_MODELS;
    float[] p = gaussian(r, models.size() * HIDDEN);
    float[] w1 = gaussian(r, HIDDEN * mfDim);
    float[] w2 = gaussian(r, HIDDEN);
    String strong = "gpt-4-1106-preview";
    String weak = "mixtral-8x7b-instruct-v0.1";
    mf = MatrixFactorization.fromTensors(models, Tensor.of(p, models.size(), HIDDEN), Tensor.of(w1, HIDDEN, mfDim),
        Tensor.of(w2, 1, HIDDEN)).scorer(strong, weak);
    mfProjection = new float[HIDDEN][mfDim];
    for (int i = 0; i < HIDDEN; i++) {
      System.arraycopy(w1, i * mfDim, mfProjection[i], 0, mfDim);
    }
    mfStrong = scaledModelVector(p, models.indexOf(strong), w2);
    mfWeak = scaledModelVector(p, models.indexOf(weak), w2);
    mfQuery = unit(gaussian(r, mfDim));

    List<String> names = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      names.add(String.format("m%02d", i));
    }
    List<float[]> prompts = new ArrayList<>(battles);
    List<Battle> list = new ArrayList<>(battles);
    swPrompts = new float[battles * dimension];
    tierA = new int[battles];
    tierB = new int[battles];
    labelA = new double[battles];
    for (int i = 0; i < battles; i++) {
      float[] e = unit(gaussian(r, dimension));
      prompts.add(e);
      System.arraycopy(e, 0, swPrompts, i * dimension, dimension);
      int a = r.nextInt(64);
      int b = (a + 1 + r.nextInt(63)) % 64;
      // Stronger models (lower index) win more often, so global ratings and tiers are well defined.
      double pa = 1 / (1 + Math.exp((a - b) / 16.0));
      double u = r.nextDouble();
      Battle.Winner w = u < 0.1 ? Battle.Winner.TIE : u < 0.1 + 0.9 * pa ? Battle.Winner.MODEL_A
          : Battle.Winner.MODEL_B;
      list.add(new Battle(i, names.get(a), names.get(b), w));
      tierA[i] = a * TIERS / 64;
      tierB[i] = b * TIERS / 64;
      labelA[i] = w == Battle.Winner.MODEL_A ? 1 : w == Battle.Winner.TIE ? 0.5 : 0;
    }
    sw = SimilarityWeightedRanking.fit(prompts, list, names.get(0), names.get(40), TIERS);
    swQuery = unit(gaussian(r, dimension));
  }

  @Benchmark
  public double mfCollapsed() {
    return mf.score(mfQuery);
  }

  @Benchmark
  public double mfPerQuery() {
    double ds = 0;
    double dw = 0;
    for (int i = 0; i < HIDDEN; i++) {
      float[] row = mfProjection[i];
      double proj = 0;
      for (int j = 0; j < row.length; j++) {
        proj += row[j] * mfQuery[j];
      }
      ds += mfStrong[i] * proj;
      dw += mfWeak[i] * proj;
    }
    return 1 / (1 + Math.exp(-(ds - dw)));
  }

  @Benchmark
  public double swOurs() {
    return sw.score(swQuery);
  }

  /**
   * RouteLLM's per-request regression over all rows: weights 10^(1 + c_i / max c), two rows per battle whose labels
   * sum to one (a tie: one win each way), Newton steps on the tier coefficients (a small ridge fixes the free shift).
   */
  @Benchmark
  public double swPerRow() {
    int n = battles;
    double[] weight = new double[n];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double c = 0;
      int off = i * dimension;
      for (int j = 0; j < dimension; j++) {
        c += swPrompts[off + j] * swQuery[j];
      }
      weight[i] = c;
      max = Math.max(max, c);
    }
    for (int i = 0; i < n; i++) {
      weight[i] = Math.pow(10, 1 + weight[i] / max);
    }
    double[] beta = new double[TIERS];
    for (int iter = 0; iter < 8; iter++) {
      double[] grad = new double[TIERS];
      double[] hess = new double[TIERS * TIERS];
      for (int copy = 0; copy < 2; copy++) {
        for (int i = 0; i < n; i++) {
          int a = tierA[i];
          int b = tierB[i];
          if (a == b) {
            continue;
          }
          double y = copy == 0 ? Math.ceil(labelA[i]) : Math.floor(labelA[i]);
          double z = LN10 * (beta[a] - beta[b]);
          double prob = 1 / (1 + Math.exp(-z));
          double g = weight[i] * (y - prob) * LN10;
          grad[a] += g;
          grad[b] -= g;
          double h = weight[i] * prob * (1 - prob) * LN10 * LN10;
          hess[a * TIERS + a] += h;
          hess[b * TIERS + b] += h;
          hess[a * TIERS + b] -= h;
          hess[b * TIERS + a] -= h;
        }
      }
      for (int k = 0; k < TIERS; k++) {
        hess[k * TIERS + k] += 1e-6;
      }
      double[] step = solve(hess, grad, TIERS);
      for (int k = 0; k < TIERS; k++) {
        beta[k] += step[k];
      }
    }
    double rs = 400 * beta[0] + 1000;
    double rw = 400 * beta[40 * TIERS / 64] + 1000;
    return 1 - 1 / (1 + Math.pow(10, (rs - rw) / 400));
  }

  /** Gaussian elimination with partial pivoting on a small dense system. */
  private static double[] solve(double[] a, double[] b, int n) {
    double[] m = a.clone();
    double[] x = b.clone();
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int row = col + 1; row < n; row++) {
        if (Math.abs(m[row * n + col]) > Math.abs(m[pivot * n + col])) {
          pivot = row;
        }
      }
      for (int k = 0; k < n; k++) {
        double t = m[col * n + k];
        m[col * n + k] = m[pivot * n + k];
        m[pivot * n + k] = t;
      }
      double t = x[col];
      x[col] = x[pivot];
      x[pivot] = t;
      for (int row = col + 1; row < n; row++) {
        double f = m[row * n + col] / m[col * n + col];
        for (int k = col; k < n; k++) {
          m[row * n + k] -= f * m[col * n + k];
        }
        x[row] -= f * x[col];
      }
    }
    for (int row = n - 1; row >= 0; row--) {
      double s = x[row];
      for (int k = row + 1; k < n; k++) {
        s -= m[row * n + k] * x[k];
      }
      x[row] = s / m[row * n + row];
    }
    return x;
  }

  /** {@code w2 * P[m] / ||P[m]||}: the model's vector as RouteLLM's formula multiplies it. */
  private static float[] scaledModelVector(float[] p, int model, float[] w2) {
    double norm = 0;
    for (int i = 0; i < HIDDEN; i++) {
      norm += p[model * HIDDEN + i] * p[model * HIDDEN + i];
    }
    norm = Math.sqrt(norm);
    float[] v = new float[HIDDEN];
    for (int i = 0; i < HIDDEN; i++) {
      v[i] = (float) (w2[i] * p[model * HIDDEN + i] / norm);
    }
    return v;
  }

  private static float[] gaussian(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static float[] unit(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return v;
  }
}
