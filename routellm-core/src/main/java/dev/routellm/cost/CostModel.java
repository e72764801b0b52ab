package dev.routellm.cost;

import dev.routellm.ConfigurationException;
import dev.routellm.chat.Usage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Prices calls from their token usage. Implementations are thread-safe.
 *
 * <p>A model without a price is an error ({@link ConfigurationException}), never a silent zero: an unpriced model is
 * how surprise bills happen. The stock implementation is a per-million-token price table from {@link #builder()};
 * implement this interface for tiered or negotiated pricing.
 */
public interface CostModel {
  /** RouteLLM paper's strong model. */
  String GPT_4 = "gpt-4-1106-preview";
  /** RouteLLM paper's weak model. */
  String MIXTRAL = "mixtral-8x7b-instruct-v0.1";

  /**
   * Dollar cost of one call.
   *
   * @throws ConfigurationException when the model has no price; the message names it and the priced models
   */
  double cost(String model, Usage usage);

  /** Whether {@link #cost(String, Usage)} can price this model. */
  boolean hasPrice(String model);

  /** A builder for a per-million-token price table. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * The RouteLLM paper's assumption: {@value #GPT_4} at $10 in / $30 out per million tokens and {@value #MIXTRAL} at
   * $0.24 per million tokens.
   */
  static CostModel paperDefaults() {
    return builder().price(GPT_4, 10.0, 30.0).price(MIXTRAL, 0.24, 0.24).build();
  }

  /** Builds a price table. Not thread-safe; the table it builds is immutable. */
  final class Builder {
    private final Map<String, ModelPrice> prices = new LinkedHashMap<>();

    private Builder() {}

    /** Sets a model's price per million input and output tokens, replacing an earlier one. */
    public Builder price(String model, double inputPerMillion, double outputPerMillion) {
      return price(model, new ModelPrice(inputPerMillion, outputPerMillion));
    }

    /** Sets a model's price, replacing an earlier one. */
    public Builder price(String model, ModelPrice price) {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(price, "price");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model name must not be blank");
      }
      prices.put(model, price);
      return this;
    }

    /** Copies every price of another table built here. */
    public Builder prices(Map<String, ModelPrice> table) {
      Objects.requireNonNull(table, "table").forEach(this::price);
      return this;
    }

    public PriceTable build() {
      return new PriceTable(prices);
    }
  }
}
