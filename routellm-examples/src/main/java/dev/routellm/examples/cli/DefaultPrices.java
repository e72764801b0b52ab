package dev.routellm.examples.cli;

import dev.routellm.cost.CostModel;
import dev.routellm.cost.ModelPrice;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one table of list prices every command knows, in dollars per million input and output tokens: the models the
 * commands name by default (OpenAI's two for quickstart and serve; the RouteLLM paper's pair for benchmarks and
 * calibration; Alamere's Llama pair for the cascade). Any other model gets the price its option gives, never one of
 * these in disguise. A name is looked up ignoring case and an organisation prefix ({@link #of}), in this one place.
 * Immutable.
 */
final class DefaultPrices {
  /**
   * The table as help texts state it, and its one source: {@code MODEL IN,OUT} entries separated by {@code ; }.
   * OpenAI's list prices; the RouteLLM paper's assumption for its GPT-4 and Mixtral; Alamere's for its Llama pair.
   */
  static final String HELP = "gpt-4o 2.50,10.00; gpt-4o-mini 0.15,0.60; " + CostModel.GPT_4 + " 10,30; "
      + CostModel.MIXTRAL + " 0.24; llama-3-70b 0.80; llama-3-8b 0.07";

  /** How {@link #of} matches a model name to the table, as help texts state it. */
  static final String MATCHING = "a name matches ignoring case and an 'org/' prefix"
      + " (mistralai/Mixtral-8x7B-Instruct-v0.1 is " + CostModel.MIXTRAL + ")";

  /** Model name (lower case, no prefix) to price, in the order of {@link #HELP}. */
  static final Map<String, ModelPrice> LIST = parse(HELP);

  private DefaultPrices() {}

  private static Map<String, ModelPrice> parse(String help) {
    Map<String, ModelPrice> t = new LinkedHashMap<>();
    PriceConverter prices = new PriceConverter();
    for (String entry : help.split("; ")) {
      int space = entry.indexOf(' ');
      t.put(entry.substring(0, space), prices.convert(entry.substring(space + 1)));
    }
    return Collections.unmodifiableMap(t);
  }

  /**
   * The list price of {@code model}, if the table has it. The name is matched ignoring case and anything up to its last
   * {@code /} (an organisation prefix, as Hugging Face and the benchmark data name models): {@code
   * mistralai/Mixtral-8x7B-Instruct-v0.1} has the price of {@code mixtral-8x7b-instruct-v0.1}. Snapshots stay
   * distinct: {@code gpt-4o-2024-08-06} is not {@code gpt-4o}.
   */
  static Optional<ModelPrice> of(String model) {
    return Optional.ofNullable(LIST.get(key(model)));
  }

  /** The table's key for a model name: lower case, without an organisation prefix. */
  static String key(String model) {
    return model.substring(model.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
  }

  /**
   * The price given with {@code option}, else the model's list price.
   *
   * @throws IllegalArgumentException naming the option and the model when neither exists
   */
  static ModelPrice require(String option, String model, ModelPrice given) {
    if (given != null) {
      return given;
    }
    return of(model).orElseThrow(() -> new IllegalArgumentException(option + " is required for model '" + model
        + "': give " + PriceConverter.FORMAT + " dollars per million tokens (0 for a model you host); list prices"
        + " are known for " + String.join(", ", LIST.keySet()) + " only (" + MATCHING + ")"));
  }
}
