package dev.routellm.examples.cli;

import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.cost.Dollars;
import dev.routellm.cost.PriceTable;
import dev.routellm.data.PriceFile;
import dev.routellm.embedding.Embedder;
import dev.routellm.prediction.QualityPredictor;
import dev.routellm.prediction.QualityPredictors;
import dev.routellm.routing.Candidate;
import dev.routellm.routing.ModelPool;
import dev.routellm.routing.PoolModel;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import dev.routellm.routing.RoutingPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Option;

/**
 * {@code route}'s N-way mode, for a router file from {@code train --prices}: per prompt, each model's predicted
 * quality and expected cost, and the model quality-cost ({@code --lambda}) or cheapest-reaching ({@code --target})
 * would choose. It decides with the library's own router over a pool whose models are never called. Not thread-safe.
 */
final class PoolRoute {
  @Option(names = "--prices", paramLabel = "FILE",
      description = "N-way router files (from 'train --prices'): the price file (model,input_usd_per_mtok,"
          + "output_usd_per_mtok) of the predictor's models, for their expected costs.")
  Path prices;

  @Option(names = "--lambda", paramLabel = "L",
      description = "N-way: choose by quality-cost, the best predicted quality less L times the expected cost relative"
          + " to the most expensive model's (0: the best quality whatever the price).")
  Double lambda;

  @Option(names = "--target", paramLabel = "Q",
      description = "N-way: choose by cheapest-reaching, the cheapest model predicted to reach quality Q in [0, 1].")
  Double target;

  /** The N-way options given, for the error when the router is a two-model one. */
  List<String> given() {
    List<String> out = new ArrayList<>();
    if (prices != null) {
      out.add("--prices");
    }
    if (lambda != null) {
      out.add("--lambda");
    }
    if (target != null) {
      out.add("--target");
    }
    return out;
  }

  /** Routes {@code prompts} with the N-way predictor in {@code file}; text to {@code text}, the JSON returned. */
  Map<String, Object> run(RouterFile file, Path path, List<String> prompts, PrintWriter text) {
    if (prices == null) {
      throw new IllegalArgumentException("--router " + path + " is an N-way predictor: give --prices FILE for its"
          + " models' expected costs, and --lambda L or --target Q");
    }
    if ((lambda == null) == (target == null)) {
      throw new IllegalArgumentException("N-way routing takes one of --lambda L (quality-cost) and --target Q"
          + " (cheapest-reaching)" + (lambda == null ? ", but neither was given" : ", not both"));
    }
    PriceTable table = PriceFile.read(prices);
    Embedder embedder = null;
    try {
      QualityPredictor predictor;
      try {
        predictor = QualityPredictors.load(file, null);
      } catch (dev.routellm.ConfigurationException needsEmbedder) {
        embedder = EmbedderOptions.Choice.forId(file.embedderId()).open();
        predictor = QualityPredictors.load(file, embedder);
      }
      ModelPool.Builder pool = ModelPool.builder();
      for (String m : predictor.models()) {
        if (!table.hasPrice(m)) {
          throw new IllegalArgumentException("--prices " + prices + " has no price for model '" + m + "', which "
              + path + " predicts");
        }
        pool.model(PoolModel.builder(new Uncalled(m)).price(table.price(m)).build());
      }
      RoutingPolicy policy;
      try {
        policy = lambda != null ? RoutingPolicy.qualityCost(predictor, lambda)
            : RoutingPolicy.cheapestReaching(predictor, target);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException((lambda != null ? "--lambda " : "--target ") + e.getMessage());
      }
      Router router = Router.builder().pool(pool.build()).policy(policy).noCircuitBreakers().build();
      return print(router, predictor, prompts, text);
    } finally {
      if (embedder != null) {
        embedder.close();
      }
    }
  }

  private Map<String, Object> print(Router router, QualityPredictor predictor, List<String> prompts,
      PrintWriter text) {
    long start = System.nanoTime();
    List<RoutingDecision> decisions = new ArrayList<>();
    for (String p : prompts) {
      decisions.add(router.route(ChatRequest.of(p)));
    }
    double millis = (System.nanoTime() - start) / 1e6;
    Map<String, Integer> chosen = new TreeMap<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      RoutingDecision d = decisions.get(i);
      chosen.merge(d.model(), 1, Integer::sum);
      text.printf(Locale.ROOT, "%s  ->  %s%n", QuickstartCommand.abbreviate(prompts.get(i).replace('\n', ' '), 90),
          d.model());
      List<Map<String, Object>> candidates = new ArrayList<>();
      for (Candidate c : d.candidates()) {
        text.printf(Locale.ROOT, "  %s %-32s quality %.3f  expected cost %s%n", c.model().equals(d.model()) ? "*" : " ",
            c.model(), c.predictedQuality(), Dollars.format(c.expectedCost()));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", c.model());
        row.put("predicted_quality", c.predictedQuality());
        row.put("expected_cost", c.expectedCost());
        candidates.add(row);
      }
      text.printf(Locale.ROOT, "  %s%n", d.reason());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("prompt", prompts.get(i));
      row.put("model", d.model());
      row.put("rule", d.rule());
      row.put("reason", d.reason());
      row.put("candidates", candidates);
      rows.add(row);
    }
    text.printf(Locale.ROOT, "%d prompts with %s (%s, %s): %s; %.1f ms.%n", prompts.size(), predictor.name(),
        lambda != null ? "quality-cost" : "cheapest-reaching",
        lambda != null ? "lambda " + Dollars.plain(lambda) : "target " + Dollars.plain(target), chosen, millis);
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("router", predictor.name());
    result.put("policy", lambda != null ? "quality-cost" : "cheapest-reaching");
    result.put(lambda != null ? "lambda" : "target", lambda != null ? lambda : target);
    result.put("models", predictor.models());
    result.put("chosen", chosen);
    result.put("decisions", rows);
    return result;
  }

  /** A pool model that is never called: {@code route} decides without calling any model. */
  private record Uncalled(String model) implements ModelBackend {
    @Override
    public Capabilities capabilities() {
      return Capabilities.ALL;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      throw new IllegalStateException("routellm route calls no model");
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      return CompletableFuture.failedFuture(new IllegalStateException("routellm route calls no model"));
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      throw new IllegalStateException("routellm route calls no model");
    }

    @Override
    public void close() {}
  }
}
