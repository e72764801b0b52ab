package dev.routellm.evaluation;

import java.util.Map;
import java.util.Objects;

/**
 * What one setting of a policy does on a set of examples: its mean cost and quality, and how many model calls a
 * request makes on average.
 *
 * @param setting the setting, for people ({@code "lambda=0.25"}, {@code "last=gpt-4o, skip below 0.6"})
 * @param parameters the setting's parameters by name (unmodifiable); a model is given by its index in the pool
 * @param cost mean dollars per request
 * @param quality the quality, in the data's unit
 * @param calls mean model calls per request ({@code >= 1} for every policy that answers)
 */
public record OperatingPoint(String setting, Map<String, Double> parameters, double cost, double quality,
    double calls) {
  public OperatingPoint {
    Objects.requireNonNull(setting, "setting");
    parameters = Map.copyOf(Objects.requireNonNull(parameters, "parameters"));
  }

  /** The point on a quality-over-cost plot. */
  public CostQualityPoint point() {
    return new CostQualityPoint(cost, quality);
  }
}
