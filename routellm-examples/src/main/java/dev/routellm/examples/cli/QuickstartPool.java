package dev.routellm.examples.cli;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.cost.Dollars;
import dev.routellm.cost.ModelPrice;
import dev.routellm.onnx.BuiltInQualityPredictor;
import dev.routellm.onnx.BuiltInRouter;
import dev.routellm.prediction.QualityPredictor;
import dev.routellm.routing.Candidate;
import dev.routellm.routing.ModelPool;
import dev.routellm.routing.PoolModel;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import dev.routellm.routing.RoutingPolicy;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code quickstart}'s N-way section: a pool of priced models routed by the built-in quality predictor
 * ({@link dev.routellm.onnx.BuiltInQualityPredictor}) with the quality-cost policy; per prompt, the chosen model and
 * every candidate's predicted quality and expected cost. Offline unless every pool model has a base URL (and a key at
 * OpenAI's). Not thread-safe; one instance per run.
 */
final class QuickstartPool {
  /** What the N-way section says about its predictor. */
  static final String NOTE = "The built-in quality predictor gives each model's probability of answering well from"
      + " the built-in difficulty score: one logistic curve per model (57 models), fitted to benchmark outcomes"
      + " (ZeroEval's GSM8K and MATH, LLMRouter's 14 tasks, RouteLLM's MMLU, GSM8K and MT-Bench). It knows benchmark"
      + " questions, not your traffic; train a predictor on your own outcomes with routellm train --prices (measure"
      + " it with routellm eval --prices).";

  /**
   * One pool model.
   *
   * @param name the name sent to its server and shown in decisions
   * @param known the built-in predictor's model it is
   * @param url its base URL; null when none was given (it is not called)
   * @param keyEnv the variable holding its API key, or {@link BackendOptions#NO_KEY}
   * @param price its price
   */
  record Member(String name, String known, String url, String keyEnv, ModelPrice price) {}

  private final List<Member> members;
  private final double lambda;
  private final int maxTokens;

  private QuickstartPool(List<Member> members, double lambda, int maxTokens) {
    this.members = members;
    this.lambda = lambda;
    this.maxTokens = maxTokens;
  }

  /**
   * The section from quickstart's options; empty when {@code --nway-models none}.
   *
   * @throws IllegalArgumentException naming the option when a model is listed twice, a map option names a model
   *     outside the pool, a price is malformed or missing, or lambda is negative
   */
  static java.util.Optional<QuickstartPool> of(QuickstartCommand q) {
    List<String> specs = q.nwayModels;
    if (specs.size() == 1 && "none".equals(specs.get(0).strip())) {
      return java.util.Optional.empty();
    }
    if (!(q.lambda >= 0) || Double.isInfinite(q.lambda)) {
      throw new IllegalArgumentException("--lambda must be finite and >= 0 but was " + q.lambda);
    }
    Map<String, String> known = new LinkedHashMap<>();
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      String name = (eq < 0 ? spec : spec.substring(0, eq)).strip();
      String as = (eq < 0 ? name : spec.substring(eq + 1)).strip();
      if (name.isEmpty() || as.isEmpty()) {
        throw new IllegalArgumentException("--nway-models: each entry must be NAME or NAME=KNOWN but was '" + spec
            + "'");
      }
      if (known.put(name, as) != null) {
        throw new IllegalArgumentException("--nway-models lists '" + name + "' twice");
      }
    }
    if (known.size() < 2) {
      throw new IllegalArgumentException("--nway-models needs at least two models (or 'none') but was " + specs);
    }
    try {
      BuiltInQualityPredictor.resolveAll(known);
    } catch (dev.routellm.ConfigurationException e) {
      throw new IllegalArgumentException("--nway-models: " + e.getMessage(), e);
    }
    for (Map.Entry<String, Map<String, String>> option : Map.of("--nway-url", q.nwayUrls, "--nway-key-env",
        q.nwayKeyEnvs, "--nway-price", q.nwayPrices).entrySet()) {
      for (String name : option.getValue().keySet()) {
        if (!known.containsKey(name)) {
          throw new IllegalArgumentException(option.getKey() + " names '" + name + "', which is not in --nway-models "
              + known.keySet());
        }
      }
    }
    BackendOptions b = q.backends;
    List<Member> members = new ArrayList<>();
    for (Map.Entry<String, String> e : known.entrySet()) {
      String name = e.getKey();
      boolean strong = name.equals(b.strongModel);
      boolean weak = name.equals(b.weakModel);
      String url = q.nwayUrls.getOrDefault(name, strong ? b.strongUrl : weak ? b.weakUrl : null);
      String keyEnv = q.nwayKeyEnvs.getOrDefault(name, strong ? b.strongKeyEnv : weak ? b.weakKeyEnv
          : OpenAiBackend.DEFAULT_API_KEY_VARIABLE);
      members.add(new Member(name, e.getValue(), url, keyEnv, price(name, q.nwayPrices.get(name),
          strong ? b.strongPrice : weak ? b.weakPrice : null)));
    }
    return java.util.Optional.of(new QuickstartPool(List.copyOf(members), q.lambda, q.maxTokens));
  }

  private static ModelPrice price(String model, String text, ModelPrice given) {
    if (text != null) {
      try {
        return new PriceConverter().convert(text);
      } catch (TypeConversionException e) {
        throw new IllegalArgumentException("--nway-price " + model + "=" + text + ": " + e.getMessage(), e);
      }
    }
    return DefaultPrices.require("--nway-price " + model + "=" + PriceConverter.FORMAT, model, given);
  }

  List<Member> members() {
    return members;
  }

  /**
   * Why the pool's models will not be called, or null when all can be: --offline, or a model without a base URL or
   * without a key at OpenAI's.
   */
  String offlineReason(boolean offline, Map<String, String> env) {
    if (offline) {
      return "--offline was given";
    }
    List<String> missing = new ArrayList<>();
    for (Member m : members) {
      if (m.url() == null) {
        missing.add("no base URL for " + m.name() + " (give --nway-url " + m.name() + "=URL)");
      } else if (!BackendOptions.reachable(m.url(), m.keyEnv(), env)) {
        missing.add("no API key for " + m.name() + " at " + BackendOptions.OPENAI + " ("
            + (BackendOptions.NO_KEY.equals(m.keyEnv()) ? "its key variable is 'none'" : m.keyEnv() + " is not set")
            + ")");
      }
    }
    return missing.isEmpty() ? null : String.join("; ", missing);
  }

  /**
   * Routes the prompts, prints a table to {@code text} and returns the {@code "nway"} JSON object.
   *
   * @param offlineReason null to call the models
   */
  Map<String, Object> run(List<String> prompts, BuiltInRouter builtIn, String offlineReason, PrintWriter text) {
    Map<String, String> names = new LinkedHashMap<>();
    members.forEach(m -> names.put(m.name(), m.known()));
    QualityPredictor predictor = builtIn.qualityPredictor(names);
    List<ModelBackend> backends = new ArrayList<>();
    try {
      ModelPool.Builder pool = ModelPool.builder();
      for (Member m : members) {
        ModelBackend backend = backend(m);
        backends.add(backend);
        pool.model(PoolModel.of(backend, m.price().inputPerMillion(), m.price().outputPerMillion()));
      }
      Router router = Router.builder().pool(pool.build()).policy(RoutingPolicy.qualityCost(predictor, lambda))
          .build();
      return route(router, prompts, offlineReason, text);
    } finally {
      backends.forEach(ModelBackend::close);
    }
  }

  private static ModelBackend backend(Member m) {
    OpenAiBackend.Builder b = OpenAiBackend.builder().model(m.name())
        .baseUrl(m.url() != null ? m.url() : BackendOptions.OPENAI); // without a URL it is never called
    if (m.url() == null || BackendOptions.NO_KEY.equals(m.keyEnv())
        || !BackendOptions.reachable(m.url(), m.keyEnv(), System.getenv())) {
      b.noApiKey(); // never called: the pool is routed offline, and the offline reason says why
    } else if (!OpenAiBackend.DEFAULT_API_KEY_VARIABLE.equals(m.keyEnv())) {
      b.apiKeyFromEnvironment(m.keyEnv());
    }
    return b.build();
  }

  private Map<String, Object> route(Router router, List<String> prompts, String offlineReason, PrintWriter text) {
    boolean online = offlineReason == null;
    String reference = router.referenceModel();
    List<String> pricing = new ArrayList<>();
    for (Member m : members) {
      pricing.add(m.name() + (m.known().equals(m.name()) ? "" : " (as " + m.known() + ")") + " "
          + Dollars.plain(m.price().inputPerMillion()) + "," + Dollars.plain(m.price().outputPerMillion()));
    }
    text.printf(Locale.ROOT, "%nN-way: a pool of %d models ($ per million input,output tokens: %s), routed by the"
        + " built-in quality predictor with quality-cost, lambda %s (predicted quality - lambda x expected cost /"
        + " %s's); %s%n", members.size(), String.join("; ", pricing), Dollars.plain(lambda), reference,
        online ? "calling the models" : "offline (expected cost, no model called): " + offlineReason);
    text.println(NOTE);
    text.println("Per model: predicted quality and expected cost in $ (prompt tokens from its length, at most"
        + " --max-tokens answer tokens).");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-16s", "chosen"));
    for (Member m : members) {
      header.append(String.format(Locale.ROOT, " %-17s", QuickstartCommand.abbreviate(m.name(), 17)));
    }
    text.println(header.append(String.format(Locale.ROOT, " %10s  %s", "cost $", "prompt")));
    List<Map<String, Object>> rows = new ArrayList<>();
    double total = 0;
    double allReference = 0;
    for (String prompt : prompts) {
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
        cost = d.candidate(d.model()).orElseThrow().expectedCost();
        allReference += d.candidate(reference).orElseThrow().expectedCost();
      }
      total += cost;
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s",
          QuickstartCommand.abbreviate(d.model(), 16)));
      List<Map<String, Object>> candidates = new ArrayList<>();
      for (Member m : members) {
        Candidate c = d.candidate(m.name()).orElseThrow();
        line.append(String.format(Locale.ROOT, " %.3f %-11s", c.predictedQuality(), plain6(c.expectedCost())));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", c.model());
        json.put("predicted_quality", c.predictedQuality());
        json.put("expected_cost", c.expectedCost());
        json.put("excluded", c.excluded().orElse(null));
        candidates.add(json);
      }
      text.println(line.append(String.format(Locale.ROOT, " %10s  %s", plain6(cost),
          QuickstartCommand.abbreviate(prompt, 40))));
      if (online) {
        QuickstartCommand.printOutcome(text, response);
      }
      row.put("prompt", prompt);
      row.put("model", d.model());
      row.put("reason", d.reason());
      row.put("candidates", candidates);
      row.put(online ? "cost" : "estimated_cost", cost);
      row.put("decision_ms", d.decisionTime().toNanos() / 1e6);
      rows.add(row);
    }
    if (online) {
      CostSnapshot s = router.costs();
      allReference = s.allStrongCost();
    }
    text.printf(Locale.ROOT, "%s cost %s vs %s sending everything to %s (%.1f%% saved).%n",
        online ? "Billed" : "Estimated", Dollars.format(total), Dollars.format(allReference), reference,
        allReference > 0 ? 100 * (1 - total / allReference) : 0.0);
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("predictor", BuiltInQualityPredictor.NAME);
    result.put("policy", RoutingDecision.QUALITY_COST);
    result.put("lambda", lambda);
    List<Map<String, Object>> models = new ArrayList<>();
    for (Member m : members) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("model", m.name());
      json.put("known_as", m.known());
      json.put("input_usd_per_mtok", m.price().inputPerMillion());
      json.put("output_usd_per_mtok", m.price().outputPerMillion());
      json.put("url", m.url());
      models.add(json);
    }
    result.put("models", models);
    result.put("reference_model", reference);
    result.put("online", online);
    result.put("offline_reason", offlineReason);
    result.put("decisions", rows);
    result.put(online ? "cost" : "estimated_cost", total);
    result.put("all_reference_cost", allReference);
    return result;
  }

  /** Dollars with six decimals, never in exponent notation. */
  private static String plain6(double dollars) {
    return String.format(Locale.ROOT, "%.6f", dollars);
  }
}
