package dev.routellm.evaluation;

import dev.routellm.ConfigurationException;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.ModelPrice;
import dev.routellm.cost.PriceTable;
import dev.routellm.data.Outcome;
import dev.routellm.data.PoolDataset;
import dev.routellm.data.PoolExample;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What every call of a pool's models costs on a dataset, after the fact ({@link #cost}), and what a policy expects it
 * to cost before the call ({@link #expected}).
 *
 * <p><b>Cost of a call</b>, in this order: the data's recorded cost; else its token counts at the model's price
 * (estimated counts, such as ZeroEval's characters / 4, make an estimated cost); else the prompt's tokens estimated at
 * {@value Usage#CHARS_PER_TOKEN} characters per token plus an assumed answer length ({@link #DEFAULT_OUTPUT_TOKENS}
 * unless set). {@link #bases()} says which of these were used.
 *
 * <p><b>Expected cost</b>, for decisions: the prompt's input tokens (the data's count, else estimated from its text)
 * and the model's mean answer length on the training examples, at the model's price (the served policies' rule: the
 * price of the prompt's and the expected answer's tokens); when the data records only costs (or the model has no
 * price), the model's mean cost on the training examples.
 *
 * <p>Immutable and thread-safe.
 */
public final class PoolCosts {
  /**
   * Answer length assumed when the data gives no output tokens: the RouteLLM paper's average request (264 output
   * tokens).
   */
  public static final long DEFAULT_OUTPUT_TOKENS = CostAxis.PAPER_AVERAGE_USAGE.completionTokens();

  /** Where a call's cost came from. */
  public enum Basis {
    /** The data's recorded cost. */
    RECORDED("recorded costs"),
    /** The data's token counts at the price table. */
    TOKENS("token counts x prices"),
    /** The data's estimated token counts at the price table. */
    ESTIMATED_TOKENS("estimated token counts x prices"),
    /** Input tokens estimated from the prompt, an assumed answer length, at the price table. */
    ASSUMED("prompt tokens estimated from its text, an assumed answer length, x prices");

    private final String description;

    Basis(String description) {
      this.description = description;
    }

    /** For people: "estimated token counts x prices". */
    public String description() {
      return description;
    }

    /** For JSON: "estimated_tokens". */
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final PoolDataset data;
  private final PriceTable prices;
  private final long defaultOutputTokens;
  private final double[][] cost; // [example][model]
  private final double[] promptTokens;
  private final double[][] outputTokens; // [example][model], NaN where unknown
  private final boolean recordedOnly;
  private final Set<Basis> bases;

  private PoolCosts(PoolDataset data, PriceTable prices, long defaultOutputTokens) {
    this.data = data;
    this.prices = prices;
    this.defaultOutputTokens = defaultOutputTokens;
    int n = data.size();
    int models = data.models().size();
    cost = new double[n][models];
    promptTokens = new double[n];
    outputTokens = new double[n][models];
    EnumSet<Basis> used = EnumSet.noneOf(Basis.class);
    boolean onlyRecorded = true;
    for (int i = 0; i < n; i++) {
      PoolExample e = data.example(i);
      double input = Double.NaN;
      for (int m = 0; m < models; m++) {
        Outcome o = e.outcome(data.models().get(m));
        Usage usage = o.usage().orElse(null);
        outputTokens[i][m] = usage == null ? Double.NaN : usage.completionTokens();
        if (usage != null && Double.isNaN(input)) {
          input = usage.promptTokens();
        }
        if (o.cost().isPresent()) {
          cost[i][m] = o.cost().getAsDouble();
          used.add(Basis.RECORDED);
          continue;
        }
        onlyRecorded = false;
        String model = data.models().get(m);
        if (usage != null) {
          cost[i][m] = price(model).cost(usage.promptTokens(), usage.completionTokens());
          used.add(usage.estimated() ? Basis.ESTIMATED_TOKENS : Basis.TOKENS);
        } else {
          Usage assumed = Usage.estimate(e.prompt(), null);
          cost[i][m] = price(model).cost(assumed.promptTokens(), defaultOutputTokens);
          used.add(Basis.ASSUMED);
        }
      }
      promptTokens[i] = Double.isNaN(input) ? Usage.estimate(e.prompt(), null).promptTokens() : input;
    }
    this.recordedOnly = onlyRecorded;
    this.bases = java.util.Collections.unmodifiableSet(used);
  }

  /**
   * The costs of a dataset's calls.
   *
   * @param prices the price table; every model whose calls the data does not price itself must be in it
   * @param defaultOutputTokens the answer length assumed where the data gives no token counts, {@code >= 0}
   * @throws ConfigurationException when a model needs a price and has none; the message names it
   */
  public static PoolCosts of(PoolDataset data, PriceTable prices, long defaultOutputTokens) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(prices, "prices");
    if (defaultOutputTokens < 0) {
      throw new IllegalArgumentException("defaultOutputTokens must be >= 0 but was " + defaultOutputTokens);
    }
    return new PoolCosts(data, prices, defaultOutputTokens);
  }

  /** The costs with {@link #DEFAULT_OUTPUT_TOKENS}. */
  public static PoolCosts of(PoolDataset data, PriceTable prices) {
    return of(data, prices, DEFAULT_OUTPUT_TOKENS);
  }

  private ModelPrice price(String model) {
    if (!prices.hasPrice(model)) {
      throw new ConfigurationException("model '" + model + "' of dataset '" + data.name() + "' has no price and the"
          + " data records no cost for it; priced models: " + new java.util.TreeSet<>(prices.prices().keySet()));
    }
    return prices.price(model);
  }

  /** The dataset. */
  public PoolDataset data() {
    return data;
  }

  /** The dollar cost of sending example {@code example} to model {@code model} (indices into the dataset). */
  public double cost(int example, int model) {
    return cost[example][model];
  }

  /** A model's mean cost per request over the whole dataset. */
  public double meanCost(int model) {
    double sum = 0;
    for (double[] row : cost) {
      sum += row[model];
    }
    return sum / cost.length;
  }

  /** Where the costs came from (one or more bases). */
  public Set<Basis> bases() {
    return bases;
  }

  /** Whether any cost is an estimate (estimated or assumed token counts). */
  public boolean estimated() {
    return bases.contains(Basis.ESTIMATED_TOKENS) || bases.contains(Basis.ASSUMED);
  }

  /** The bases for people: "estimated token counts x prices" or several joined by "; ". */
  public String description() {
    return String.join("; ", bases.stream().map(Basis::description).toList());
  }

  /**
   * Expected costs, before the calls, of examples {@code rows} for every model, learned from examples {@code train}
   * (each model's mean answer length there, or its mean cost when the data records only costs).
   *
   * @return one row per example of {@code rows}, one column per model
   */
  double[][] expected(int[] train, int[] rows) {
    int models = data.models().size();
    double[][] out = new double[rows.length][models];
    double[] mean = new double[models];
    for (int m = 0; m < models; m++) {
      for (int t : train) {
        mean[m] += cost[t][m];
      }
      mean[m] /= Math.max(1, train.length);
    }
    double[] length = new double[models];
    for (int m = 0; m < models; m++) {
      double sum = 0;
      int count = 0;
      for (int t : train) {
        if (!Double.isNaN(outputTokens[t][m])) {
          sum += outputTokens[t][m];
          count++;
        }
      }
      length[m] = count > 0 ? sum / count : defaultOutputTokens;
    }
    for (int m = 0; m < models; m++) {
      String model = data.models().get(m);
      boolean byTokens = !recordedOnly && prices.hasPrice(model);
      for (int r = 0; r < rows.length; r++) {
        out[r][m] = byTokens ? PoolChoice.expectedCost(prices.price(model), promptTokens[rows[r]], length[m]) : mean[m];
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "PoolCosts{" + data.name() + ", " + description() + "}";
  }
}
