package dev.routellm.prediction;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import java.util.Objects;

/**
 * {@link NearestNeighbors} over the embedding blended with a {@link LexicalRidge} over the prompt's words: the
 * neighbours say what the topic is worth, the words say how hard the question is within it. Each part's score is
 * turned into a rank against reference scores of that part (the share of references scoring lower, ties counted half),
 * and the score is {@code (1 - w) * rank(kNN) + w * rank(words)}: a number in [0, 1] ordered like the win rate, not a
 * calibrated probability (calibrate the threshold on your own prompts).
 *
 * <p>The references should be scores of prompts that the part did not train on (cross-validated scores, as
 * {@code Learner.KNN_LEXICAL} fits them): in-sample scores of a regression are more spread out than on new prompts,
 * which would shrink the new prompts' ranks toward the middle.
 *
 * <p>{@link #score(float[])} has no text: it scores the words as the lexical model's intercept. Use
 * {@link #score(String, float[])}, as {@link EmbeddingPredictor} does.
 *
 * <p>Immutable and thread-safe.
 */
public final class LexicalNeighbors implements EmbeddingScorer {
  static final String KIND = "knn-lexical";
  static final String KNN_QUANTILES = "knn_quantiles";
  static final String LEXICAL_QUANTILES = "lexical_quantiles";
  static final String LEXICAL_IDF = "lexical_idf";
  static final String LEXICAL_WEIGHTS = "lexical_weights";
  static final String LEXICAL_INTERCEPT = "lexical_intercept";
  static final String LEXICAL_WEIGHT = "lexical_weight";

  private final NearestNeighbors neighbors;
  private final LexicalRidge lexical;
  private final float[] knnSorted;
  private final float[] lexicalSorted;
  private final double lexicalWeight;

  private LexicalNeighbors(NearestNeighbors neighbors, LexicalRidge lexical, float[] knnSorted, float[] lexicalSorted,
      double lexicalWeight) {
    this.neighbors = neighbors;
    this.lexical = lexical;
    this.knnSorted = knnSorted;
    this.lexicalSorted = lexicalSorted;
    this.lexicalWeight = lexicalWeight;
  }

  /**
   * Joins two fitted parts.
   *
   * @param neighbors the kNN part
   * @param lexical the lexical part
   * @param knnReference reference scores of the kNN part (ideally cross-validated), at least one
   * @param lexicalReference reference scores of the lexical part (ideally cross-validated), at least one
   * @param lexicalWeight {@code w}, in [0, 1]
   * @throws IllegalArgumentException when a reference is empty or holds a non-finite value, or {@code w} is outside
   *     [0, 1]
   */
  public static LexicalNeighbors of(NearestNeighbors neighbors, LexicalRidge lexical, double[] knnReference,
      double[] lexicalReference, double lexicalWeight) {
    Objects.requireNonNull(neighbors, "neighbors");
    Objects.requireNonNull(lexical, "lexical");
    if (!(lexicalWeight >= 0 && lexicalWeight <= 1)) {
      throw new IllegalArgumentException("lexicalWeight must be in [0, 1] but was " + lexicalWeight);
    }
    return new LexicalNeighbors(neighbors, lexical, Ranks.sortedReference(knnReference, "knnReference"),
        Ranks.sortedReference(lexicalReference, "lexicalReference"), lexicalWeight);
  }

  static LexicalNeighbors fromFile(RouterFile file) {
    NearestNeighbors knn = NearestNeighbors.fromFile(file);
    float[] knnSorted = Ranks.sortedReference(file, KNN_QUANTILES);
    float[] lexicalSorted = Ranks.sortedReference(file, LEXICAL_QUANTILES);
    float[] idf = file.tensor(LEXICAL_IDF, LexicalRidge.BUCKETS).values();
    float[] weights = file.tensor(LEXICAL_WEIGHTS, LexicalRidge.BUCKETS).values();
    double intercept = file.doubleParameter(LEXICAL_INTERCEPT);
    double w = file.doubleParameter(LEXICAL_WEIGHT);
    if (!(w >= 0 && w <= 1)) {
      throw InvalidFileException.ofResource(file.source(), "parameter '" + LEXICAL_WEIGHT + "' must be in [0, 1]"
          + " but was " + w, null);
    }
    if (!Double.isFinite(intercept)) {
      throw InvalidFileException.ofResource(file.source(), "parameter '" + LEXICAL_INTERCEPT + "' must be finite"
          + " but was " + intercept, null);
    }
    return new LexicalNeighbors(knn, new LexicalRidge(idf, weights, intercept), knnSorted, lexicalSorted, w);
  }

  /** The weight {@code w} of the lexical rank. */
  public double lexicalWeight() {
    return lexicalWeight;
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
    return blend(neighbors.score(embedding), lexical.intercept());
  }

  @Override
  public double score(String prompt, float[] embedding) {
    Objects.requireNonNull(prompt, "prompt");
    return blend(neighbors.score(embedding), lexical.score(prompt));
  }

  private double blend(double knnScore, double lexicalScore) {
    return (1 - lexicalWeight) * Ranks.of(knnSorted, (float) knnScore)
        + lexicalWeight * Ranks.of(lexicalSorted, (float) lexicalScore);
  }

  @Override
  public void exportTo(RouterFile.Builder file) {
    neighbors.exportTo(file);
    file.kind(KIND)
        .parameter(LEXICAL_WEIGHT, Double.toString(lexicalWeight))
        .parameter(LEXICAL_INTERCEPT, Double.toString(lexical.intercept()))
        .tensor(LEXICAL_IDF, Tensor.of(lexical.idf(), LexicalRidge.BUCKETS))
        .tensor(LEXICAL_WEIGHTS, Tensor.of(lexical.weights(), LexicalRidge.BUCKETS))
        .tensor(KNN_QUANTILES, Tensor.of(knnSorted, knnSorted.length))
        .tensor(LEXICAL_QUANTILES, Tensor.of(lexicalSorted, lexicalSorted.length));
  }

  @Override
  public String toString() {
    return "LexicalNeighbors{" + neighbors + ", lexicalWeight=" + lexicalWeight + "}";
  }
}
