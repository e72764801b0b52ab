package dev.routellm.prediction;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import dev.routellm.internal.linalg.DenseMatrix;
import java.util.List;
import java.util.Objects;

/**
 * A linear model of the prompt: a weighted ridge regression of a target (the strong model's win rate, or a difficulty:
 * the share of models that fail the prompt) on the prompt's embedding and the logarithm of its length in words,
 * squashed to [0, 1] by a logistic function of the standardised prediction. One weight per embedding dimension, so a
 * router file of a few kilobytes; it carries whatever direction of the embedding space predicts the target, not a
 * table of topics. The score is ordered like the target, not a calibrated probability: calibrate the threshold.
 *
 * <pre>
 *   z = (w . e + a * log(1 + words) + b - mean) / sd      (mean, sd: of the fitted values on the training prompts)
 *   s = 1 / (1 + exp(-z))
 * </pre>
 *
 * <p>{@link #score(float[])} has no text: it counts the length as the training mean. Use
 * {@link #score(String, float[])}, as {@link EmbeddingPredictor} does.
 *
 * <p>Immutable and thread-safe.
 */
public final class LinearRegressionScorer implements EmbeddingScorer {
  /** Ridge penalty per unit of total sample weight, unless told otherwise. */
  public static final double DEFAULT_PENALTY = 1e-3;

  static final String KIND = "linear";
  static final String WEIGHTS = "weights";
  static final String LENGTH_WEIGHT = "length_weight";
  static final String BIAS = "bias";
  static final String MEAN_LENGTH = "mean_log_length";

  private final float[] weights; // already divided by sd
  private final double lengthWeight;
  private final double bias;
  private final double meanLogLength;

  private LinearRegressionScorer(float[] weights, double lengthWeight, double bias, double meanLogLength) {
    this.weights = weights;
    this.lengthWeight = lengthWeight;
    this.bias = bias;
    this.meanLogLength = meanLogLength;
  }

  /**
   * Fits on training prompts.
   *
   * @param prompts the prompts' texts (for their length)
   * @param embeddings their embeddings, all of one length
   * @param targets what to predict, finite
   * @param sampleWeights each prompt's weight, finite and {@code >= 0}, not all 0 (balance sources of different
   *     sizes with them); null for equal weights
   * @param penalty the ridge penalty per unit of total weight, {@code >= 0} (the intercept is not penalised)
   * @throws IllegalArgumentException when sizes differ, the set is empty, a value is not finite, or the fitted values
   *     do not vary (every target equal)
   */
  public static LinearRegressionScorer fit(List<String> prompts, List<float[]> embeddings, double[] targets,
      double[] sampleWeights, double penalty) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(targets, "targets");
    int n = embeddings.size();
    if (n == 0 || prompts.size() != n || targets.length != n || (sampleWeights != null && sampleWeights.length != n)) {
      throw new IllegalArgumentException("need one prompt, target and weight per embedding (" + n + ", at least one)"
          + " but got " + prompts.size() + ", " + targets.length + " and "
          + (sampleWeights == null ? n : sampleWeights.length));
    }
    if (!(penalty >= 0) || Double.isInfinite(penalty)) {
      throw new IllegalArgumentException("penalty must be finite and >= 0 but was " + penalty);
    }
    int dim = embeddings.get(0).length;
    int p = dim + 2; // embedding, log length, intercept
    DenseMatrix xtx = new DenseMatrix(p, p);
    DenseMatrix xty = new DenseMatrix(p, 1);
    double total = 0;
    double[] x = new double[p];
    for (int i = 0; i < n; i++) {
      double w = sampleWeights == null ? 1 : sampleWeights[i];
      if (!(w >= 0) || Double.isInfinite(w) || !Double.isFinite(targets[i])) {
        throw new IllegalArgumentException("weight and target of prompt " + i + " must be finite (weight >= 0) but"
            + " were " + w + " and " + targets[i]);
      }
      features(Objects.requireNonNull(prompts.get(i), "prompt " + i), embeddings.get(i), dim, x);
      total += w;
      for (int a = 0; a < p; a++) {
        double wa = w * x[a];
        xty.data[a] += wa * targets[i];
        for (int b = a; b < p; b++) {
          xtx.data[a * p + b] += wa * x[b];
        }
      }
    }
    if (!(total > 0)) {
      throw new IllegalArgumentException("the sample weights must not all be 0");
    }
    for (int a = 0; a < p; a++) {
      for (int b = 0; b < a; b++) {
        xtx.data[a * p + b] = xtx.data[b * p + a];
      }
    }
    for (int a = 0; a < p - 1; a++) {
      xtx.data[a * p + a] += penalty * total;
    }
    DenseMatrix beta = DenseMatrix.solve(xtx, xty);
    if (beta == null) {
      throw new IllegalArgumentException("the regression cannot be solved (give a penalty > 0)");
    }
    double sum = 0;
    double sumSq = 0;
    double lengthSum = 0;
    for (int i = 0; i < n; i++) {
      double w = sampleWeights == null ? 1 : sampleWeights[i];
      features(prompts.get(i), embeddings.get(i), dim, x);
      double fitted = 0;
      for (int a = 0; a < p; a++) {
        fitted += beta.data[a] * x[a];
      }
      sum += w * fitted;
      sumSq += w * fitted * fitted;
      lengthSum += w * x[dim];
    }
    double mean = sum / total;
    double sd = Math.sqrt(Math.max(0, sumSq / total - mean * mean));
    if (!(sd > 0)) {
      throw new IllegalArgumentException("the fitted values do not vary: nothing to rank prompts by");
    }
    float[] weights = new float[dim];
    for (int d = 0; d < dim; d++) {
      weights[d] = (float) (beta.data[d] / sd);
    }
    return new LinearRegressionScorer(weights, beta.data[dim] / sd, (beta.data[dim + 1] - mean) / sd,
        lengthSum / total);
  }

  private static void features(String prompt, float[] e, int dim, double[] x) {
    Vectors.checkDimension(e, dim, "embedding");
    for (int d = 0; d < dim; d++) {
      x[d] = e[d];
    }
    x[dim] = logLength(prompt);
    x[dim + 1] = 1;
  }

  /** {@code log(1 + words)}, words being runs of non-whitespace. */
  static double logLength(String prompt) {
    return Math.log1p(LengthAwareNeighbors.words(prompt));
  }

  static LinearRegressionScorer fromFile(RouterFile file) {
    float[] w = file.tensor(WEIGHTS, file.dimension()).values(); // checked finite by the file
    double a = file.doubleParameter(LENGTH_WEIGHT);
    double b = file.doubleParameter(BIAS);
    double m = file.doubleParameter(MEAN_LENGTH);
    if (!Double.isFinite(a) || !Double.isFinite(b) || !(m >= 0) || Double.isInfinite(m)) {
      throw InvalidFileException.ofResource(file.source(), "parameters '" + LENGTH_WEIGHT + "', '" + BIAS + "' and '"
          + MEAN_LENGTH + "' must be finite (the last >= 0) but were " + a + ", " + b + " and " + m, null);
    }
    return new LinearRegressionScorer(w, a, b, m);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int dimension() {
    return weights.length;
  }

  @Override
  public double score(float[] embedding) {
    return score(embedding, meanLogLength);
  }

  @Override
  public double score(String prompt, float[] embedding) {
    Objects.requireNonNull(prompt, "prompt");
    return score(embedding, logLength(prompt));
  }

  private double score(float[] embedding, double logLength) {
    Vectors.checkDimension(embedding, weights.length, "embedding");
    return Vectors.sigmoid(Vectors.dot(weights, embedding, 0, weights.length) + lengthWeight * logLength + bias);
  }

  @Override
  public void exportTo(RouterFile.Builder file) {
    file.kind(KIND)
        .parameter(LENGTH_WEIGHT, Double.toString(lengthWeight))
        .parameter(BIAS, Double.toString(bias))
        .parameter(MEAN_LENGTH, Double.toString(meanLogLength))
        .tensor(WEIGHTS, Tensor.of(weights, weights.length));
  }
}
