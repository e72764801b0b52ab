package dev.routellm.examples.cli;

import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.Usage;
import dev.routellm.cost.Dollars;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.onnx.BuiltInRouter;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
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

/**
 * Routes a handful of built-in prompts and shows each decision and its cost: between a strong and a weak model with
 * a win-rate predictor, then among a pool of priced models with the built-in quality predictor ({@link
 * QuickstartPool}).
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Routes a handful of built-in prompts and prints, per prompt, the decision (model, score, threshold) and the"
          + " cost; then routes them among a pool of three priced models (--nway-models) with the built-in quality"
          + " predictor and the quality-cost policy, showing each model's predicted quality and expected cost.",
      "Offline by default: no model is called and the cost is estimated (prompt tokens from its length, "
          + QuickstartCommand.ASSUMED_COMPLETION_TOKENS + " answer tokens). With OPENAI_API_KEY set, or base URLs"
          + " given (e.g. --weak-url http://localhost:11434/v1 --weak-model llama3.1:8b --weak-price 0,0), it calls the real models"
          + " (answers capped at --max-tokens) and reports the billed cost. The pool's models are called when each"
          + " has a base URL (the strong and weak models' apply to their names; --nway-url for the others) and a key"
          + " at OpenAI's."
    })
public final class QuickstartCommand implements Callable<Integer> {
  /** Completion tokens assumed per answer when estimating cost (the RouteLLM paper's average answer length). */
  static final int ASSUMED_COMPLETION_TOKENS = 264;

  /**
   * A mix of everyday chat and the kinds of question the built-in router learned from (MMLU subjects and grade-school
   * math word problems).
   */
  static final List<String> PROMPTS =
      List.of(
          "Hi! How are you today?",
          "Who wrote Pride and Prejudice?",
          "Write a haiku about autumn leaves.",
          "Janet has 3 apples and buys 2 bags of 6 apples each. She gives away 5. How many apples does she have?",
          "Find all real x such that x^2 - 5x + 6 < 0.",
          "In a contract dispute, when is a promise enforceable without consideration?",
          "Which of the following is a function of the liver?\nA. bile production\nB. insulin secretion\n"
              + "C. red cell storage\nD. gas exchange\nAnswer:",
          "Implement a thread-safe LRU cache in Java with O(1) get and put, and explain the design.");

  /** What the built-in router learned from, and how to get one that knows your traffic. */
  static final String BUILT_IN_NOTE = "The built-in router predicts how hard a prompt is from benchmark questions"
      + " (RouteLLM's MMLU, GSM8K and MT-Bench, ZeroEval's GSM8K and MATH, LLMRouter's 14 tasks: 23,564 prompts; a"
      + " ridge regression on MiniLM embeddings and length, 2 kB). It has never seen your traffic, and on a benchmark"
      + " it was not trained on it is barely better than random (APGR 0.52 on average, random 0.50). For a router"
      + " that knows your traffic, capture it, label it and train on it:\n"
      + "  routellm serve --traffic-log traffic.jsonl ...\n"
      + "  routellm label --prompts traffic.jsonl --model gpt-4o=https://api.openai.com/v1"
      + " --model gpt-4o-mini=https://api.openai.com/v1 --judge gpt-4o=https://api.openai.com/v1 --out battles.jsonl"
      + " --budget 5\n"
      + "  routellm train --benchmark battles.jsonl --router knn --strong-share 0.3 --out router.safetensors";

  @Mixin OutputOptions output;
  @Mixin PredictorOptions predictorOptions;
  @Mixin BackendOptions backends;

  @Option(names = "--offline", description = "Never call a model, even when an API key is set.")
  boolean offline;

  @Option(names = "--max-tokens", defaultValue = "256",
      description = "Cap on each answer's tokens when calling real models (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--nway-models", paramLabel = "NAME[=KNOWN]", split = ",",
      defaultValue = "gpt-4o,gpt-4o-mini,llama-3-8b",
      description = "The N-way section's pool: models the built-in quality predictor knows (any case; short names"
          + " such as gpt-4o or llama-3.1-8b), or NAME=KNOWN for a model of yours that is a known one"
          + " (llama3.1:8b=llama-3.1-8b); 'none' leaves the section out (default: ${DEFAULT-VALUE}).")
  List<String> nwayModels;

  @Option(names = "--nway-url", paramLabel = "NAME=URL",
      description = "Base URL of a pool model (repeatable); the strong and weak models' URLs apply to their names. A"
          + " pool with a model without a URL is routed offline.")
  Map<String, String> nwayUrls = new LinkedHashMap<>();

  @Option(names = "--nway-key-env", paramLabel = "NAME=VAR",
      description = "Environment variable with a pool model's API key, or 'none' (repeatable; default: the strong"
          + " and weak models' for their names, OPENAI_API_KEY for the others).")
  Map<String, String> nwayKeyEnvs = new LinkedHashMap<>();

  @Option(names = "--nway-price", paramLabel = "NAME=IN,OUT",
      description = "A pool model's dollars per million input,output tokens (repeatable); default: the strong and"
          + " weak models' prices for their names, the list price of a known model (" + DefaultPrices.HELP + "),"
          + " required for any other.")
  Map<String, String> nwayPrices = new LinkedHashMap<>();

  @Option(names = "--lambda", defaultValue = "0.04", paramLabel = "L",
      description = "The N-way trade-off: a model's utility is its predicted quality less L times its expected cost"
          + " over the most expensive model's; 0 picks the best predicted quality (default: ${DEFAULT-VALUE}).")
  double lambda;

  @Override
  public Integer call() {
    if (maxTokens <= 0) {
      throw new IllegalArgumentException("--max-tokens must be > 0 but was " + maxTokens);
    }
    CostModel prices = backends.costModel();
    java.util.Optional<QuickstartPool> pool = QuickstartPool.of(this);
    String offlineReason = offlineReason(System.getenv());
    try (PredictorOptions.Loaded loaded = predictorOptions.load();
        ModelBackend strong = backends.strong();
        ModelBackend weak = backends.weak()) {
      loaded.checkModels(strong.model(), weak.model(), output.err());
      Router router =
          Router.builder()
              .strong(strong)
              .weak(weak)
              .predictor(loaded.predictor())
              .threshold(loaded.threshold())
              .costModel(prices)
              .build();
      Map<String, Object> result =
          run(router, prices, offlineReason, loaded.threshold(), strong.model(), weak.model());
      if (pool.isPresent()) {
        result.put("nway", nway(pool.get(), loaded));
      }
      output.result(result);
      return 0;
    }
  }

  /** The N-way section, on the built-in router already loaded for the two-model part when there is one. */
  private Map<String, Object> nway(QuickstartPool pool, PredictorOptions.Loaded loaded) {
    String reason = pool.offlineReason(offline, System.getenv());
    if (loaded.resources() instanceof BuiltInRouter builtIn) {
      return pool.run(PROMPTS, builtIn, reason, output.text());
    }
    try (BuiltInRouter builtIn = BuiltInRouter.topics()) {
      return pool.run(PROMPTS, builtIn, reason, output.text());
    }
  }

  /**
   * Why no model will be called, or null when both can be: --offline, or a model at OpenAI's URL without a key (only
   * a local weak model given, say, and no OPENAI_API_KEY for the strong one).
   */
  String offlineReason(Map<String, String> env) {
    if (offline) {
      return "--offline was given";
    }
    List<String> missing = new ArrayList<>();
    if (!BackendOptions.reachable(backends.strongUrl, backends.strongKeyEnv, env)) {
      missing.add("the strong model " + backends.strongModel + " (" + keySource(backends.strongKeyEnv) + ")");
    }
    if (!BackendOptions.reachable(backends.weakUrl, backends.weakKeyEnv, env)) {
      missing.add("the weak model " + backends.weakModel + " (" + keySource(backends.weakKeyEnv) + ")");
    }
    if (missing.isEmpty()) {
      return null;
    }
    return "no API key for " + String.join(" or ", missing) + " at " + BackendOptions.OPENAI + "; set the key, or"
        + " give --strong-url and --weak-url of servers you run";
  }

  private static String keySource(String keyEnv) {
    return BackendOptions.NO_KEY.equals(keyEnv) ? "its --*-key-env is 'none'" : keyEnv + " is not set";
  }

  private Map<String, Object> run(
      Router router, CostModel prices, String offlineReason, double threshold, String strongModel, String weakModel) {
    boolean online = offlineReason == null;
    PrintWriter text = output.text();
    text.printf(Locale.ROOT, "Router %s, threshold %.4f; strong %s, weak %s; %s%n", router.name(), threshold,
        strongModel, weakModel,
        online ? "calling the models" : "offline (estimated cost, no model called): " + offlineReason);
    if (PredictorOptions.TOPICS.equals(predictorOptions.router)) {
      text.println(BUILT_IN_NOTE);
    }
    text.printf(Locale.ROOT, "%-6s %-22s %7s %10s %8s  %s%n", "tier", "model", "score", "cost $", "ms", "prompt");
    List<Map<String, Object>> rows = new ArrayList<>();
    double total = 0;
    double allStrong = 0;
    for (String prompt : PROMPTS) {
      ChatRequest request = ChatRequest.builder().user(prompt).maxTokens(maxTokens).build();
      Map<String, Object> row = new LinkedHashMap<>();
      RoutingDecision d;
      double cost;
      RoutedResponse response = online ? QuickstartCommand.call(router, request, row) : null;
      if (online) {
        d = response.decision();
        cost = response.cost();
      } else {
        d = router.route(request);
        Usage usage = new Usage(Usage.estimate(prompt, "").promptTokens(), ASSUMED_COMPLETION_TOKENS, true);
        cost = prices.cost(d.model(), usage);
        allStrong += prices.cost(strongModel, usage);
      }
      total += cost;
      text.printf(Locale.ROOT, "%-6s %-22s %7.4f %10.6f %8.3f  %s%n", (d.model().equals(strongModel) ? "strong" : "weak"),
          abbreviate(d.model(), 22), d.score(), cost, d.decisionTime().toNanos() / 1e6, abbreviate(prompt, 56));
      if (online) {
        printOutcome(text, response);
      }
      row.put("prompt", prompt);
      row.put("model", d.model());
      row.put("tier", (d.model().equals(strongModel) ? "strong" : "weak"));
      row.put("score", d.score());
      row.put("threshold", d.threshold());
      row.put("reason", d.reason());
      row.put(online ? "cost" : "estimated_cost", cost);
      row.put("decision_ms", d.decisionTime().toNanos() / 1e6);
      rows.add(row);
    }
    if (online) {
      CostSnapshot s = router.costs();
      allStrong = s.allStrongCost();
    }
    text.printf(Locale.ROOT, "%s cost %s vs %s sending everything to %s (%.1f%% saved).%n",
        online ? "Billed" : "Estimated", Dollars.format(total), Dollars.format(allStrong), strongModel,
        allStrong > 0 ? 100 * (1 - total / allStrong) : 0.0);
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("router", router.name());
    result.put("threshold", threshold);
    result.put("strong_model", strongModel);
    result.put("weak_model", weakModel);
    result.put("online", online);
    result.put("offline_reason", offlineReason);
    result.put("decisions", rows);
    result.put(online ? "cost" : "estimated_cost", total);
    result.put("all_strong_cost", allStrong);
    return result;
  }

  /** Sends {@code request} through {@code router} and records who answered, whether it fell back, and the answer. */
  static RoutedResponse call(Router router, ChatRequest request, Map<String, Object> row) {
    RoutedResponse r = router.chat(request);
    row.put("answered_by", r.answeredBy());
    row.put("fell_back", r.fellBack());
    row.put("answer", r.response().text());
    return r;
  }

  /**
   * Under a prompt's row of a table that called the models: one line per failed model call, the model that answered
   * when it is not the chosen one, and the answer's start.
   */
  static void printOutcome(PrintWriter text, RoutedResponse r) {
    for (ModelCall call : r.calls()) {
      call.failure().ifPresent(f -> text.printf(Locale.ROOT, "         ! %s failed (%s): %s%n", call.model(),
          f.kind(), abbreviate(f.message(), 90)));
    }
    if (r.fellBack()) {
      text.printf(Locale.ROOT, "         answered by %s instead (fallback)%n", r.answeredBy());
    }
    text.printf(Locale.ROOT, "         answer: %s%n", abbreviate(r.response().text(), 100));
  }

  /** One line of at most {@code max} characters. */
  static String abbreviate(String s, int max) {
    s = s.replace('\n', ' ');
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
