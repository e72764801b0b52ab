package dev.routellm.training;

import dev.routellm.checkpoint.Tensor;
import dev.routellm.prediction.Battle;
import dev.routellm.prediction.MatrixFactorization;
import dev.routellm.internal.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;

/**
 * Trains a {@link MatrixFactorization} on battles, following RouteLLM's recipe: ties dropped; for each battle the
 * logit {@code w2 . ((v_win - v_lose) * W1 (e + noise))} with label 1 and binary cross-entropy; Adam (PyTorch's, with
 * L2 weight decay added to the gradient) at learning rate 3e-4, weight decay 1e-5, batches of 64, Gaussian noise of
 * sigma 0.1 on the prompt embedding, hidden dimension 128; PyTorch's initialisation ({@code P} standard normal, the
 * linear layers uniform in +-1/sqrt(fan_in)). Everything random comes from one seed, so a run is reproducible.
 *
 * <p>The model names are the battles' distinct names in alphabetical order (RouteLLM's order for its 64 models).
 * The result saves with {@link MatrixFactorization#save} in RouteLLM's layout.
 *
 * <p>A trainer is immutable and thread-safe; each {@link #train} call is independent.
 */
public final class MatrixFactorizationTrainer {
  public static final int DEFAULT_DIMENSION = 128;
  public static final double DEFAULT_LEARNING_RATE = 3e-4;
  public static final double DEFAULT_WEIGHT_DECAY = 1e-5;
  public static final int DEFAULT_BATCH_SIZE = 64;
  public static final double DEFAULT_NOISE = 0.1;
  /** RouteLLM's number of epochs. */
  public static final int DEFAULT_EPOCHS = 100;
  public static final long DEFAULT_SEED = 42;

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  /** Told after every epoch; must not throw. */
  @FunctionalInterface
  public interface Progress {
    /** No-op. */
    Progress NONE = (epoch, epochs, loss) -> {};

    /**
     * @param epoch the epoch just finished, from 1
     * @param epochs the number of epochs
     * @param meanLoss the epoch's mean training loss
     */
    void epochDone(int epoch, int epochs, double meanLoss);
  }

  private final int dimension;
  private final double learningRate;
  private final double weightDecay;
  private final int batchSize;
  private final double noise;
  private final int epochs;
  private final long seed;
  private final Progress progress;

  private MatrixFactorizationTrainer(Builder b) {
    this.dimension = b.dimension;
    this.learningRate = b.learningRate;
    this.weightDecay = b.weightDecay;
    this.batchSize = b.batchSize;
    this.noise = b.noise;
    this.epochs = b.epochs;
    this.seed = b.seed;
    this.progress = b.progress;
  }

  /** A builder starting from RouteLLM's settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** A trainer with RouteLLM's settings. */
  public static MatrixFactorizationTrainer defaults() {
    return builder().build();
  }

  /**
   * Trains on battles over these prompt embeddings (ties are dropped, as RouteLLM does).
   *
   * @throws IllegalArgumentException when a battle refers to a missing prompt, embeddings have mixed lengths, or no
   *     battle has a winner
   */
  public MatrixFactorization train(List<float[]> promptEmbeddings, List<Battle> battles) {
    Objects.requireNonNull(promptEmbeddings, "promptEmbeddings");
    Objects.requireNonNull(battles, "battles");
    if (promptEmbeddings.isEmpty()) {
      throw new IllegalArgumentException("need at least one prompt embedding");
    }
    int textDim = promptEmbeddings.get(0).length;
    for (int i = 0; i < promptEmbeddings.size(); i++) {
      float[] e = Objects.requireNonNull(promptEmbeddings.get(i), "embedding " + i);
      if (e.length != textDim) {
        throw new IllegalArgumentException("embedding " + i + " has dimension " + e.length + " but embedding 0 has "
            + textDim);
      }
    }
    List<String> models = new ArrayList<>(new TreeSet<>(battles.stream()
        .flatMap(b -> java.util.stream.Stream.of(b.modelA(), b.modelB())).toList()));
    List<int[]> decided = new ArrayList<>(); // {prompt, winner, loser}
    for (Battle b : battles) {
      Objects.checkIndex(b.prompt(), promptEmbeddings.size());
      if (b.winner() != Battle.Winner.TIE) {
        decided.add(new int[] {b.prompt(), models.indexOf(b.winnerModel()), models.indexOf(b.loserModel())});
      }
    }
    if (decided.isEmpty()) {
      throw new IllegalArgumentException("no battle has a winner (ties are not used for training)");
    }
    return new Run(promptEmbeddings, textDim, models, decided).train();
  }

  /** The state of one training run. Not thread-safe. */
  private final class Run {
    final List<float[]> prompts;
    final int textDim;
    final List<String> models;
    final List<int[]> data;
    final Random random = new Random(seed);
    final Param p;
    final Param w1;
    final Param w2;
    int step;

    Run(List<float[]> prompts, int textDim, List<String> models, List<int[]> data) {
      this.prompts = prompts;
      this.textDim = textDim;
      this.models = models;
      this.data = new ArrayList<>(data);
      int m = models.size();
      p = new Param(m, dimension);
      for (int i = 0; i < p.value.data.length; i++) {
        p.value.data[i] = random.nextGaussian();
      }
      w1 = new Param(dimension, textDim);
      uniform(w1.value, 1 / Math.sqrt(textDim));
      w2 = new Param(1, dimension);
      uniform(w2.value, 1 / Math.sqrt(dimension));
    }

    void uniform(DenseMatrix m, double bound) {
      for (int i = 0; i < m.data.length; i++) {
        m.data[i] = (2 * random.nextDouble() - 1) * bound;
      }
    }

    MatrixFactorization train() {
      for (int epoch = 1; epoch <= epochs; epoch++) {
        java.util.Collections.shuffle(data, random);
        double lossSum = 0;
        for (int from = 0; from < data.size(); from += batchSize) {
          lossSum += batch(data.subList(from, Math.min(from + batchSize, data.size())));
        }
        progress.epochDone(epoch, epochs, lossSum / data.size());
      }
      return MatrixFactorization.fromTensors(models, tensor(p.value), tensor(w1.value), tensor(w2.value));
    }

    /** One Adam step on a batch; returns the batch's summed loss. */
    double batch(List<int[]> batch) {
      int b = batch.size();
      int h = dimension;
      DenseMatrix x = new DenseMatrix(b, textDim);
      for (int i = 0; i < b; i++) {
        float[] e = prompts.get(batch.get(i)[0]);
        for (int j = 0; j < textDim; j++) {
          x.data[i * textDim + j] = e[j] + noise * random.nextGaussian();
        }
      }
      DenseMatrix z = DenseMatrix.multTransB(x, w1.value);
      double[][] unit = new double[models.size()][];
      double[] norms = new double[models.size()];
      for (int m = 0; m < unit.length; m++) {
        unit[m] = new double[h];
        double n = 0;
        for (int k = 0; k < h; k++) {
          n += p.value.data[m * h + k] * p.value.data[m * h + k];
        }
        norms[m] = Math.max(Math.sqrt(n), 1e-12);
        for (int k = 0; k < h; k++) {
          unit[m][k] = p.value.data[m * h + k] / norms[m];
        }
      }
      DenseMatrix dz = new DenseMatrix(b, h);
      double[] dw2 = new double[h];
      double[][] dUnit = new double[models.size()][h];
      double loss = 0;
      for (int i = 0; i < b; i++) {
        int win = batch.get(i)[1];
        int lose = batch.get(i)[2];
        double logit = 0;
        for (int k = 0; k < h; k++) {
          logit += w2.value.data[k] * (unit[win][k] - unit[lose][k]) * z.data[i * h + k];
        }
        // Binary cross-entropy with label 1: loss = softplus(-logit), d loss / d logit = sigmoid(logit) - 1.
        loss += logit > 0 ? Math.log1p(Math.exp(-logit)) : -logit + Math.log1p(Math.exp(logit));
        double g = (sigmoid(logit) - 1) / b;
        for (int k = 0; k < h; k++) {
          double diff = unit[win][k] - unit[lose][k];
          double zk = z.data[i * h + k];
          dz.data[i * h + k] = g * w2.value.data[k] * diff;
          dw2[k] += g * diff * zk;
          dUnit[win][k] += g * w2.value.data[k] * zk;
          dUnit[lose][k] -= g * w2.value.data[k] * zk;
        }
      }
      System.arraycopy(DenseMatrix.multTransA(dz, x).data, 0, w1.grad.data, 0, w1.grad.data.length);
      System.arraycopy(dw2, 0, w2.grad.data, 0, h);
      for (int m = 0; m < unit.length; m++) {
        double dot = 0;
        for (int k = 0; k < h; k++) {
          dot += unit[m][k] * dUnit[m][k];
        }
        for (int k = 0; k < h; k++) {
          p.grad.data[m * h + k] = (dUnit[m][k] - unit[m][k] * dot) / norms[m];
        }
      }
      step++;
      p.adam();
      w1.adam();
      w2.adam();
      return loss;
    }

    /** A parameter with its gradient and Adam moments. */
    final class Param {
      final DenseMatrix value;
      final DenseMatrix grad;
      final double[] m;
      final double[] v;

      Param(int rows, int cols) {
        value = new DenseMatrix(rows, cols);
        grad = new DenseMatrix(rows, cols);
        m = new double[rows * cols];
        v = new double[rows * cols];
      }

      void adam() {
        double c1 = 1 - Math.pow(BETA1, step);
        double c2 = 1 - Math.pow(BETA2, step);
        double[] x = value.data;
        double[] g = grad.data;
        for (int i = 0; i < x.length; i++) {
          double gi = g[i] + weightDecay * x[i];
          m[i] = BETA1 * m[i] + (1 - BETA1) * gi;
          v[i] = BETA2 * v[i] + (1 - BETA2) * gi * gi;
          x[i] -= learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPSILON);
        }
      }
    }
  }

  private static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  private static Tensor tensor(DenseMatrix m) {
    return Tensor.of(m.data, m.rows(), m.cols());
  }

  /** Builds a trainer; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private int dimension = DEFAULT_DIMENSION;
    private double learningRate = DEFAULT_LEARNING_RATE;
    private double weightDecay = DEFAULT_WEIGHT_DECAY;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private double noise = DEFAULT_NOISE;
    private int epochs = DEFAULT_EPOCHS;
    private long seed = DEFAULT_SEED;
    private Progress progress = Progress.NONE;

    private Builder() {}

    /** Hidden dimension of model and projected prompt embeddings; default {@value #DEFAULT_DIMENSION}. */
    public Builder dimension(int value) {
      this.dimension = positive(value, "dimension");
      return this;
    }

    /** Adam's learning rate; default {@value #DEFAULT_LEARNING_RATE}. */
    public Builder learningRate(double value) {
      if (!(value > 0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException("learningRate must be finite and > 0 but was " + value);
      }
      this.learningRate = value;
      return this;
    }

    /** L2 weight decay; default {@value #DEFAULT_WEIGHT_DECAY}. */
    public Builder weightDecay(double value) {
      this.weightDecay = nonNegative(value, "weightDecay");
      return this;
    }

    /** Battles per step; default {@value #DEFAULT_BATCH_SIZE}. */
    public Builder batchSize(int value) {
      this.batchSize = positive(value, "batchSize");
      return this;
    }

    /** Standard deviation of the noise added to prompt embeddings; default {@value #DEFAULT_NOISE}. */
    public Builder noise(double value) {
      this.noise = nonNegative(value, "noise");
      return this;
    }

    /** Passes over the data; default {@value #DEFAULT_EPOCHS}. */
    public Builder epochs(int value) {
      this.epochs = positive(value, "epochs");
      return this;
    }

    /** Seed of initialisation, shuffling and noise; default {@value #DEFAULT_SEED}. */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /** Told after every epoch. Default: nothing. */
    public Builder progress(Progress value) {
      this.progress = Objects.requireNonNull(value, "progress");
      return this;
    }

    public MatrixFactorizationTrainer build() {
      return new MatrixFactorizationTrainer(this);
    }

    private static int positive(int v, String name) {
      if (v <= 0) {
        throw new IllegalArgumentException(name + " must be > 0 but was " + v);
      }
      return v;
    }

    private static double nonNegative(double v, String name) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(name + " must be finite and >= 0 but was " + v);
      }
      return v;
    }
  }
}
