package dev.routellm.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The cross-validation split shared by the two-model and the N-model evaluators: examples with the same routing
 * prompt form one group, so duplicates never straddle training and held-out sets; the groups are shuffled with the
 * seed ({@link SplittableRandom}, Fisher-Yates) and dealt to the folds in turn. Stateless.
 */
final class PromptFolds {
  private PromptFolds() {}

  /**
   * The held-out indices of each fold, each in increasing order.
   *
   * @throws IllegalArgumentException when {@code folds} is not in {@code [2, distinct prompts]}
   */
  static int[][] split(List<String> prompts, int folds, long seed, String dataset) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < prompts.size(); i++) {
      groups.computeIfAbsent(prompts.get(i), p -> new ArrayList<>(1)).add(i);
    }
    if (folds < 2 || folds > groups.size()) {
      throw new IllegalArgumentException("folds must be in [2, " + groups.size() + "] (the number of distinct prompts"
          + " of dataset '" + dataset + "') but was " + folds);
    }
    List<List<Integer>> order = new ArrayList<>(groups.values());
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = order.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      List<Integer> t = order.get(i);
      order.set(i, order.get(j));
      order.set(j, t);
    }
    List<List<Integer>> members = new ArrayList<>(folds);
    for (int f = 0; f < folds; f++) {
      members.add(new ArrayList<>());
    }
    for (int g = 0; g < order.size(); g++) {
      members.get(g % folds).addAll(order.get(g));
    }
    int[][] heldOut = new int[folds][];
    for (int f = 0; f < folds; f++) {
      heldOut[f] = members.get(f).stream().mapToInt(Integer::intValue).sorted().toArray();
    }
    return heldOut;
  }

  /** The indices in {@code [0, size)} that are not in {@code sortedIndices}, in increasing order. */
  static int[] complement(int[] sortedIndices, int size) {
    int[] rest = new int[size - sortedIndices.length];
    int next = 0;
    int r = 0;
    for (int i = 0; i < size; i++) {
      if (next < sortedIndices.length && sortedIndices[next] == i) {
        next++;
      } else {
        rest[r++] = i;
      }
    }
    return rest;
  }
}
