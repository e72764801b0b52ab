package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimilarityWeightedRankingTest {
  static final List<String> MODELS = List.of("m0", "m1", "m2", "m3", "m4", "m5");
  static final int DIM = 8;

  /** Models with a latent skill, prompts that favour some models over others, and some ties. */
  static List<Battle> battles(Random r, int n) {
    List<Battle> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int a = r.nextInt(MODELS.size());
      int b = (a + 1 + r.nextInt(MODELS.size() - 1)) % MODELS.size();
      double pa = 1 / (1 + Math.exp(-(a - b) * 0.6));
      double u = r.nextDouble();
      Battle.Winner w = u < 0.15 ? Battle.Winner.TIE : r.nextDouble() < pa ? Battle.Winner.MODEL_A
          : Battle.Winner.MODEL_B;
      out.add(new Battle(i, MODELS.get(a), MODELS.get(b), w));
    }
    return out;
  }

  static List<float[]> prompts(Random r, int n) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[DIM];
      for (int j = 0; j < DIM; j++) {
        v[j] = (float) (r.nextGaussian() + (j == 0 ? 1.5 : 0));
      }
      out.add(v);
    }
    return out;
  }

  /**
   * RouteLLM's regression written out row by row: each battle twice, +ln10 for model_a's column, -ln10 for model_b's,
   * label 1 for an a win (both copies) and for a tie's first copy; fitted by plain gradient ascent on the weighted
   * log-likelihood. Returns Elo ratings 400 * coef + 1000.
   */
  static double[] directElo(List<int[]> pairs, List<Battle.Winner> winners, double[] weights, int p) {
    int n = pairs.size();
    double ln10 = Math.log(10);
    double[][] x = new double[2 * n][p];
    double[] y = new double[2 * n];
    double[] w = new double[2 * n];
    for (int copy = 0; copy < 2; copy++) {
      for (int i = 0; i < n; i++) {
        int row = copy * n + i;
        x[row][pairs.get(i)[0]] = ln10;
        x[row][pairs.get(i)[1]] = -ln10;
        Battle.Winner win = winners.get(i);
        y[row] = win == Battle.Winner.MODEL_A || (win == Battle.Winner.TIE && copy == 0) ? 1 : 0;
        w[row] = weights[i];
      }
    }
    double wsum = Arrays.stream(w).sum();
    double[] coef = new double[p];
    for (int iter = 0; iter < 200_000; iter++) {
      double[] grad = new double[p];
      for (int row = 0; row < 2 * n; row++) {
        double z = 0;
        for (int j = 0; j < p; j++) {
          z += x[row][j] * coef[j];
        }
        double err = y[row] - 1 / (1 + Math.exp(-z));
        for (int j = 0; j < p; j++) {
          grad[j] += w[row] * err * x[row][j];
        }
      }
      for (int j = 0; j < p; j++) {
        coef[j] += 0.5 * grad[j] / wsum;
      }
    }
    double[] elo = new double[p];
    for (int j = 0; j < p; j++) {
      elo[j] = 400 * coef[j] + 1000;
    }
    return elo;
  }

  /** Every cut of the descending ratings into at most {@code groups} contiguous groups; the one of least cost. */
  static Set<Set<Integer>> bruteForceTiers(double[] ratings, int groups) {
    Integer[] order = new Integer[ratings.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(ratings[b], ratings[a]));
    int n = ratings.length;
    double best = Double.POSITIVE_INFINITY;
    Set<Set<Integer>> bestPartition = null;
    for (int mask = 0; mask < 1 << (n - 1); mask++) {
      if (Integer.bitCount(mask) > groups - 1) {
        continue;
      }
      Set<Set<Integer>> partition = new HashSet<>();
      double cost = 0;
      List<Integer> group = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        group.add(order[i]);
        if (i == n - 1 || (mask & (1 << i)) != 0) {
          double mean = group.stream().mapToDouble(g -> ratings[g]).average().orElseThrow();
          cost += group.stream().mapToDouble(g -> (ratings[g] - mean) * (ratings[g] - mean)).sum() / group.size();
          partition.add(new HashSet<>(group));
          group.clear();
        }
      }
      if (cost < best - 1e-12) {
        best = cost;
        bestPartition = partition;
      }
    }
    return bestPartition;
  }

  static Set<Set<Integer>> partitionOf(int[] tiers) {
    Set<Set<Integer>> out = new HashSet<>();
    for (int t = 0; t <= Arrays.stream(tiers).max().orElse(0); t++) {
      Set<Integer> g = new HashSet<>();
      for (int i = 0; i < tiers.length; i++) {
        if (tiers[i] == t) {
          g.add(i);
        }
      }
      out.add(g);
    }
    return out;
  }

  @Test
  void tiersOf_matchesBruteForceOverAllCuts() {
    Random r = new Random(3);
    for (int trial = 0; trial < 30; trial++) {
      double[] ratings = new double[2 + r.nextInt(8)];
      for (int i = 0; i < ratings.length; i++) {
        ratings[i] = 1000 + 200 * r.nextGaussian();
      }
      int groups = 2 + r.nextInt(3);

      assertThat(partitionOf(SimilarityWeightedRanking.tiersOf(ratings, groups)))
          .isEqualTo(bruteForceTiers(ratings, groups));
    }
  }

  @Test
  void score_matchesDirectRegressionOverTiers() {
    Random r = new Random(42);
    List<float[]> prompts = prompts(r, 80);
    List<Battle> battles = battles(r, 80);
    int tiers = 3;
    SimilarityWeightedRanking sw = SimilarityWeightedRanking.fit(prompts, battles, "m5", "m0", tiers);

    // Direct: global unweighted ratings per model, brute-force tiers, then per query a weighted fit over tiers.
    List<int[]> modelPairs = new ArrayList<>();
    List<Battle.Winner> winners = new ArrayList<>();
    for (Battle b : battles) {
      modelPairs.add(new int[] {MODELS.indexOf(b.modelA()), MODELS.indexOf(b.modelB())});
      winners.add(b.winner());
    }
    double[] ones = new double[battles.size()];
    Arrays.fill(ones, 1);
    double[] global = directElo(modelPairs, winners, ones, MODELS.size());
    int[] tierOf = new int[MODELS.size()];
    int t = 0;
    for (Set<Integer> group : bruteForceTiers(global, tiers)) {
      for (int m : group) {
        tierOf[m] = t;
      }
      t++;
    }
    assertThat(tierOf[5]).isNotEqualTo(tierOf[0]);

    for (int q = 0; q < 3; q++) {
      float[] query = prompts(r, 1).get(0);
      double[] cos = new double[battles.size()];
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < cos.length; i++) {
        cos[i] = cosine(query, prompts.get(battles.get(i).prompt()));
        max = Math.max(max, cos[i]);
      }
      List<int[]> tierPairs = new ArrayList<>();
      List<Battle.Winner> tierWinners = new ArrayList<>();
      List<Double> weights = new ArrayList<>();
      for (int i = 0; i < battles.size(); i++) {
        int ta = tierOf[modelPairs.get(i)[0]];
        int tb = tierOf[modelPairs.get(i)[1]];
        if (ta != tb) {
          tierPairs.add(new int[] {ta, tb});
          tierWinners.add(winners.get(i));
          weights.add(10 * Math.pow(10, cos[i] / max));
        }
      }
      double[] elo = directElo(tierPairs, tierWinners, weights.stream().mapToDouble(Double::doubleValue).toArray(),
          t);
      double expected = 1 - 1 / (1 + Math.pow(10, (elo[tierOf[5]] - elo[tierOf[0]]) / 400));

      assertThat(sw.score(query)).isCloseTo(expected, within(1e-6));
    }
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void score_twoModels_isWeightedWinShare() {
    // With two models the fit has a closed form: the weighted share of the strong model's wins (ties half).
    List<float[]> prompts = List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 1});
    List<Battle> battles = List.of(Battle.fromOutcome(0, "big", "small", 1, 0),
        Battle.fromOutcome(1, "big", "small", 0, 1), Battle.fromOutcome(2, "big", "small", 1, 1));
    SimilarityWeightedRanking sw = SimilarityWeightedRanking.fit(prompts, battles, "big", "small");
    float[] q = {1, 0};
    double c2 = 1 / Math.sqrt(2);
    double w0 = Math.pow(10, 2);
    double w1 = Math.pow(10, 1);
    double w2 = Math.pow(10, 1 + c2);

    assertThat(sw.score(q)).isCloseTo((w0 + 0.5 * w2) / (w0 + w1 + w2), within(1e-6));
  }

  @Test
  void fit_pairInOneTierOrUnknown_isRejected() {
    Random r = new Random(1);
    List<float[]> prompts = prompts(r, 40);
    List<Battle> battles = battles(r, 40);

    assertThatThrownBy(() -> SimilarityWeightedRanking.fit(prompts, battles, "m9", "m0"))
        .hasMessageContaining("'m9' appears in no battle");
    assertThatThrownBy(() -> SimilarityWeightedRanking.fit(prompts, battles, "m5", "m4", 2))
        .hasMessageContaining("same tier");
  }
}
