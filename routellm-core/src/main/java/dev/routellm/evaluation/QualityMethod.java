package dev.routellm.evaluation;

import dev.routellm.data.PoolDataset;
import dev.routellm.prediction.QualityPredictor;

/**
 * A way to predict each model's quality that can be evaluated: fitted on a training set of N-model outcomes, it
 * yields a {@link QualityPredictor} over the training set's models, in their order. The N-model counterpart of
 * {@link RoutingMethod}; {@link QualityMethods} has the stock ones.
 *
 * <p>The evaluator guarantees that no prompt of a scored example is in {@code train}. Implementations are thread-safe;
 * {@link #fit} may be called once per fold, and what it fits depends on {@code train} only (caching what does not
 * depend on the labels, a prompt's embedding, is fine).
 */
public interface QualityMethod {
  /** The name to select the method by ({@code "knn"}); lower case, no spaces. */
  String name();

  /**
   * Fits on the training examples.
   *
   * @param train the training examples, never empty
   * @param context the seed and a progress listener
   * @return a predictor over {@code train.models()}, in that order
   */
  QualityPredictor fit(PoolDataset train, FitContext context);
}
