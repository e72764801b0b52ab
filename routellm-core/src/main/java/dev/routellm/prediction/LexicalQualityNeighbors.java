package dev.routellm.prediction;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * {@link QualityNeighbors} over the prompt's words instead of an embedding: each prompt is a TF-IDF vector of its word
 * unigrams and bigrams, hashed as {@link LexicalRidge} hashes them ({@value LexicalRidge#BUCKETS} buckets, binary term
 * counts, IDF over the training prompts, unit length), and the neighbours are the training prompts of highest cosine.
 * No embedding model: training and prediction are plain Java, and a prediction visits only the training prompts that
 * share a word with the query (an inverted index).
 *
 * <p>Immutable and thread-safe.
 */
public final class LexicalQualityNeighbors implements QualityPredictor {
  /** The id recorded as the "embedder" of its router files: the feature space, not a model. */
  public static final String FEATURES_ID = "tfidf-hashed-unigram-bigram/" + LexicalRidge.BUCKETS;

  static final String KIND = "quality-knn-lexical";
  static final String IDF = "idf";
  static final String ROW_LENGTHS = "row_lengths";
  static final String BUCKET_IDS = "buckets";
  static final String OUTCOMES = "outcomes";

  private final List<String> models;
  private final String name;
  private final int k;
  private final double priorWeight;
  private final float[] idf;
  private final int[] rowOffsets; // CSR by training prompt: [n + 1]
  private final int[] buckets;
  private final int[] postingOffsets; // CSR by bucket: [BUCKETS + 1]
  private final int[] postingRows;
  private final float[] postingValues;
  private final NeighborVotes votes;

  private LexicalQualityNeighbors(List<String> models, String name, int k, double priorWeight, float[] idf,
      int[] rowOffsets, int[] buckets, float[] outcomes) {
    this.models = models;
    this.name = name;
    this.k = k;
    this.priorWeight = priorWeight;
    this.idf = idf;
    this.rowOffsets = rowOffsets;
    this.buckets = buckets;
    this.votes = new NeighborVotes(models.size(), outcomes, priorWeight);
    int n = rowOffsets.length - 1;
    postingOffsets = new int[LexicalRidge.BUCKETS + 1];
    for (int b : buckets) {
      postingOffsets[b + 1]++;
    }
    for (int b = 0; b < LexicalRidge.BUCKETS; b++) {
      postingOffsets[b + 1] += postingOffsets[b];
    }
    postingRows = new int[buckets.length];
    postingValues = new float[buckets.length];
    int[] next = java.util.Arrays.copyOf(postingOffsets, LexicalRidge.BUCKETS);
    for (int j = 0; j < n; j++) {
      int[] row = java.util.Arrays.copyOfRange(buckets, rowOffsets[j], rowOffsets[j + 1]);
      float[] values = LexicalRidge.unitValues(row, idf);
      for (int t = 0; t < row.length; t++) {
        int at = next[row[t]]++;
        postingRows[at] = j;
        postingValues[at] = values[t];
      }
    }
  }

  /**
   * A predictor over these training prompts and their outcomes.
   *
   * @param models the models, in the order of the outcome columns
   * @param prompts the training prompts
   * @param outcomes one row per training prompt, one column per model, each in [0, 1]
   * @param k neighbours per query, {@code >= 1} (capped at the number of prompts)
   * @param priorWeight weight of each model's training mean, {@code >= 0}
   * @throws IllegalArgumentException as {@link QualityNeighbors#fit}
   */
  public static LexicalQualityNeighbors fit(List<String> models, List<String> prompts, double[][] outcomes, int k,
      double priorWeight) {
    List<String> pool = NeighborVotes.checkModels(models);
    Objects.requireNonNull(prompts, "prompts");
    float[] packed = NeighborVotes.packOutcomes(outcomes, prompts.size(), pool.size());
    NeighborVotes.checkParameters(k, priorWeight);
    int n = prompts.size();
    int[][] rows = new int[n][];
    int[] df = new int[LexicalRidge.BUCKETS];
    int nnz = 0;
    for (int j = 0; j < n; j++) {
      rows[j] = LexicalRidge.buckets(Objects.requireNonNull(prompts.get(j), "prompt " + j));
      for (int b : rows[j]) {
        df[b]++;
      }
      nnz += rows[j].length;
    }
    int[] offsets = new int[n + 1];
    int[] buckets = new int[nnz];
    for (int j = 0; j < n; j++) {
      System.arraycopy(rows[j], 0, buckets, offsets[j], rows[j].length);
      offsets[j + 1] = offsets[j] + rows[j].length;
    }
    return new LexicalQualityNeighbors(pool, KIND, Math.min(k, n), priorWeight, LexicalRidge.idf(df, n), offsets,
        buckets, packed);
  }

  static LexicalQualityNeighbors fromFile(RouterFile file) {
    List<String> models = file.pool();
    float[] idf = file.tensor(IDF, LexicalRidge.BUCKETS).values();
    float[] lengths = file.tensor(ROW_LENGTHS, -1).values();
    float[] bucketValues = file.tensor(BUCKET_IDS, -1).values();
    int n = lengths.length;
    Tensor o = file.tensor(OUTCOMES, Math.max(n, 0), models.size());
    int k = file.intParameter(QualityNeighbors.K);
    double prior = file.doubleParameter(QualityNeighbors.PRIOR_WEIGHT);
    if (n < 1 || k < 1 || !(prior >= 0) || Double.isInfinite(prior)) {
      throw InvalidFileException.ofResource(file.source(), "a " + KIND + " predictor needs k >= 1, a finite "
          + QualityNeighbors.PRIOR_WEIGHT + " >= 0 and at least one training prompt but has k=" + k + ", "
          + QualityNeighbors.PRIOR_WEIGHT + "=" + prior + " and " + n + " prompts", null);
    }
    int[] offsets = new int[n + 1];
    for (int j = 0; j < n; j++) {
      long end = (long) offsets[j] + (long) lengths[j];
      if ((int) lengths[j] != lengths[j] || lengths[j] < 0 || end > bucketValues.length) {
        throw InvalidFileException.ofResource(file.source(), "tensor '" + ROW_LENGTHS + "' entry " + j + " ("
            + lengths[j] + ") is not a valid count of the " + bucketValues.length + " buckets", null);
      }
      offsets[j + 1] = (int) end;
    }
    if (offsets[n] != bucketValues.length) {
      throw InvalidFileException.ofResource(file.source(), "tensor '" + ROW_LENGTHS + "' counts " + offsets[n]
          + " buckets but tensor '" + BUCKET_IDS + "' has " + bucketValues.length, null);
    }
    int[] buckets = new int[bucketValues.length];
    for (int t = 0; t < buckets.length; t++) {
      buckets[t] = (int) bucketValues[t];
      if (buckets[t] != bucketValues[t] || buckets[t] < 0 || buckets[t] >= LexicalRidge.BUCKETS) {
        throw InvalidFileException.ofResource(file.source(), "tensor '" + BUCKET_IDS + "' entry " + t + " must be a"
            + " bucket in [0, " + LexicalRidge.BUCKETS + ") but was " + bucketValues[t], null);
      }
    }
    NeighborVotes.checkStoredOutcomes(file, OUTCOMES, o.values());
    return new LexicalQualityNeighbors(models, file.name(), Math.min(k, n), prior, idf, offsets, buckets,
        o.values());
  }

  /**
   * The same predictor under another display name.
   *
   * @throws IllegalArgumentException when {@code name} is blank
   */
  public LexicalQualityNeighbors named(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    return new LexicalQualityNeighbors(models, name, k, priorWeight, idf, rowOffsets, buckets, votes.outcomes());
  }

  @Override
  public String name() {
    return name;
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
    return rowOffsets.length - 1;
  }

  @Override
  public double[] predict(String prompt) {
    int[] row = LexicalRidge.buckets(Objects.requireNonNull(prompt, "prompt"));
    float[] values = LexicalRidge.unitValues(row, idf);
    float[] sims = new float[size()];
    for (int t = 0; t < row.length; t++) {
      int b = row[t];
      float v = values[t];
      for (int p = postingOffsets[b]; p < postingOffsets[b + 1]; p++) {
        sims[postingRows[p]] += v * postingValues[p];
      }
    }
    return votes.vote(sims, NearestNeighbors.topK(sims, k));
  }

  /** The router file's content. */
  public RouterFile toRouterFile() {
    float[] lengths = new float[size()];
    for (int j = 0; j < lengths.length; j++) {
      lengths[j] = rowOffsets[j + 1] - rowOffsets[j];
    }
    float[] ids = new float[buckets.length];
    for (int t = 0; t < ids.length; t++) {
      ids[t] = buckets[t];
    }
    RouterFile.Builder b = RouterFile.builder()
        .kind(KIND)
        .embedder(FEATURES_ID, LexicalRidge.BUCKETS)
        .pool(models)
        .parameter(QualityNeighbors.K, Integer.toString(k))
        .parameter(QualityNeighbors.PRIOR_WEIGHT, Double.toString(priorWeight))
        .tensor(IDF, Tensor.of(idf, idf.length))
        .tensor(ROW_LENGTHS, Tensor.of(lengths, lengths.length))
        .tensor(BUCKET_IDS, Tensor.of(ids, ids.length))
        .tensor(OUTCOMES, Tensor.of(votes.outcomes(), size(), models.size()));
    if (!name.equals(KIND)) {
      b.name(name);
    }
    return b.build();
  }

  /** Saves the router file; {@link QualityPredictors#load(Path)} reads it back. */
  public void save(Path file) {
    toRouterFile().write(Objects.requireNonNull(file, "file"));
  }

  @Override
  public String toString() {
    return "LexicalQualityNeighbors{models=" + models.size() + ", k=" + k + ", priorWeight=" + priorWeight
        + ", prompts=" + size() + "}";
  }
}
