package dev.routellm.prediction;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * k nearest neighbours over per-model outcomes: a model's predicted quality for a prompt is the similarity-weighted
 * mean of its outcomes on the {@code k} training prompts most similar (by cosine of their embeddings), pulled toward
 * the model's mean over all training prompts by a prior worth {@code priorWeight} neighbours:
 *
 * <pre>
 *   quality(m) = (sum_j w_j * y[j][m] + priorWeight * mean(y[.][m])) / (sum_j w_j + priorWeight)
 * </pre>
 *
 * with {@code w_j} the cosine similarity of neighbour {@code j} (negative ones count as zero). Outcomes are in [0, 1]
 * (1 right, 0 wrong, or a score scaled to that range); so are the predictions. The prior keeps a prompt whose few
 * neighbours all happen to be wrong for a strong model from being sent away from it.
 *
 * <p>Immutable and thread-safe. A prediction costs one dot product per training prompt plus {@code k} times the
 * number of models.
 */
public final class QualityNeighbors implements EmbeddingQualityScorer {
  /** Neighbours used unless told otherwise: {@value}, as {@link NearestNeighbors#DEFAULT_K}. */
  public static final int DEFAULT_K = NearestNeighbors.DEFAULT_K;
  /** Weight of the prior (each model's training mean), in neighbours' similarity units, unless told otherwise. */
  public static final double DEFAULT_PRIOR_WEIGHT = 2.0;

  static final String KIND = "quality-knn";
  static final String EMBEDDINGS = "embeddings";
  static final String OUTCOMES = "outcomes";
  static final String K = "k";
  static final String PRIOR_WEIGHT = "prior_weight";

  private final List<String> models;
  private final int dim;
  private final int k;
  private final double priorWeight;
  private final float[] rows; // unit-length, row-major [n, dim]
  private final NeighborVotes votes;

  private QualityNeighbors(List<String> models, int dim, int k, double priorWeight, float[] rows, float[] outcomes) {
    this.models = models;
    this.dim = dim;
    this.k = k;
    this.priorWeight = priorWeight;
    this.rows = rows;
    this.votes = new NeighborVotes(models.size(), outcomes, priorWeight);
  }

  /**
   * A scorer over these training embeddings and their outcomes.
   *
   * @param models the models, in the order of the outcome columns
   * @param embeddings one vector per training prompt, all of one length
   * @param outcomes one row per training prompt, one column per model, each in [0, 1]
   * @param k neighbours per query, {@code >= 1} (capped at the number of prompts)
   * @param priorWeight weight of each model's training mean, {@code >= 0}
   * @throws IllegalArgumentException when the inputs are empty or of different sizes, a model repeats, a vector is
   *     of another length or not finite, an outcome is outside [0, 1], {@code k < 1} or {@code priorWeight < 0}
   */
  public static QualityNeighbors fit(List<String> models, List<float[]> embeddings, double[][] outcomes, int k,
      double priorWeight) {
    List<String> pool = NeighborVotes.checkModels(models);
    Objects.requireNonNull(embeddings, "embeddings");
    float[] packedOutcomes = NeighborVotes.packOutcomes(outcomes, embeddings.size(), pool.size());
    NeighborVotes.checkParameters(k, priorWeight);
    int dim = Objects.requireNonNull(embeddings.get(0), "embedding 0").length;
    for (int i = 0; i < embeddings.size(); i++) {
      Vectors.checkDimension(embeddings.get(i), dim, "embedding " + i);
    }
    return new QualityNeighbors(pool, dim, Math.min(k, embeddings.size()), priorWeight,
        Vectors.packNormalized(embeddings, dim), packedOutcomes);
  }

  static QualityNeighbors fromFile(RouterFile file) {
    List<String> models = file.pool();
    int dim = file.dimension();
    Tensor e = file.tensor(EMBEDDINGS, -1, dim);
    Tensor o = file.tensor(OUTCOMES, e.dim(0), models.size());
    int k = file.intParameter(K);
    double prior = file.doubleParameter(PRIOR_WEIGHT);
    if (k < 1 || !(prior >= 0) || Double.isInfinite(prior) || e.dim(0) == 0) {
      throw InvalidFileException.ofResource(file.source(), "a " + KIND + " predictor needs k >= 1, a finite "
          + PRIOR_WEIGHT + " >= 0 and at least one training prompt but has k=" + k + ", " + PRIOR_WEIGHT + "="
          + prior + " and " + e.dim(0) + " prompts", null);
    }
    NeighborVotes.checkStoredOutcomes(file, OUTCOMES, o.values());
    return new QualityNeighbors(models, dim, Math.min(k, e.dim(0)), prior, e.values(), o.values());
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int dimension() {
    return dim;
  }

  @Override
  public List<String> models() {
    return models;
  }

  /** Neighbours per query. */
  public int k() {
    return k;
  }

  /** The weight of the prior. */
  public double priorWeight() {
    return priorWeight;
  }

  /** Number of training prompts. */
  public int size() {
    return rows.length / dim;
  }

  @Override
  public double[] predict(String prompt, float[] embedding) {
    Objects.requireNonNull(prompt, "prompt");
    return predict(embedding);
  }

  /** Each model's predicted quality for a prompt with this embedding (the prompt's text is not needed). */
  public double[] predict(float[] embedding) {
    Vectors.checkDimension(embedding, dim, "embedding");
    float[] sims = Vectors.similarities(Vectors.normalized(embedding), rows, dim);
    return votes.vote(sims, NearestNeighbors.topK(sims, k));
  }

  @Override
  public void exportTo(RouterFile.Builder file) {
    file.kind(KIND)
        .pool(models)
        .parameter(K, Integer.toString(k))
        .parameter(PRIOR_WEIGHT, Double.toString(priorWeight))
        .tensor(EMBEDDINGS, Tensor.of(rows, size(), dim))
        .tensor(OUTCOMES, Tensor.of(votes.outcomes(), size(), models.size()));
  }

  @Override
  public String toString() {
    return "QualityNeighbors{models=" + models.size() + ", k=" + k + ", priorWeight=" + priorWeight + ", prompts="
        + size() + ", dimension=" + dim + "}";
  }
}
