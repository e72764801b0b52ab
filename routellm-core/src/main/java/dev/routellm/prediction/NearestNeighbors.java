package dev.routellm.prediction;

import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * k-nearest-neighbour scorer over embeddings: the similarity-weighted mean of the targets of the {@code k} training
 * prompts most similar (by cosine) to the query. Weights are the cosine similarities (negative ones count as zero;
 * when none is positive, the neighbours count equally).
 *
 * <p>Targets are strong win rates in [0, 1]. From per-question outcomes the natural target is {@code (1 + gain) / 2}
 * with {@code gain = quality(strong) - quality(weak)}: exactly the probability that the strong answer is better, ties
 * counted half. Predicting the gain beats predicting "the weak model is wrong" (see {@code REFERENCE.md} §6).
 * Targets may be smoothed toward a group mean before fitting (for example the mean of the prompt's topic in the
 * training data): the query never needs the group, its neighbours carry it.
 *
 * <p>Immutable and thread-safe. Scoring costs one dot product per training prompt.
 */
public final class NearestNeighbors implements EmbeddingScorer {
  /** Neighbours used unless told otherwise. */
  public static final int DEFAULT_K = 100;

  static final String KIND = "knn";
  static final String EMBEDDINGS = "embeddings";
  static final String TARGETS = "targets";
  static final String K = "k";

  private final int dim;
  private final int k;
  private final float[] rows; // unit-length, row-major [n, dim]
  private final float[] targets;

  private NearestNeighbors(int dim, int k, float[] rows, float[] targets) {
    this.dim = dim;
    this.k = k;
    this.rows = rows;
    this.targets = targets;
  }

  /**
   * A scorer over these training embeddings and their targets.
   *
   * @param embeddings one vector per training prompt, all of one length
   * @param targets the strong win rate of each prompt, in [0, 1]
   * @param k neighbours per query, {@code >= 1} (capped at the number of prompts)
   * @throws IllegalArgumentException when the inputs are empty, of different sizes, of mixed lengths, or a target is
   *     outside [0, 1]
   */
  public static NearestNeighbors fit(List<float[]> embeddings, double[] targets, int k) {
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(targets, "targets");
    if (embeddings.isEmpty() || embeddings.size() != targets.length) {
      throw new IllegalArgumentException("need one target per embedding and at least one of each, but got "
          + embeddings.size() + " embeddings and " + targets.length + " targets");
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1 but was " + k);
    }
    int dim = Objects.requireNonNull(embeddings.get(0), "embedding 0").length;
    float[] t = new float[targets.length];
    for (int i = 0; i < t.length; i++) {
      if (!(targets[i] >= 0 && targets[i] <= 1)) {
        throw new IllegalArgumentException("target " + i + " must be in [0, 1] but was " + targets[i]);
      }
      t[i] = (float) targets[i];
    }
    return new NearestNeighbors(dim, Math.min(k, t.length), Vectors.packNormalized(embeddings, dim), t);
  }

  static NearestNeighbors fromFile(RouterFile file) {
    int dim = file.dimension();
    Tensor e = file.tensor(EMBEDDINGS, -1, dim);
    Tensor t = file.tensor(TARGETS, e.dim(0));
    int k = file.intParameter(K);
    if (k < 1 || e.dim(0) == 0) {
      throw dev.routellm.InvalidFileException.ofResource(file.source(), "a knn router needs k >= 1 and at least one"
          + " training prompt but has k=" + k + " and " + e.dim(0) + " prompts", null);
    }
    float[] targets = t.values();
    for (int i = 0; i < targets.length; i++) {
      if (!(targets[i] >= 0 && targets[i] <= 1)) {
        throw dev.routellm.InvalidFileException.ofResource(file.source(), "tensor '" + TARGETS + "' entry " + i
            + " must be a win rate in [0, 1] but was " + targets[i], null);
      }
    }
    return new NearestNeighbors(dim, Math.min(k, e.dim(0)), e.values(), targets);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int dimension() {
    return dim;
  }

  /** Neighbours per query. */
  public int k() {
    return k;
  }

  /** Number of training prompts. */
  public int size() {
    return targets.length;
  }

  @Override
  public double score(float[] embedding) {
    Vectors.checkDimension(embedding, dim, "embedding");
    float[] sims = Vectors.similarities(Vectors.normalized(embedding), rows, dim);
    int[] top = topK(sims, k);
    double weighted = 0;
    double weights = 0;
    double plain = 0;
    for (int i : top) {
      double w = Math.max(sims[i], 0);
      weighted += w * targets[i];
      weights += w;
      plain += targets[i];
    }
    double s = weights > 0 ? weighted / weights : plain / top.length;
    return Math.min(1, Math.max(0, s));
  }

  /** Indices of the {@code k} largest values (any order); ties broken by the lower index. */
  static int[] topK(float[] values, int k) {
    // A binary min-heap of the k best so far: O(n log k), no boxing.
    int[] heap = new int[k];
    int size = 0;
    for (int i = 0; i < values.length; i++) {
      if (size < k) {
        heap[size] = i;
        siftUp(heap, size++, values);
      } else if (values[i] > values[heap[0]]) {
        heap[0] = i;
        siftDown(heap, size, values);
      }
    }
    return heap;
  }

  private static boolean less(float[] v, int a, int b) {
    return v[a] < v[b] || (v[a] == v[b] && a > b);
  }

  private static void siftUp(int[] heap, int at, float[] v) {
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      if (!less(v, heap[at], heap[parent])) {
        return;
      }
      int t = heap[at];
      heap[at] = heap[parent];
      heap[parent] = t;
      at = parent;
    }
  }

  private static void siftDown(int[] heap, int size, float[] v) {
    int at = 0;
    while (true) {
      int l = 2 * at + 1;
      if (l >= size) {
        return;
      }
      int c = l + 1 < size && less(v, heap[l + 1], heap[l]) ? l + 1 : l;
      if (!less(v, heap[c], heap[at])) {
        return;
      }
      int t = heap[at];
      heap[at] = heap[c];
      heap[c] = t;
      at = c;
    }
  }

  @Override
  public void exportTo(RouterFile.Builder file) {
    file.kind(KIND)
        .parameter(K, Integer.toString(k))
        .tensor(EMBEDDINGS, Tensor.of(rows, targets.length, dim))
        .tensor(TARGETS, Tensor.of(targets, targets.length));
  }

  @Override
  public String toString() {
    return "NearestNeighbors{k=" + k + ", prompts=" + targets.length + ", dimension=" + dim + "}";
  }
}
