package dev.routellm.evaluation;

import dev.routellm.data.Example;
import java.util.List;
import java.util.Objects;

/**
 * A fitted routing method: scores held-out examples, higher meaning more in need of the strong model. It sees the
 * whole example (its prompt and turns, and, for methods that read a model's answer such as a confidence cascade, the
 * weak model's response); only the oracle reads the outcomes, by design.
 *
 * <p>Scores may be any finite numbers (a win probability, a gain, a negated confidence); only their order matters,
 * and equal scores are ties (see {@link RoutingCurves}). Implementations are deterministic and thread-safe.
 */
@FunctionalInterface
public interface Scorer {
  /** How often {@link #scoreAll(List, String, ProgressListener)} reports progress, in examples. */
  int PROGRESS_EVERY = 256;

  /**
   * The score of one example.
   *
   * @throws NullPointerException when {@code example} is null
   */
  double score(Example example);

  /**
   * The scores of many examples, in order, reporting progress every {@value #PROGRESS_EVERY} examples and at the end.
   * The default scores one at a time; implementations that batch (an embedder, a remote model) override it.
   *
   * @param examples the examples to score
   * @param stage the stage name to report progress under
   * @param progress hears progress
   */
  default double[] scoreAll(List<Example> examples, String stage, ProgressListener progress) {
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(progress, "progress");
    double[] scores = new double[examples.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = score(examples.get(i));
      if ((i + 1) % PROGRESS_EVERY == 0) {
        progress.progress(stage, i + 1, scores.length);
      }
    }
    progress.progress(stage, scores.length, scores.length);
    return scores;
  }
}
