package dev.routellm.prediction;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import dev.routellm.internal.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * RouteLLM's similarity-weighted (SW) ranking router. For each query it weights every training battle by the cosine
 * similarity {@code c} of the battle's prompt to the query, {@code w = 10^(1 + c / max c)} (gamma 10), fits a weighted
 * Bradley-Terry model over tiers of models and returns {@code s = 1 - 1 / (1 + 10^((R_strong - R_weak) / 400))}.
 *
 * <p>Semantics follow RouteLLM: each battle counts twice (a win is two wins, a tie one win each way), ratings are
 * {@code 400 * coef + 1000} of an unpenalised logistic regression without intercept, and models are grouped into
 * {@link #DEFAULT_TIERS} tiers of similar global (unweighted) rating by a dynamic programme minimising the sum of the
 * tiers' variances. One deliberate difference: RouteLLM's design matrix gives a battle between two models of the same
 * tier a row that mentions only one side (its {@code -ln 10} overwrites the {@code +ln 10}), which biases that tier by
 * chance; such a battle says nothing about the tiers' difference and is left out here.
 *
 * <p>Speed: RouteLLM refits a regression over every battle row per request. The weighted likelihood depends on the
 * battles only through the weighted wins of each tier over each other tier, so this implementation sums the weights
 * into a tiers-by-tiers table (one pass, after the similarities) and solves the small model by Newton's method,
 * warm-started at the global ratings. The result is the same fit.
 *
 * <p>Immutable and thread-safe.
 */
public final class SimilarityWeightedRanking implements EmbeddingScorer {
  /** RouteLLM's number of tiers. */
  public static final int DEFAULT_TIERS = 10;

  static final String KIND = "sw";
  static final String EMBEDDINGS = "embeddings";
  static final String ENTRY_PROMPT = "entry_prompt";
  static final String ENTRY_CELL = "entry_cell";
  static final String ENTRY_AMOUNT = "entry_amount";
  static final String WARM_START = "warm_start";
  static final String TIERS = "tiers";
  static final String STRONG_TIER = "strong_tier";
  static final String WEAK_TIER = "weak_tier";

  private static final double LN10 = Math.log(10);
  private static final int MAX_NEWTON_STEPS = 100;
  /** Bound on the tiers a router file may declare, so that {@code tiers * tiers} cells cannot overflow. */
  private static final int MAX_TIERS_IN_FILE = 1 << 12;
  private static final double CONVERGED = 1e-10;

  private final int dim;
  private final int tiers;
  private final int strongTier;
  private final int weakTier;
  private final float[] prompts; // unit rows [n, dim]
  private final int[] entryPrompt;
  private final int[] entryCell; // winnerTier * tiers + loserTier
  private final float[] entryAmount;
  private final double[] warmStart;

  private SimilarityWeightedRanking(int dim, int tiers, int strongTier, int weakTier, float[] prompts,
      int[] entryPrompt, int[] entryCell, float[] entryAmount, double[] warmStart) {
    this.dim = dim;
    this.tiers = tiers;
    this.strongTier = strongTier;
    this.weakTier = weakTier;
    this.prompts = prompts;
    this.entryPrompt = entryPrompt;
    this.entryCell = entryCell;
    this.entryAmount = entryAmount;
    this.warmStart = warmStart;
  }

  /** {@link #fit(List, List, String, String, int)} with {@link #DEFAULT_TIERS} tiers. */
  public static SimilarityWeightedRanking fit(List<float[]> promptEmbeddings, List<Battle> battles,
      String strongModel, String weakModel) {
    return fit(promptEmbeddings, battles, strongModel, weakModel, DEFAULT_TIERS);
  }

  /**
   * A scorer over these battles.
   *
   * @param promptEmbeddings the embedding of each prompt that battles refer to by index
   * @param battles the training battles
   * @param numTiers at most this many tiers (fewer when there are fewer models)
   * @throws IllegalArgumentException when a battle refers to a missing prompt, a model of the pair never battles, or
   *     the two models fall in the same tier (the router would always say 0.5)
   */
  public static SimilarityWeightedRanking fit(List<float[]> promptEmbeddings, List<Battle> battles,
      String strongModel, String weakModel, int numTiers) {
    Objects.requireNonNull(promptEmbeddings, "promptEmbeddings");
    Objects.requireNonNull(battles, "battles");
    Objects.requireNonNull(strongModel, "strongModel");
    Objects.requireNonNull(weakModel, "weakModel");
    if (numTiers < 2) {
      throw new IllegalArgumentException("numTiers must be >= 2 but was " + numTiers);
    }
    if (promptEmbeddings.isEmpty()) {
      throw new IllegalArgumentException("need at least one prompt embedding");
    }
    int dim = promptEmbeddings.get(0).length;
    TreeSet<String> names = new TreeSet<>();
    for (Battle b : battles) {
      Objects.checkIndex(b.prompt(), promptEmbeddings.size());
      names.add(b.modelA());
      names.add(b.modelB());
    }
    List<String> models = new ArrayList<>(names);
    for (String m : List.of(strongModel, weakModel)) {
      if (!names.contains(m)) {
        throw new IllegalArgumentException("model '" + m + "' appears in no battle; models in the battles: " + models);
      }
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < models.size(); i++) {
      index.put(models.get(i), i);
    }
    int[] modelTier = tiersOf(globalRatings(battles, index, models.size()), numTiers);
    int t = Arrays.stream(modelTier).max().orElse(0) + 1;
    int strongTier = modelTier[index.get(strongModel)];
    int weakTier = modelTier[index.get(weakModel)];
    if (strongTier == weakTier) {
      throw new IllegalArgumentException("'" + strongModel + "' and '" + weakModel + "' fall in the same tier of "
          + t + ", so every score would be 0.5; use more tiers or battles that separate them");
    }
    // Keep the prompts that battles use, and turn battles into (prompt, cell, amount) entries.
    Map<Integer, Integer> promptIndex = new LinkedHashMap<>();
    List<int[]> cells = new ArrayList<>();
    List<Float> amounts = new ArrayList<>();
    for (Battle b : battles) {
      // Every battle's prompt is kept: RouteLLM normalises similarities by the maximum over all of them.
      int p = promptIndex.computeIfAbsent(b.prompt(), k -> promptIndex.size());
      int ta = modelTier[index.get(b.modelA())];
      int tb = modelTier[index.get(b.modelB())];
      if (ta == tb) {
        continue;
      }
      switch (b.winner()) {
        case MODEL_A -> add(cells, amounts, p, ta * t + tb, 2);
        case MODEL_B -> add(cells, amounts, p, tb * t + ta, 2);
        case TIE -> {
          add(cells, amounts, p, ta * t + tb, 1);
          add(cells, amounts, p, tb * t + ta, 1);
        }
      }
    }
    if (cells.isEmpty()) {
      throw new IllegalArgumentException("no battle between models of different tiers");
    }
    List<float[]> used = new ArrayList<>(promptIndex.size());
    for (int p : promptIndex.keySet()) {
      used.add(promptEmbeddings.get(p));
    }
    float[] rows = Vectors.packNormalized(used, dim);
    int[] entryPrompt = cells.stream().mapToInt(c -> c[0]).toArray();
    int[] entryCell = cells.stream().mapToInt(c -> c[1]).toArray();
    float[] entryAmount = new float[amounts.size()];
    for (int i = 0; i < entryAmount.length; i++) {
      entryAmount[i] = amounts.get(i);
    }
    double[] wins = new double[t * t];
    for (int i = 0; i < entryCell.length; i++) {
      wins[entryCell[i]] += entryAmount[i];
    }
    double[] warm = bradleyTerry(wins, t, new double[t]);
    return new SimilarityWeightedRanking(dim, t, strongTier, weakTier, rows, entryPrompt, entryCell, entryAmount,
        warm);
  }

  private static void add(List<int[]> cells, List<Float> amounts, int prompt, int cell, float amount) {
    cells.add(new int[] {prompt, cell});
    amounts.add(amount);
  }

  /** Unweighted Bradley-Terry ratings (in log10 units) of every model over all battles. */
  private static double[] globalRatings(List<Battle> battles, Map<String, Integer> index, int m) {
    double[] wins = new double[m * m];
    for (Battle b : battles) {
      int a = index.get(b.modelA());
      int c = index.get(b.modelB());
      switch (b.winner()) {
        case MODEL_A -> wins[a * m + c] += 2;
        case MODEL_B -> wins[c * m + a] += 2;
        case TIE -> {
          wins[a * m + c] += 1;
          wins[c * m + a] += 1;
        }
      }
    }
    return bradleyTerry(wins, m, new double[m]);
  }

  /**
   * Maximum-likelihood Bradley-Terry coefficients {@code beta} (log10 units: P(a beats b) = 1 / (1 +
   * 10^(beta_b - beta_a))) for a table {@code wins[a * m + b]} of (weighted) wins of a over b, by Newton's method from
   * {@code start}. Coefficients are determined up to a common shift; the first stays at its start value. A ridge of
   * 1e-9 times the total weight keeps the system solvable when a player never wins or never loses.
   */
  static double[] bradleyTerry(double[] wins, int m, double[] start) {
    double[] beta = start.clone();
    double total = 0;
    for (double w : wins) {
      total += w;
    }
    double ridge = 1e-9 * Math.max(total, 1);
    int n = m - 1;
    DenseMatrix h = new DenseMatrix(n, n);
    DenseMatrix g = new DenseMatrix(n, 1);
    for (int iter = 0; iter < MAX_NEWTON_STEPS; iter++) {
      h.zero();
      g.zero();
      for (int a = 0; a < m; a++) {
        for (int b = 0; b < m; b++) {
          double w = wins[a * m + b];
          if (w == 0 || a == b) {
            continue;
          }
          double p = Vectors.sigmoid(LN10 * (beta[a] - beta[b]));
          double grad = w * LN10 * (1 - p);
          double curv = w * LN10 * LN10 * p * (1 - p);
          if (a > 0) {
            g.data[a - 1] += grad;
            h.data[(a - 1) * n + a - 1] += curv;
          }
          if (b > 0) {
            g.data[b - 1] -= grad;
            h.data[(b - 1) * n + b - 1] += curv;
          }
          if (a > 0 && b > 0) {
            h.data[(a - 1) * n + b - 1] -= curv;
            h.data[(b - 1) * n + a - 1] -= curv;
          }
        }
      }
      for (int i = 0; i < n; i++) {
        g.data[i] -= ridge * (beta[i + 1] - start[i + 1]);
        h.data[i * n + i] += ridge;
      }
      // h is the negated Hessian (positive definite): beta += h^-1 g.
      DenseMatrix step = DenseMatrix.solve(h, g);
      if (step == null) {
        break;
      }
      double largest = 0;
      for (int i = 0; i < n; i++) {
        beta[i + 1] += step.data[i];
        largest = Math.max(largest, Math.abs(step.data[i]));
      }
      if (largest < CONVERGED) {
        break;
      }
    }
    return beta;
  }

  /**
   * RouteLLM's tiers: models sorted by rating (highest first) are cut into at most {@code numTiers} contiguous groups
   * minimising the sum of the groups' (population) variances; ties in the programme go to the earliest cut, as in
   * RouteLLM. Returns the tier of each model, tier 0 holding the highest ratings.
   */
  static int[] tiersOf(double[] ratings, int numTiers) {
    int n = ratings.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -ratings[i]));
    double[] sorted = new double[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = ratings[order[i]];
    }
    int[] tierOfSorted = tiersOfSorted(sorted, Math.min(numTiers, n));
    int[] tier = new int[n];
    for (int i = 0; i < n; i++) {
      tier[order[i]] = tierOfSorted[i];
    }
    return tier;
  }

  /**
   * The programme on descending ratings, as RouteLLM writes it: {@code best[j][k]} is the least cost of [0..j] with
   * {@code k} cuts, where a one-model prefix costs nothing at any {@code k} (so fewer groups are allowed), and the
   * earliest cut wins ties. Groups are numbered from 0 in order; empty ones are skipped.
   */
  static int[] tiersOfSorted(double[] sorted, int groups) {
    int n = sorted.length;
    double[][] best = new double[n][groups];
    int[][] cut = new int[n][groups];
    for (int j = 0; j < n; j++) {
      best[j][0] = variance(sorted, 0, j);
    }
    for (int k = 1; k < groups; k++) {
      for (int j = 1; j < n; j++) {
        best[j][k] = Double.POSITIVE_INFINITY;
        for (int l = 0; l < j; l++) {
          double c = best[l][k - 1] + variance(sorted, l + 1, j);
          if (c < best[j][k]) {
            best[j][k] = c;
            cut[j][k] = l;
          }
        }
      }
    }
    int[] ends = new int[groups];
    ends[groups - 1] = n - 1;
    int end = n - 1;
    for (int k = groups - 1; k >= 1; k--) {
      end = cut[end][k];
      ends[k - 1] = end;
    }
    int[] tier = new int[n];
    int from = 0;
    int label = 0;
    for (int e : ends) {
      if (e < from) {
        continue;
      }
      for (int i = from; i <= e; i++) {
        tier[i] = label;
      }
      label++;
      from = e + 1;
    }
    return tier;
  }

  private static double variance(double[] v, int from, int to) {
    double mean = 0;
    for (int i = from; i <= to; i++) {
      mean += v[i];
    }
    mean /= to - from + 1;
    double s = 0;
    for (int i = from; i <= to; i++) {
      s += (v[i] - mean) * (v[i] - mean);
    }
    return s / (to - from + 1);
  }

  static SimilarityWeightedRanking fromFile(RouterFile file) {
    int dim = file.dimension();
    float[] rows = file.tensor(EMBEDDINGS, -1, dim).values();
    int n = rows.length / dim;
    float[] prompt = file.tensor(ENTRY_PROMPT, -1).values();
    float[] cell = file.tensor(ENTRY_CELL, prompt.length).values();
    float[] amount = file.tensor(ENTRY_AMOUNT, prompt.length).values();
    for (int i = 0; i < amount.length; i++) {
      if (!(amount[i] >= 0)) {
        throw InvalidFileException.ofResource(file.source(), "tensor '" + ENTRY_AMOUNT + "' entry " + i
            + " must be a win count >= 0 but was " + amount[i], null);
      }
    }
    int t = file.intParameter(TIERS);
    int strong = file.intParameter(STRONG_TIER);
    int weak = file.intParameter(WEAK_TIER);
    if (t < 2 || t > MAX_TIERS_IN_FILE) {
      throw InvalidFileException.ofResource(file.source(), "parameter '" + TIERS + "' must be in [2, "
          + MAX_TIERS_IN_FILE + "] but was " + t, null);
    }
    if (strong < 0 || strong >= t || weak < 0 || weak >= t || strong == weak) {
      throw InvalidFileException.ofResource(file.source(), "strong and weak tiers must be distinct and in [0, " + t
          + ") but were " + strong + " and " + weak, null);
    }
    float[] warm = file.tensor(WARM_START, t).values();
    int[] p = toIndices(file, ENTRY_PROMPT, prompt, n);
    int[] c = toIndices(file, ENTRY_CELL, cell, t * t);
    double[] w = new double[t];
    for (int i = 0; i < t; i++) {
      w[i] = warm[i];
    }
    return new SimilarityWeightedRanking(dim, t, strong, weak, rows, p, c, amount, w);
  }

  private static int[] toIndices(RouterFile file, String name, float[] values, int bound) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (v != Math.rint(v) || v < 0 || v >= bound) {
        throw InvalidFileException.ofResource(file.source(), "tensor '" + name + "' entry " + i + " must be an"
            + " index in [0, " + bound + ") but was " + v, null);
      }
      out[i] = (int) v;
    }
    return out;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int dimension() {
    return dim;
  }

  /** Number of tiers the models were grouped into. */
  public int tiers() {
    return tiers;
  }

  @Override
  public double score(float[] embedding) {
    Vectors.checkDimension(embedding, dim, "embedding");
    float[] sims = Vectors.similarities(Vectors.normalized(embedding), prompts, dim);
    float max = Float.NEGATIVE_INFINITY;
    for (float s : sims) {
      max = Math.max(max, s);
    }
    double[] weight = new double[sims.length];
    for (int i = 0; i < sims.length; i++) {
      weight[i] = max > 0 ? Math.exp(LN10 * (1 + sims[i] / max)) : 10;
    }
    double[] wins = new double[tiers * tiers];
    for (int e = 0; e < entryCell.length; e++) {
      wins[entryCell[e]] += weight[entryPrompt[e]] * entryAmount[e];
    }
    double[] beta = bradleyTerry(wins, tiers, warmStart);
    double strongRating = 400 * beta[strongTier] + 1000;
    double weakRating = 400 * beta[weakTier] + 1000;
    return 1 - 1 / (1 + Math.pow(10, (strongRating - weakRating) / 400));
  }

  @Override
  public void exportTo(RouterFile.Builder file) {
    int n = prompts.length / dim;
    file.kind(KIND)
        .parameter(TIERS, Integer.toString(tiers))
        .parameter(STRONG_TIER, Integer.toString(strongTier))
        .parameter(WEAK_TIER, Integer.toString(weakTier))
        .tensor(EMBEDDINGS, Tensor.of(prompts, n, dim))
        .tensor(ENTRY_PROMPT, Tensor.of(Arrays.stream(entryPrompt).asDoubleStream().toArray(), entryPrompt.length))
        .tensor(ENTRY_CELL, Tensor.of(Arrays.stream(entryCell).asDoubleStream().toArray(), entryCell.length))
        .tensor(ENTRY_AMOUNT, Tensor.of(entryAmount, entryAmount.length))
        .tensor(WARM_START, Tensor.of(warmStart, tiers));
  }
}
