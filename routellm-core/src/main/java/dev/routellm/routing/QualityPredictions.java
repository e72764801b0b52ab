package dev.routellm.routing;

import dev.routellm.ConfigurationException;
import dev.routellm.PredictionException;
import dev.routellm.prediction.QualityPredictor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checked calls of a {@link QualityPredictor}, shared by the N-way policies. */
final class QualityPredictions {
  private QualityPredictions() {}

  /** Every pool model must be known to the predictor. */
  static void validate(QualityPredictor predictor, ModelPool pool, String policy) {
    List<String> known = predictor.models();
    for (String m : pool.names()) {
      if (!known.contains(m)) {
        throw new ConfigurationException(policy + " policy: predictor '" + predictor.name()
            + "' has no prediction for pool model '" + m + "'; it predicts " + known
            + " (train it on outcomes of every pool model, or leave the model out of the pool)");
      }
    }
  }

  /**
   * The predictor's predictions for the pool's models it knows, in pool order.
   *
   * @throws PredictionException when the predictor returns the wrong number of values or one outside [0, 1]
   */
  static Map<String, Double> predict(QualityPredictor predictor, RoutingContext context) {
    List<String> known = predictor.models();
    double[] q = predictor.predict(context.prompt());
    if (q == null || q.length != known.size()) {
      throw new PredictionException("predictor '" + predictor.name() + "' returned "
          + (q == null ? "null" : q.length + " predictions") + " for its " + known.size() + " models", null);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String m : context.pool().names()) {
      int i = known.indexOf(m);
      if (i < 0) {
        continue;
      }
      double v = q[i];
      if (!(v >= 0.0 && v <= 1.0)) {
        throw new PredictionException("predictor '" + predictor.name() + "' predicted " + v + " for model '" + m
            + "', outside [0, 1]", null);
      }
      out.put(m, v);
    }
    return out;
  }
}
