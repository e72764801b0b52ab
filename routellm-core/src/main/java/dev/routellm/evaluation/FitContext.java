package dev.routellm.evaluation;

import java.util.Objects;

/**
 * What a routing method gets besides its training data: the evaluation's seed (for anything random: initial weights,
 * sampling, a random baseline) and a listener for progress on long fits. Immutable and thread-safe.
 *
 * @param seed the evaluation's seed; the same seed must give the same fitted scorer
 * @param progress hears progress of long fits; never null
 */
public record FitContext(long seed, ProgressListener progress) {
  public FitContext {
    Objects.requireNonNull(progress, "progress");
  }
}
