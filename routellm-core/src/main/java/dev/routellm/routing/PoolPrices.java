package dev.routellm.routing;

import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.ModelPrice;
import java.util.Map;
import java.util.Objects;

/** Pool models' own prices first, then the router's cost model. Immutable. */
final class PoolPrices implements CostModel {
  private final Map<String, ModelPrice> own;
  private final CostModel rest;

  PoolPrices(Map<String, ModelPrice> own, CostModel rest) {
    this.own = Map.copyOf(own);
    this.rest = rest;
  }

  @Override
  public double cost(String model, Usage usage) {
    Objects.requireNonNull(usage, "usage");
    ModelPrice p = own.get(Objects.requireNonNull(model, "model"));
    if (p != null) {
      return p.cost(usage.promptTokens(), usage.completionTokens());
    }
    if (rest == null) {
      throw new dev.routellm.ConfigurationException("no price for model '" + model + "'; priced models: "
          + new java.util.TreeSet<>(own.keySet()));
    }
    return rest.cost(model, usage);
  }

  @Override
  public boolean hasPrice(String model) {
    return own.containsKey(Objects.requireNonNull(model, "model")) || (rest != null && rest.hasPrice(model));
  }

  @Override
  public String toString() {
    return "PoolPrices" + own + (rest == null ? "" : " then " + rest);
  }
}
