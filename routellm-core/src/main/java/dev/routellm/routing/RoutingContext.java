package dev.routellm.routing;

import dev.routellm.chat.ChatRequest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link RoutingPolicy} knows about one request when it plans: the request, the text its predictor scores,
 * the pool, each model's expected cost for this request, and which models cannot serve it. Immutable.
 */
public final class RoutingContext {
  private final ChatRequest request;
  private final String prompt;
  private final ModelPool pool;
  private final String reference;
  private final Map<String, Double> expectedCosts;
  private final Map<String, String> excluded;

  RoutingContext(
      ChatRequest request, String prompt, ModelPool pool, String reference, Map<String, Double> expectedCosts,
      Map<String, String> excluded) {
    this.request = request;
    this.prompt = prompt;
    this.pool = pool;
    this.reference = reference;
    this.expectedCosts = Map.copyOf(expectedCosts);
    this.excluded = Map.copyOf(excluded);
  }

  /** The caller's request. */
  public ChatRequest request() {
    return request;
  }

  /** The text predictors score, chosen by the router's {@link PromptSelector}. */
  public String prompt() {
    return prompt;
  }

  public ModelPool pool() {
    return pool;
  }

  /** The reference model: the one savings are measured against (the strong model of a two-model router). */
  public String referenceModel() {
    return reference;
  }

  /**
   * Dollars {@code model} is expected to cost for this request: the prompt's estimated tokens and the model's
   * expected answer length (capped by the request's {@code max_tokens}) at its prices.
   *
   * @throws IllegalArgumentException when {@code model} is not in the pool
   */
  public double expectedCost(String model) {
    Double cost = expectedCosts.get(Objects.requireNonNull(model, "model"));
    if (cost == null) {
      throw new IllegalArgumentException("no model '" + model + "' in the pool " + pool.names());
    }
    return cost;
  }

  /** Whether {@code model} can serve this request. */
  public boolean eligible(String model) {
    return pool.contains(model) && !excluded.containsKey(model);
  }

  /** Why {@code model} cannot serve this request; empty when it can. */
  public Optional<String> exclusion(String model) {
    return Optional.ofNullable(excluded.get(Objects.requireNonNull(model, "model")));
  }
}
