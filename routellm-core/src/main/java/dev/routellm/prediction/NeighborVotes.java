package dev.routellm.prediction;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The vote of a prompt's nearest neighbours on each model's quality, shared by the embedding and the lexical kNN:
 * {@code (sum_j w_j y[j][m] + priorWeight * mean_m) / (sum_j w_j + priorWeight)}, with negative similarities counted
 * as zero; a prompt with no similar neighbour and no prior gets each model's mean. Immutable and thread-safe.
 */
final class NeighborVotes {
  private final int models;
  private final float[] outcomes; // row-major [n, models]
  private final double priorWeight;
  private final double[] priors;

  NeighborVotes(int models, float[] outcomes, double priorWeight) {
    this.models = models;
    this.outcomes = outcomes;
    this.priorWeight = priorWeight;
    this.priors = new double[models];
    int n = outcomes.length / models;
    for (int j = 0; j < n; j++) {
      for (int m = 0; m < models; m++) {
        priors[m] += outcomes[j * models + m];
      }
    }
    for (int m = 0; m < models; m++) {
      priors[m] /= n;
    }
  }

  /** The vote of the neighbours {@code top} (indices of training prompts) with similarities {@code sims}. */
  double[] vote(float[] sims, int[] top) {
    double[] sum = new double[models];
    double weights = priorWeight;
    for (int m = 0; m < models; m++) {
      sum[m] = priorWeight * priors[m];
    }
    for (int j : top) {
      double w = Math.max(sims[j], 0);
      if (w == 0) {
        continue;
      }
      weights += w;
      int row = j * models;
      for (int m = 0; m < models; m++) {
        sum[m] += w * outcomes[row + m];
      }
    }
    if (weights == 0) { // no prior and no similar neighbour: nothing is known of this prompt but the means
      return priors.clone();
    }
    for (int m = 0; m < models; m++) {
      sum[m] = Math.min(1, Math.max(0, sum[m] / weights));
    }
    return sum;
  }

  float[] outcomes() {
    return outcomes;
  }

  static List<String> checkModels(List<String> models) {
    List<String> copy = List.copyOf(Objects.requireNonNull(models, "models"));
    if (copy.isEmpty() || new HashSet<>(copy).size() != copy.size()) {
      throw new IllegalArgumentException("models must be a non-empty list of distinct names but were " + copy);
    }
    return copy;
  }

  static void checkParameters(int k, double priorWeight) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1 but was " + k);
    }
    if (!(priorWeight >= 0) || Double.isInfinite(priorWeight)) {
      throw new IllegalArgumentException("priorWeight must be finite and >= 0 but was " + priorWeight);
    }
  }

  /** The outcomes row-major, checked: {@code n >= 1} rows of {@code models} values in [0, 1]. */
  static float[] packOutcomes(double[][] outcomes, int n, int models) {
    Objects.requireNonNull(outcomes, "outcomes");
    if (n == 0 || outcomes.length != n) {
      throw new IllegalArgumentException("need one outcome row per training prompt and at least one prompt, but got "
          + n + " prompts and " + outcomes.length + " outcome rows");
    }
    float[] packed = new float[Math.multiplyExact(n, models)];
    for (int j = 0; j < n; j++) {
      double[] row = Objects.requireNonNull(outcomes[j], "outcomes row " + j);
      if (row.length != models) {
        throw new IllegalArgumentException("outcome row " + j + " must have one value per model (" + models
            + ") but has " + row.length);
      }
      for (int m = 0; m < models; m++) {
        if (!(row[m] >= 0 && row[m] <= 1)) {
          throw new IllegalArgumentException("outcome " + j + " of model " + m + " must be in [0, 1] but was "
              + row[m]);
        }
        packed[j * models + m] = (float) row[m];
      }
    }
    return packed;
  }

  static void checkStoredOutcomes(RouterFile file, String tensor, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!(values[i] >= 0 && values[i] <= 1)) {
        throw InvalidFileException.ofResource(file.source(), "tensor '" + tensor + "' entry " + i + " must be an"
            + " outcome in [0, 1] but was " + values[i], null);
      }
    }
  }
}
