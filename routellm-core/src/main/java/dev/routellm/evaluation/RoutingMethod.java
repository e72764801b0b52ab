package dev.routellm.evaluation;

import dev.routellm.data.Dataset;
import dev.routellm.prediction.WinRatePredictor;
import java.util.Objects;

/**
 * A way to route that can be evaluated: fitted on a training set, it yields a {@link Scorer} for held-out examples.
 * This is the plug-in point for routers: a learned router (kNN, matrix factorisation, a classifier, a cascade's
 * confidence model) implements {@link #fit} to train on {@code train} only, and registers under its
 * {@link #name()} in {@link RoutingMethods} so that {@code routellm eval --router NAME} finds it.
 *
 * <p>The evaluator guarantees that {@code train} and the examples later scored are disjoint and that no prompt of a
 * scored example appears in {@code train}; {@code train} is empty when the evaluation does not train (one fold), and
 * a method that must learn then throws {@link dev.routellm.ConfigurationException} saying so. Methods that need no
 * training (the random baseline, a pretrained checkpoint) ignore {@code train}.
 *
 * <p>Implementations are thread-safe; {@link #fit} may be called many times (once per fold). What it fits must depend
 * on {@code train} only; caching what does not depend on the labels (a prompt's embedding) across calls is fine.
 */
public interface RoutingMethod {
  /** The name to select the method by ({@code "random"}, {@code "oracle"}, {@code "knn"}); lower case, no spaces. */
  String name();

  /**
   * Fits on the training examples.
   *
   * @param train the training examples; possibly empty
   * @param context the seed and a progress listener
   * @return a scorer for held-out examples
   * @throws dev.routellm.ConfigurationException when the method cannot work with this training set (for example an
   *     empty one)
   */
  Scorer fit(Dataset train, FitContext context);

  /**
   * Whether the method learns from its training set, so that an evaluation without one (a single fold) cannot score
   * it: tools default such methods to cross-validation. False unless overridden; a method that returns false must
   * work with an empty {@code train}.
   */
  default boolean learns() {
    return false;
  }

  /**
   * Whether serving this method calls the weak model on every request before deciding, as a confidence cascade does
   * (it judges the weak answer): its cost per request is then the weak call plus the strong call on the escalated
   * share ({@link CostAxis#cascadeCostPerRequest}), not a mix of the two. False unless overridden.
   */
  default boolean callsWeakFirst() {
    return false;
  }

  /**
   * Seeded random routing: each example gets {@link dev.routellm.prediction.RandomPredictor}'s score of its prompt
   * under the evaluation's seed; needs no training.
   */
  static RoutingMethod random() {
    return StockMethods.RANDOM;
  }

  /**
   * The oracle: scores each example by what the strong model gains over the weak one on it (strong score minus weak
   * score), read from the example's outcomes. An upper bound to compare against, never a router to serve: it knows
   * the answers.
   */
  static RoutingMethod oracle() {
    return StockMethods.ORACLE;
  }

  /**
   * A predictor that needs no training (a pretrained checkpoint), scoring each example's prompt; named after the
   * predictor.
   */
  static RoutingMethod pretrained(WinRatePredictor predictor) {
    Objects.requireNonNull(predictor, "predictor");
    return StockMethods.pretrained(predictor);
  }
}
