package dev.routellm.cost;

import dev.routellm.ConfigurationException;
import dev.routellm.chat.Usage;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/** A {@link CostModel} from fixed per-million-token prices. Immutable and thread-safe. */
public final class PriceTable implements CostModel {
  private final Map<String, ModelPrice> prices;

  PriceTable(Map<String, ModelPrice> prices) {
    this.prices = Map.copyOf(prices);
  }

  /** Every price in the table, by model. */
  public Map<String, ModelPrice> prices() {
    return prices;
  }

  /**
   * The price of a model.
   *
   * @throws ConfigurationException when the model has no price
   */
  public ModelPrice price(String model) {
    Objects.requireNonNull(model, "model");
    ModelPrice price = prices.get(model);
    if (price == null) {
      throw new ConfigurationException(
          "no price for model '" + model + "'; priced models: " + new TreeSet<>(prices.keySet())
              + " (add one with CostModel.builder().price(\"" + model + "\", inputPerMillion, outputPerMillion))");
    }
    return price;
  }

  @Override
  public double cost(String model, Usage usage) {
    Objects.requireNonNull(usage, "usage");
    return price(model).cost(usage.promptTokens(), usage.completionTokens());
  }

  @Override
  public boolean hasPrice(String model) {
    return prices.containsKey(Objects.requireNonNull(model, "model"));
  }

  @Override
  public String toString() {
    return "PriceTable" + new TreeMap<>(prices);
  }
}
