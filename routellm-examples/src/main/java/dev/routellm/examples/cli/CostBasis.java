package dev.routellm.examples.cli;

import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.Outcome;
import dev.routellm.evaluation.CostAxis;
import dev.routellm.routing.Tier;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Where {@code eval}'s dollar figures come from: the data's own per-call costs or token counts when every call has
 * one, otherwise the RouteLLM paper's prices and average request ({@link CostAxis#paper()}), saying why.
 *
 * <p>Per call, a recorded cost ({@code strong_cost}, {@code weak_cost}) wins; without one, the call's token counts are
 * priced at the paper's per-token prices (the strong model at {@link CostModel#GPT_4}'s, the weak one at
 * {@link CostModel#MIXTRAL}'s). The axis then holds each model's mean cost per request over the data: the cost of an
 * average request, not of the exact requests a router picked. Immutable and thread-safe.
 */
final class CostBasis {
  /** Where the prices came from; {@link #json()} is the {@code --json} "prices" value. */
  enum Source {
    /** Every call has a recorded cost. */
    FILE("file"),
    /** Every call has a recorded cost or token counts, and some were priced from tokens. */
    FILE_TOKENS("file_tokens"),
    /** The paper's prices and average request. */
    PAPER("paper");

    private final String json;

    Source(String json) {
      this.json = json;
    }

    String json() {
      return json;
    }
  }

  private final CostAxis axis;
  private final Source source;
  private final String description;

  private CostBasis(CostAxis axis, Source source, String description) {
    this.axis = axis;
    this.source = source;
    this.description = description;
  }

  /** The cost basis of a dataset: its own costs or tokens when every call has them, else the paper's. */
  static CostBasis of(Dataset data) {
    Objects.requireNonNull(data, "data");
    CostModel paperPrices = CostModel.paperDefaults();
    double[] sums = new double[2];
    int recorded = 0;
    int fromTokens = 0;
    int missing = 0;
    String firstMissing = null;
    for (Example e : data.examples()) {
      for (Tier tier : new Tier[] {Tier.STRONG, Tier.WEAK}) {
        Outcome outcome = e.outcome(tier);
        OptionalDouble cost = outcome.cost();
        Optional<Usage> usage = outcome.usage();
        if (cost.isPresent()) {
          sums[tier.ordinal()] += cost.getAsDouble();
          recorded++;
        } else if (usage.isPresent()) {
          sums[tier.ordinal()] += paperPrices.cost(tier == Tier.STRONG ? CostModel.GPT_4 : CostModel.MIXTRAL,
              usage.get());
          fromTokens++;
        } else {
          missing++;
          if (firstMissing == null) {
            firstMissing = "example '" + e.id() + "', " + tier.name().toLowerCase(Locale.ROOT);
          }
        }
      }
    }
    int calls = 2 * data.size();
    if (missing == 0) {
      CostAxis axis = CostAxis.ofCosts(data.strongModel(), data.weakModel(), sums[0] / data.size(),
          sums[1] / data.size());
      return fromTokens == 0
          ? new CostBasis(axis, Source.FILE, "the data's recorded costs (strong_cost, weak_cost), mean per request")
          : new CostBasis(axis, Source.FILE_TOKENS, (recorded == 0 ? "the data's token counts"
              : "the data's recorded costs, and its token counts where a call has no cost (" + fromTokens + " of "
                  + calls + " calls),") + " at the paper's per-token prices (strong as " + CostModel.GPT_4
              + ", weak as " + CostModel.MIXTRAL + "), mean per request");
    }
    String why = missing == calls ? "the data has no costs or token counts"
        : missing + " of " + calls + " calls have neither a cost nor token counts (first: " + firstMissing + ")";
    return new CostBasis(CostAxis.paper(), Source.PAPER,
        "the paper's prices and average request, as " + why);
  }

  CostAxis axis() {
    return axis;
  }

  Source source() {
    return source;
  }

  /** Where the prices came from, in words, for the text output and the {@code --json} "prices_basis". */
  String description() {
    return description;
  }
}
