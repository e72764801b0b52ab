package dev.routellm.routing;

import dev.routellm.prediction.QualityPredictor;
import dev.routellm.prediction.WinRatePredictor;
import java.util.Objects;

/**
 * How a router chooses among its pool: for each request, a {@link RoutePlan} of models to try (and, for a cascade,
 * the checks their answers must pass). The router runs the plan: it drops models that cannot serve the request,
 * calls, falls back, prices and records.
 *
 * <p>Stock policies:
 *
 * <ul>
 *   <li>{@link #threshold}: two models; the strong one when a {@link WinRatePredictor}'s score reaches a threshold
 *       (RouteLLM). What {@code Router.builder().strong(..).weak(..).predictor(..).threshold(..)} builds.
 *   <li>{@link #qualityCost}: N models; the one with the best predicted quality less {@code lambda} times its
 *       expected cost relative to the reference model's.
 *   <li>{@link #cheapestReaching}: N models; the cheapest predicted to reach a target quality.
 *   <li>{@link #cascade}: cheap models answer first; a {@link StepCheck} (confidence, agreement of two answers, a
 *       verifier) decides whether to stop or move up; optionally a predictor chooses the starting step
 *       ({@link Cascade.Builder#startWhen}).
 * </ul>
 *
 * <p>Implementations are immutable and thread-safe; {@link #plan} is called once per request (and per
 * {@link Router#route} call) and must be quick: it runs before any model call.
 */
public interface RoutingPolicy {
  /** A short name: the router's default name ({@code "knn"}, {@code "cascade"}). */
  String name();

  /**
   * Plans one request.
   *
   * @throws dev.routellm.RouteLlmException when a predictor fails or misbehaves (a score outside [0, 1])
   */
  RoutePlan plan(RoutingContext context);

  /**
   * Checks at build time that the policy can work with {@code pool}: every model it names is in the pool, its
   * predictor knows every model it must rank, its checks can work with their models.
   *
   * @throws dev.routellm.ConfigurationException saying what cannot work
   */
  void validate(ModelPool pool);

  /**
   * RouteLLM's rule for two models: {@code strongModel} when {@code predictor}'s score reaches the threshold, else
   * {@code weakModel}; the other model is the fallback.
   */
  static RoutingPolicy threshold(
      WinRatePredictor predictor, ThresholdSource threshold, String strongModel, String weakModel) {
    return new ThresholdPolicy(predictor, threshold, strongModel, weakModel);
  }

  /**
   * The model maximising {@code quality - lambda * cost / referenceCost}, where quality is {@code predictor}'s
   * prediction for the prompt, cost the model's expected cost for the request and referenceCost the reference model's
   * (see {@link #utility}). {@code lambda = 0} picks the best predicted quality whatever the price; larger values
   * trade quality for money: {@code lambda = 0.1} gives up at most 0.1 of predicted quality to save the whole price
   * of the reference model. Fallbacks follow the same ranking. Calibrate lambda on your data for a budget or a
   * target quality.
   *
   * @throws IllegalArgumentException when {@code lambda} is negative, NaN or infinite
   */
  static RoutingPolicy qualityCost(QualityPredictor predictor, double lambda) {
    return new QualityCostPolicy(predictor, lambda);
  }

  /**
   * The cheapest model (by expected cost for the request) whose predicted quality reaches {@code target}; when none
   * does, the model with the best predicted quality. Fallbacks: the other models reaching the target by cost, then
   * the rest by predicted quality.
   *
   * @throws IllegalArgumentException when {@code target} is outside [0, 1]
   */
  static RoutingPolicy cheapestReaching(QualityPredictor predictor, double target) {
    return new CheapestReachingPolicy(predictor, target);
  }

  /** A cascade: the chain's steps, in order, each checked before the next, more expensive one is asked. */
  static RoutingPolicy cascade(Cascade chain) {
    return new CascadePolicy(Objects.requireNonNull(chain, "chain"));
  }

  /**
   * The N-way routing objective: predicted quality less {@code lambda} times the expected cost relative to the
   * reference model's expected cost. One formula for the router and for offline evaluation.
   *
   * @param quality predicted quality in [0, 1]
   * @param cost the model's expected cost in dollars
   * @param referenceCost the reference model's expected cost in dollars; when not {@code > 0}, cost is ignored
   * @param lambda the trade-off, {@code >= 0}
   */
  static double utility(double quality, double cost, double referenceCost, double lambda) {
    return referenceCost > 0.0 ? quality - lambda * cost / referenceCost : quality;
  }
}
