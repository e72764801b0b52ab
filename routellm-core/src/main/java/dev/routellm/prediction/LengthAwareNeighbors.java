package dev.routellm.prediction;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@link NearestNeighbors} blended with the prompt's length: on math word problems (GSM8K) longer questions take more
 * steps, and the weak model fails them more often, a signal that an embedding of the topic does not carry. Both
 * signals are turned into ranks against the training prompts (the share of training prompts scoring lower), and the
 * score is {@code (1 - w) * rank(kNN) + w * rank(words)}: a number in [0, 1] ordered like the win rate, not a
 * calibrated probability (calibrate the threshold on your own prompts).
 *
 * <p>{@link #score(float[])} has no text: it counts the length as the training median. Use
 * {@link #score(String, float[])}, as {@link EmbeddingPredictor} does.
 *
 * <p>Immutable and thread-safe.
 */
public final class LengthAwareNeighbors implements EmbeddingScorer {
  /** Weight of the length rank unless told otherwise. */
  public static final double DEFAULT_LENGTH_WEIGHT = 0.5;

  static final String KIND = "knn-length";
  static final String KNN_QUANTILES = "knn_quantiles";
  static final String LENGTH_QUANTILES = "length_quantiles";
  static final String LENGTH_WEIGHT = "length_weight";

  private final NearestNeighbors neighbors;
  private final float[] knnSorted;
  private final float[] lengthSorted;
  private final double lengthWeight;

  private LengthAwareNeighbors(NearestNeighbors neighbors, float[] knnSorted, float[] lengthSorted,
      double lengthWeight) {
    this.neighbors = neighbors;
    this.knnSorted = knnSorted;
    this.lengthSorted = lengthSorted;
    this.lengthWeight = lengthWeight;
  }

  /**
   * Fits on training prompts, their embeddings and win-rate targets.
   *
   * @throws IllegalArgumentException when the sizes differ, {@code k < 1} or the weight is outside [0, 1]
   */
  public static LengthAwareNeighbors fit(List<String> prompts, List<float[]> embeddings, double[] targets, int k,
      double lengthWeight) {
    Objects.requireNonNull(prompts, "prompts");
    if (prompts.size() != embeddings.size()) {
      throw new IllegalArgumentException("need one prompt per embedding (" + embeddings.size() + ") but got "
          + prompts.size());
    }
    if (!(lengthWeight >= 0 && lengthWeight <= 1)) {
      throw new IllegalArgumentException("lengthWeight must be in [0, 1] but was " + lengthWeight);
    }
    NearestNeighbors knn = NearestNeighbors.fit(embeddings, targets, k);
    double[] knnScores = knn.scoreAll(embeddings);
    float[] knnSorted = new float[knnScores.length];
    float[] lengths = new float[prompts.size()];
    for (int i = 0; i < lengths.length; i++) {
      knnSorted[i] = (float) knnScores[i];
      lengths[i] = words(prompts.get(i));
    }
    Arrays.sort(knnSorted);
    Arrays.sort(lengths);
    return new LengthAwareNeighbors(knn, knnSorted, lengths, lengthWeight);
  }

  static LengthAwareNeighbors fromFile(RouterFile file) {
    NearestNeighbors knn = NearestNeighbors.fromFile(file);
    float[] knnSorted = Ranks.sortedReference(file, KNN_QUANTILES);
    float[] lengthSorted = Ranks.sortedReference(file, LENGTH_QUANTILES);
    double w = file.doubleParameter(LENGTH_WEIGHT);
    if (!(w >= 0 && w <= 1)) {
      throw InvalidFileException.ofResource(file.source(), "parameter '" + LENGTH_WEIGHT + "' must be in [0, 1]"
          + " but was " + w, null);
    }
    return new LengthAwareNeighbors(knn, knnSorted, lengthSorted, w);
  }

  /** Words in a prompt: runs of non-whitespace. */
  static int words(String prompt) {
    String s = prompt.strip();
    return s.isEmpty() ? 0 : s.split("\\s+").length;
  }

  /** Share of {@code sorted} strictly below {@code v}, plus half the share equal to it ({@link Ranks#of}). */
  static double rank(float[] sorted, double v) {
    return Ranks.of(sorted, v);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int dimension() {
    return neighbors.dimension();
  }

  @Override
  public double score(float[] embedding) {
    return blend(neighbors.score(embedding), 0.5);
  }

  @Override
  public double score(String prompt, float[] embedding) {
    Objects.requireNonNull(prompt, "prompt");
    return blend(neighbors.score(embedding), rank(lengthSorted, words(prompt)));
  }

  private double blend(double knnScore, double lengthRank) {
    return (1 - lengthWeight) * rank(knnSorted, (float) knnScore) + lengthWeight * lengthRank;
  }

  @Override
  public void exportTo(RouterFile.Builder file) {
    neighbors.exportTo(file);
    file.kind(KIND)
        .parameter(LENGTH_WEIGHT, Double.toString(lengthWeight))
        .tensor(KNN_QUANTILES, Tensor.of(knnSorted, knnSorted.length))
        .tensor(LENGTH_QUANTILES, Tensor.of(lengthSorted, lengthSorted.length));
  }
}
