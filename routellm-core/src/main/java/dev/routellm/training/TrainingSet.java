package dev.routellm.training;

import dev.routellm.prediction.Battle;
import dev.routellm.prediction.NearestNeighbors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Per-question outcomes of two models on embedded training prompts: what the learners of {@link Learner} train on.
 * Each prompt has an embedding, the strong and the weak model's quality on it (correctness 0/1 or a judge's score)
 * and, optionally, a group (an MMLU subject, a product area) that only training uses: a trained router never needs
 * the group of the prompt it scores.
 *
 * <p>Immutable and thread-safe (the embeddings are shared, not copied: callers must not change them).
 */
public final class TrainingSet {
  private final List<String> prompts;
  private final List<float[]> embeddings;
  private final double[] strong;
  private final double[] weak;
  private final List<String> groups;
  private final String strongModel;
  private final String weakModel;

  private TrainingSet(List<String> prompts, List<float[]> embeddings, double[] strong, double[] weak,
      List<String> groups, String strongModel, String weakModel) {
    this.prompts = prompts;
    this.embeddings = embeddings;
    this.strong = strong;
    this.weak = weak;
    this.groups = groups;
    this.strongModel = strongModel;
    this.weakModel = weakModel;
  }

  /**
   * A training set.
   *
   * @param prompts the prompts' texts, for learners that read them ({@link Learner#KNN_LENGTH})
   * @param embeddings one vector per prompt, all of one length
   * @param strongScores the strong model's quality per prompt
   * @param weakScores the weak model's quality per prompt
   * @param groups each prompt's group, or {@code null} entries (or a null list) where there is none
   * @throws IllegalArgumentException when sizes differ, the set is empty, a score is not finite, or the models are
   *     equal
   */
  public static TrainingSet of(List<String> prompts, List<float[]> embeddings, double[] strongScores,
      double[] weakScores, List<String> groups, String strongModel, String weakModel) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(strongScores, "strongScores");
    Objects.requireNonNull(weakScores, "weakScores");
    Objects.requireNonNull(strongModel, "strongModel");
    Objects.requireNonNull(weakModel, "weakModel");
    int n = embeddings.size();
    if (n == 0) {
      throw new IllegalArgumentException("a training set needs at least one prompt");
    }
    if (prompts.size() != n || strongScores.length != n || weakScores.length != n
        || (groups != null && groups.size() != n)) {
      throw new IllegalArgumentException("need one prompt, strong score, weak score and group per embedding (" + n
          + ") but got " + prompts.size() + ", " + strongScores.length + ", " + weakScores.length + " and "
          + (groups == null ? "no" : groups.size()) + " groups");
    }
    if (strongModel.equals(weakModel)) {
      throw new IllegalArgumentException("strong and weak model must differ but both were '" + strongModel + "'");
    }
    int dim = Objects.requireNonNull(embeddings.get(0), "embedding 0").length;
    for (int i = 0; i < n; i++) {
      float[] e = Objects.requireNonNull(embeddings.get(i), "embedding " + i);
      if (e.length != dim) {
        throw new IllegalArgumentException("embedding " + i + " has dimension " + e.length + " but embedding 0 has "
            + dim);
      }
      if (!Double.isFinite(strongScores[i]) || !Double.isFinite(weakScores[i])) {
        throw new IllegalArgumentException("scores of prompt " + i + " must be finite but were " + strongScores[i]
            + " and " + weakScores[i]);
      }
    }
    List<String> g = groups == null ? Collections.nCopies(n, null) : Collections.unmodifiableList(
        new ArrayList<>(groups));
    return new TrainingSet(List.copyOf(prompts), List.copyOf(embeddings), strongScores.clone(), weakScores.clone(),
        g, strongModel, weakModel);
  }

  public int size() {
    return embeddings.size();
  }

  public int dimension() {
    return embeddings.get(0).length;
  }

  /** The prompts' texts (unmodifiable). */
  public List<String> prompts() {
    return prompts;
  }

  public List<float[]> embeddings() {
    return embeddings;
  }

  public String strongModel() {
    return strongModel;
  }

  public String weakModel() {
    return weakModel;
  }

  /** Each prompt's group, {@code null} where it has none (unmodifiable). */
  public List<String> groups() {
    return groups;
  }

  /** What the strong model gains over the weak one on prompt {@code i}. */
  public double gain(int i) {
    return strong[i] - weak[i];
  }

  /**
   * Each prompt's strong win rate implied by its outcomes: {@code (1 + gain / R) / 2} with {@code R} the largest
   * absolute gain in the set (1 when every gain is 0). For 0/1 correctness this is exactly P(strong better) plus half
   * P(tie); for judge scores it is an affine map of the gain, which is all a similarity-weighted mean needs.
   */
  public double[] winRates() {
    double range = 0;
    for (int i = 0; i < size(); i++) {
      range = Math.max(range, Math.abs(gain(i)));
    }
    double r = range > 0 ? range : 1;
    double[] out = new double[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (1 + gain(i) / r) / 2;
    }
    return out;
  }

  /**
   * Win rates pulled toward their group's mean: {@code (1 - w) * own + w * mean of the group}, where the mean is over
   * this set. Prompts without a group keep their own value. A neighbour's group then speaks for the topic of the
   * query, which the query itself never has to name.
   *
   * @param groupWeight {@code w}, in [0, 1]
   */
  public double[] winRatesTowardGroups(double groupWeight) {
    if (!(groupWeight >= 0 && groupWeight <= 1)) {
      throw new IllegalArgumentException("groupWeight must be in [0, 1] but was " + groupWeight);
    }
    double[] own = winRates();
    Map<String, Double> means = groupWinRates();
    double[] out = own.clone();
    for (int i = 0; i < out.length; i++) {
      Double mean = groups.get(i) == null ? null : means.get(groups.get(i));
      if (mean != null) {
        out[i] = (1 - groupWeight) * own[i] + groupWeight * mean;
      }
    }
    return out;
  }

  /** Each group's mean win rate ({@link #winRates()}), in order of first appearance; prompts without group skipped. */
  public Map<String, Double> groupWinRates() {
    double[] own = winRates();
    Map<String, double[]> sums = new java.util.LinkedHashMap<>();
    for (int i = 0; i < own.length; i++) {
      if (groups.get(i) != null) {
        double[] s = sums.computeIfAbsent(groups.get(i), k -> new double[2]);
        s[0] += own[i];
        s[1]++;
      }
    }
    Map<String, Double> means = new java.util.LinkedHashMap<>();
    sums.forEach((g, s) -> means.put(g, s[0] / s[1]));
    return means;
  }

  /**
   * A kNN scorer over one point per group: the mean of the group's unit embeddings, with the group's mean win rate.
   *
   * @throws IllegalArgumentException when a prompt has no group
   */
  public NearestNeighbors groupCentroids(int k) {
    Map<String, double[]> sums = new java.util.LinkedHashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < size(); i++) {
      String g = groups.get(i);
      if (g == null) {
        throw new IllegalArgumentException("prompt " + i + " has no group; topic centroids need a group per prompt");
      }
      double[] sum = sums.computeIfAbsent(g, key -> new double[dimension()]);
      counts.merge(g, 1, Integer::sum);
      float[] e = embeddings.get(i);
      double norm = 0;
      for (float x : e) {
        norm += (double) x * x;
      }
      double inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (int d = 0; d < e.length; d++) {
        sum[d] += e[d] * inv;
      }
    }
    Map<String, Double> rates = groupWinRates();
    List<float[]> centroids = new ArrayList<>();
    double[] targets = new double[sums.size()];
    int c = 0;
    for (Map.Entry<String, double[]> entry : sums.entrySet()) {
      float[] v = new float[dimension()];
      for (int d = 0; d < v.length; d++) {
        v[d] = (float) (entry.getValue()[d] / counts.get(entry.getKey()));
      }
      centroids.add(v);
      targets[c++] = rates.get(entry.getKey());
    }
    return NearestNeighbors.fit(centroids, targets, k);
  }

  /** The prompts at these indices, in this order: a training set of its own (group means are then over it). */
  TrainingSet subset(int[] indices) {
    List<String> p = new ArrayList<>(indices.length);
    List<float[]> e = new ArrayList<>(indices.length);
    List<String> g = new ArrayList<>(indices.length);
    double[] s = new double[indices.length];
    double[] w = new double[indices.length];
    for (int k = 0; k < indices.length; k++) {
      int i = indices[k];
      p.add(prompts.get(i));
      e.add(embeddings.get(i));
      g.add(groups.get(i));
      s[k] = strong[i];
      w[k] = weak[i];
    }
    return of(p, e, s, w, g, strongModel, weakModel);
  }

  /** The battle each prompt implies: the better model wins, equal quality ties. */
  public List<Battle> battles() {
    List<Battle> out = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      out.add(Battle.fromOutcome(i, strongModel, weakModel, strong[i], weak[i]));
    }
    return out;
  }

  @Override
  public String toString() {
    return "TrainingSet{" + size() + " prompts, dimension " + dimension() + ", " + strongModel + " vs " + weakModel
        + ", groups " + (groups.stream().allMatch(Objects::isNull) ? "none" : "yes") + "}";
  }
}
