package dev.routellm.cascade;

import java.util.SplittableRandom;

/** Seeded, stratified k-fold assignment. */
final class Folds {
  private Folds() {}

  /**
   * Fold of each item, in [0, k), stratified by {@code label}: the items are shuffled with the seed, then the correct
   * ones and the incorrect ones are dealt round-robin in turn, so every fold holds its share of each class (and every
   * training part both classes whenever each class has at least two members). The same seed always gives the same
   * folds.
   */
  static int[] assign(boolean[] label, int k, long seed) {
    int n = label.length;
    if (k < 2 || k > n) {
      throw new IllegalArgumentException("folds must be in [2, " + n + "] for " + n + " examples but was " + k);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] fold = new int[n];
    int dealt = 0;
    for (boolean cls : new boolean[] {true, false}) {
      for (int i : order) {
        if (label[i] == cls) {
          fold[i] = dealt++ % k;
        }
      }
    }
    return fold;
  }
}
