package dev.routellm.examples.cli;

import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.RoutingDecision;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Routes a handful of built-in prompts and shows each decision and its estimated cost. */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Routes a handful of built-in prompts and prints, per prompt, the decision (model, score, threshold) and the"
          + " estimated cost. Works offline: no model is called."
    })
public final class QuickstartCommand implements Callable<Integer> {
  /** Completion tokens assumed per answer when estimating cost (the RouteLLM paper's average answer length). */
  static final int ASSUMED_COMPLETION_TOKENS = 264;

  static final List<String> PROMPTS =
      List.of(
          "Hi! How are you today?",
          "What is the capital of France?",
          "Translate 'good morning' into Spanish.",
          "Write a haiku about autumn leaves.",
          "Prove that there are infinitely many prime numbers.",
          "A train leaves at 3:40 pm and arrives at 6:15 pm. How long is the journey in minutes?",
          "Implement a thread-safe LRU cache in Java with O(1) get and put, and explain the design.",
          "Explain the difference between a Type I and a Type II error, with an example from medicine.");

  @Mixin OutputOptions output;

  @Option(
      names = "--threshold",
      defaultValue = "0.5",
      description = "Prompts scoring at or above this go to the strong model (default: ${DEFAULT-VALUE}).")
  double threshold;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the random router (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("--threshold must be in [0, 1] but was " + threshold);
    }
    WinRatePredictor predictor = RandomPredictor.withSeed(seed);
    CostModel prices = CostModel.paperDefaults();
    PrintWriter text = output.text();
    text.printf(Locale.ROOT, "Router: %s, threshold %.3f; strong %s, weak %s%n", predictor.name(), threshold,
        CostModel.GPT_4, CostModel.MIXTRAL);
    text.printf(Locale.ROOT, "%-6s %-28s %7s  %10s  %s%n", "tier", "model", "score", "est. cost", "prompt");
    List<Map<String, Object>> rows = new ArrayList<>();
    double total = 0;
    double allStrong = 0;
    for (String prompt : PROMPTS) {
      long start = System.nanoTime();
      double score = predictor.score(prompt);
      boolean strong = score >= threshold;
      String model = strong ? CostModel.GPT_4 : CostModel.MIXTRAL;
      Usage usage = new Usage(Usage.estimate(prompt, "").promptTokens(), ASSUMED_COMPLETION_TOKENS, true);
      double cost = prices.cost(model, usage);
      total += cost;
      allStrong += prices.cost(CostModel.GPT_4, usage);
      text.printf(Locale.ROOT, "%-6s %-28s %7.4f  $%9.6f  %s%n", strong ? "strong" : "weak", model, score, cost,
          abbreviate(prompt, 60));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("prompt", prompt);
      row.put("model", model);
      row.put("tier", strong ? "strong" : "weak");
      row.put("score", score);
      row.put("threshold", threshold);
      row.put("estimated_cost", cost);
      row.put("decision_micros", (System.nanoTime() - start) / 1000);
      rows.add(row);
    }
    text.printf(Locale.ROOT, "Estimated cost $%.6f vs $%.6f all-strong (%.1f%% saved).%n", total, allStrong,
        100 * (1 - total / allStrong));
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("router", predictor.name());
    result.put("threshold", threshold);
    result.put("strong_model", CostModel.GPT_4);
    result.put("weak_model", CostModel.MIXTRAL);
    result.put("decisions", rows);
    result.put("estimated_cost", total);
    result.put("all_strong_cost", allStrong);
    output.result(result);
    return 0;
  }

  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
