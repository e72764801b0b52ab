package dev.routellm.examples.server;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.RouteLlmException;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cascade.AnswerExtractors;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.embedding.Embedder;
import dev.routellm.onnx.BuiltInQualityPredictor;
import dev.routellm.prediction.QualityPredictor;
import dev.routellm.prediction.QualityPredictors;
import dev.routellm.routing.Cascade;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.ModelPrice;
import dev.routellm.routing.ModelPool;
import dev.routellm.routing.PoolModel;
import dev.routellm.routing.RoutingPolicy;
import dev.routellm.routing.StepCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The models {@code routellm serve --pool FILE} routes among, read from a small JSON file: for each model its name, its
 * OpenAI-compatible base URL, the server's model id, the environment variable holding its key, its price and what it
 * can do; which two the threshold router chooses between; and the N-way routers served besides it.
 *
 * <pre>{@code
 * {
 *   "models": [
 *     {"name": "gpt-4o", "base_url": "https://api.openai.com/v1", "key_env": "OPENAI_API_KEY",
 *      "price": [2.50, 10.00], "capabilities": {"context_tokens": 128000}},
 *     {"name": "llama-8b", "base_url": "http://localhost:11434/v1", "model": "llama3.1:8b", "key_env": "none",
 *      "price": 0, "capabilities": {"tools": false, "logprobs": false}, "expected_output_tokens": 300}
 *   ],
 *   "strong": "gpt-4o",
 *   "weak": "llama-8b",
 *   "routers": [
 *     {"name": "value", "policy": "quality-cost", "predictor": "pool-knn.safetensors", "lambda": 0.2},
 *     {"name": "reach", "policy": "cheapest-reaching", "predictor": "pool-knn.safetensors", "target": 0.8},
 *     {"name": "agree", "policy": "cascade", "steps": [
 *        {"models": ["llama-8b", "mini"], "check": "agreement", "extractor": "number"},
 *        {"models": ["gpt-4o"]}]}
 *   ]
 * }
 * }</pre>
 *
 * <p>Fields of a model: {@code name} (required, unique: the name in decisions, prices and {@code /stats}), {@code
 * base_url} (required), {@code model} (the server's id, default the name), {@code key_env} (a variable that must be
 * set, or {@code "none"}; default {@code OPENAI_API_KEY} when it is set, else no key), {@code price} (required: {@code
 * [IN, OUT]} dollars per million tokens, or one number for both), {@code capabilities} ({@code tools}, {@code
 * logprobs}, {@code json_mode}, {@code streaming_usage}: true or false; {@code context_tokens}: a positive whole
 * number; all default to "can"), {@code expected_output_tokens}. The pool has two models or more. {@code strong} and
 * {@code weak}, the two that RouteLLM's threshold rule ({@code router-<name>[-<threshold>]}) chooses between, default
 * to the most and least expensive model; {@code reference} (the model savings are measured against) to the most
 * expensive.
 *
 * <p>{@code routers} (optional) lists N-way routers, each served as the model {@code router-<name>}: {@code name},
 * {@code policy} and the policy's fields. {@code quality-cost}: {@code predictor} (an N-way router file from {@code
 * routellm train --prices}, relative to the pool file's folder, or {@code "builtin"}: the built-in predictor, which
 * knows well-known models by their name or server id) and {@code lambda} (>= 0). {@code cheapest-reaching}:
 * {@code predictor} and {@code target} (a predicted quality in [0, 1]). {@code cascade}: {@code steps}, cheapest
 * first, each {@code models} and a {@code check}: {@code agreement} (two models or more, answering in parallel, and an
 * {@code extractor}: number, math, choice-letter, code or text), {@code verifier} (one model; {@code verifier} names
 * the pool model that judges, {@code threshold} in [0, 1]) or {@code confidence} (one model; {@code confidence_model}
 * is {@code alamere} or a confidence-model file, {@code threshold}); a step without {@code check} has one model whose
 * answer is kept; and optionally {@code start}: {@code {"predictor": FILE, "min_quality": Q}} to skip the cheap steps
 * for prompts predicted too hard for them. An unknown, missing or malformed field is an error naming the file and the
 * field. Immutable.
 */
public final class PoolConfig {
  private static final Set<String> TOP = Set.of("models", "strong", "weak", "reference", "routers");
  /** The N-way policies a pool file's routers may use. */
  public static final List<String> POLICIES = List.of("quality-cost", "cheapest-reaching", "cascade");
  private static final Map<String, Set<String>> ROUTER_FIELDS = Map.of(
      "quality-cost", Set.of("name", "policy", "predictor", "lambda"),
      "cheapest-reaching", Set.of("name", "policy", "predictor", "target"),
      "cascade", Set.of("name", "policy", "steps", "start"));
  private static final Set<String> STEP = Set.of("models", "check", "extractor", "verifier", "threshold",
      "confidence_model");
  private static final Set<String> START = Set.of("predictor", "min_quality");
  private static final List<String> CHECKS = List.of("agreement", "verifier", "confidence");
  private static final Set<String> MODEL = Set.of("name", "base_url", "model", "key_env", "price", "capabilities",
      "expected_output_tokens");
  private static final Set<String> CAPABILITIES = Set.of("tools", "logprobs", "json_mode", "streaming_usage",
      "context_tokens");
  private static final String NO_KEY = "none";
  /** Stands for the built-in N-way predictor where a predictor file is expected ({@code "predictor": "builtin"}). */
  private static final Path BUILTIN = Path.of("<builtin>");

  /** One model as the file describes it. */
  public record Model(String name, String baseUrl, String serverModel, String keyEnv, ModelPrice price,
      Capabilities capabilities, Integer expectedOutputTokens) {}

  /**
   * One N-way router as the file describes it, {@code field} being where ({@code routers[0]}); the predictor files
   * resolved against the pool file's folder. Unused parameters are NaN or null.
   */
  public record RouterSpec(String field, String name, String policy, Path predictor, double lambda, double target,
      List<Step> steps, Path startPredictor, double minQuality) {}

  /**
   * One cascade step: its models and its check ({@code agreement}, {@code verifier}, {@code confidence}, or null for a
   * step whose single model's answer is kept); {@code confidenceModel} is {@code alamere} or a file.
   */
  public record Step(List<String> models, String check, String extractor, String verifier, double threshold,
      String confidenceModel) {}

  private final Path file;
  private final List<Model> models;
  private final String strong;
  private final String weak;
  private final String reference;
  private final List<RouterSpec> routers;

  private PoolConfig(Path file, List<Model> models, String strong, String weak, String reference,
      List<RouterSpec> routers) {
    this.file = file;
    this.models = List.copyOf(models);
    this.strong = strong;
    this.weak = weak;
    this.reference = reference;
    this.routers = List.copyOf(routers);
  }

  /**
   * Reads and checks a pool file.
   *
   * @throws InvalidFileException naming the file and the field at fault
   */
  public static PoolConfig read(Path file) {
    Objects.requireNonNull(file, "file");
    JsonNode root;
    try {
      if (Files.size(file) > 1 << 20) {
        throw InvalidFileException.of(file, "a pool file must be at most 1 MiB but this one is " + Files.size(file)
            + " bytes");
      }
      root = OpenAiWire.REQUESTS.readTree(Files.readString(file));
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      String what = "not valid JSON: " + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
      throw line > 0 ? InvalidFileException.atLine(file, line, what) : InvalidFileException.of(file, what);
    } catch (IOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage());
    }
    Reader r = new Reader(file);
    if (root == null || !root.isObject()) {
      throw r.error(null, "must be a JSON object with 'models'");
    }
    r.known(root, TOP, null);
    JsonNode list = root.path("models");
    if (!list.isArray() || list.size() < 2) {
      throw r.error("models", "must be an array of two models or more but was " + (list.isArray() ? list.size()
          + " model(s)" : list.isMissingNode() ? "missing" : list));
    }
    List<Model> models = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Model m = r.model(list.get(i), "models[" + i + "]");
      if (!names.add(m.name())) {
        throw r.error("models[" + i + "].name", "must be unique but '" + m.name() + "' appears twice");
      }
      models.add(m);
    }
    Model priciest = models.stream().max(java.util.Comparator.comparingDouble(PoolConfig::unitPrice)).orElseThrow();
    Model cheapest = models.stream().filter(m -> m != priciest)
        .min(java.util.Comparator.comparingDouble(PoolConfig::unitPrice)).orElseThrow();
    String strong = r.name(root, "strong", names, priciest.name());
    String weak = r.name(root, "weak", names, cheapest.name());
    if (strong.equals(weak)) {
      throw r.error("weak", "must differ from 'strong' but both are '" + strong + "'");
    }
    String reference = r.name(root, "reference", names, null);
    List<RouterSpec> routers = new ArrayList<>();
    JsonNode specs = root.path("routers");
    if (!specs.isMissingNode() && !specs.isNull()) {
      if (!specs.isArray()) {
        throw r.error("routers", "must be an array of routers but was " + specs);
      }
      Set<String> routerNames = new LinkedHashSet<>();
      for (int i = 0; i < specs.size(); i++) {
        RouterSpec spec = r.router(specs.get(i), "routers[" + i + "]", names);
        if (!routerNames.add(spec.name())) {
          throw r.error("routers[" + i + "].name", "must be unique but '" + spec.name() + "' appears twice");
        }
        routers.add(spec);
      }
    }
    return new PoolConfig(file, models, strong, weak, reference, routers);
  }

  private static double unitPrice(Model m) {
    return m.price().inputPerMillion() + m.price().outputPerMillion();
  }

  public List<Model> models() {
    return models;
  }

  /** The model the threshold router sends high-scoring prompts to. */
  public String strong() {
    return strong;
  }

  /** The model the threshold router sends the rest to. */
  public String weak() {
    return weak;
  }

  /** The N-way routers, in file order. */
  public List<RouterSpec> routers() {
    return routers;
  }

  /** The file read, for messages. */
  public Path file() {
    return file;
  }

  /**
   * The routing policy of each N-way router, by name, in file order: predictors loaded (an embedding predictor with
   * the embedder {@code embedders} opens for its id; the caller owns and closes those), confidence models read, and
   * each policy checked against {@code pool}.
   *
   * @throws InvalidFileException naming the pool file and the field at fault when a predictor or confidence-model
   *     file cannot be used, or a policy cannot work with the pool (a predictor that does not know a model of it)
   */
  public Map<String, RoutingPolicy> policies(ModelPool pool, Function<String, Embedder> embedders) {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(embedders, "embedders");
    Map<Path, QualityPredictor> predictors = new HashMap<>();
    Map<String, RoutingPolicy> out = new LinkedHashMap<>();
    Reader r = new Reader(file);
    for (RouterSpec spec : routers) {
      RoutingPolicy policy;
      switch (spec.policy()) {
        case "quality-cost" -> policy = RoutingPolicy.qualityCost(
            predictor(spec.predictor(), spec.field() + ".predictor", predictors, embedders), spec.lambda());
        case "cheapest-reaching" -> policy = RoutingPolicy.cheapestReaching(
            predictor(spec.predictor(), spec.field() + ".predictor", predictors, embedders), spec.target());
        default -> {
          Cascade.Builder chain = Cascade.builder();
          for (int i = 0; i < spec.steps().size(); i++) {
            Step step = spec.steps().get(i);
            String where = spec.field() + ".steps[" + i + "]";
            if (step.check() == null) {
              chain.then(step.models().get(0));
              continue;
            }
            StepCheck check = switch (step.check()) {
              case "agreement" -> StepCheck.agreement(AnswerExtractors.named(step.extractor()));
              case "verifier" -> StepCheck.verifier(step.verifier(), step.threshold());
              default -> StepCheck.confidence(confidenceModel(step.confidenceModel(), where + ".confidence_model"),
                  step.threshold());
            };
            chain.step(check, step.models().toArray(String[]::new));
          }
          if (spec.startPredictor() != null) {
            chain.startWhen(predictor(spec.startPredictor(), spec.field() + ".start.predictor", predictors,
                embedders), spec.minQuality());
          }
          policy = RoutingPolicy.cascade(chain.build());
        }
      }
      try {
        policy.validate(pool);
      } catch (RouteLlmException e) {
        throw r.error(spec.field(), "cannot work with the pool: " + e.getMessage());
      }
      out.put(spec.name(), policy);
    }
    return out;
  }

  private QualityPredictor predictor(Path path, String field, Map<Path, QualityPredictor> loaded,
      Function<String, Embedder> embedders) {
    QualityPredictor known = loaded.get(path);
    if (known != null) {
      return known;
    }
    if (path.equals(BUILTIN)) {
      QualityPredictor builtIn = builtIn(field, embedders);
      loaded.put(path, builtIn);
      return builtIn;
    }
    try {
      RouterFile router = RouterFile.read(path);
      if (!router.isPool()) {
        throw new Reader(file).error(field, "must be an N-way predictor (from 'routellm train --prices') but "
            + path + " holds a two-model router (" + router.strongModel() + " vs " + router.weakModel() + ")");
      }
      QualityPredictor p;
      try {
        p = QualityPredictors.load(router, null);
      } catch (ConfigurationException needsEmbedder) {
        p = QualityPredictors.load(router, embedders.apply(router.embedderId()));
      }
      loaded.put(path, p);
      return p;
    } catch (InvalidFileException | ConfigurationException e) {
      if (e.getMessage().startsWith(file.toString())) {
        throw e;
      }
      throw new Reader(file).error(field, "cannot be used: " + e.getMessage());
    }
  }

  /**
   * The built-in N-way predictor over this pool: each model known by its name, else by its server's id (as
   * {@link BuiltInQualityPredictor#resolve} matches names).
   */
  private QualityPredictor builtIn(String field, Function<String, Embedder> embedders) {
    Map<String, String> known = new java.util.LinkedHashMap<>();
    for (Model m : models) {
      Optional<String> k = BuiltInQualityPredictor.resolve(m.name()).or(() -> BuiltInQualityPredictor.resolve(
          m.serverModel()));
      if (k.isEmpty()) {
        throw new Reader(file).error(field, "is 'builtin', which does not know model '" + m.name() + "' (server id '"
            + m.serverModel() + "'); it knows " + BuiltInQualityPredictor.aliases().keySet() + " and "
            + BuiltInQualityPredictor.knownModels().size() + " full names such as "
            + BuiltInQualityPredictor.knownModels().subList(0, 3) + ": train a predictor with 'routellm train"
            + " --prices' instead");
      }
      known.put(m.name(), k.get());
    }
    return BuiltInQualityPredictor.withEmbedder(embedders.apply(BuiltInQualityPredictor.embedderId()), known);
  }

  private ConfidenceModel confidenceModel(String name, String field) {
    if (name.equals("alamere")) {
      return ConfidenceModel.alamere();
    }
    try {
      return ConfidenceModel.load(file.resolveSibling(name));
    } catch (InvalidFileException e) {
      throw new Reader(file).error(field, "cannot be used: " + e.getMessage());
    }
  }

  /**
   * Opens a backend per model on {@code client} (shared; the caller closes the backends, not the client) and builds
   * the pool.
   *
   * @param env the environment the key variables are read from
   * @throws ConfigurationException when a named key variable is not set, or a model at OpenAI's own API has no key
   */
  public Opened open(OkHttpClient client, Map<String, String> env) {
    List<ModelBackend> backends = new ArrayList<>();
    ModelPool.Builder pool = ModelPool.builder();
    try {
      for (Model m : models) {
        OpenAiBackend.Builder b = OpenAiBackend.builder().baseUrl(m.baseUrl()).model(m.serverModel()).name(m.name())
            .capabilities(m.capabilities()).httpClient(client);
        if (m.keyEnv() == null) {
          String key = env.get(OpenAiBackend.DEFAULT_API_KEY_VARIABLE);
          if (key != null && !key.isBlank()) {
            b.apiKey(key);
          } else if ("api.openai.com".equalsIgnoreCase(okhttp3.HttpUrl.get(m.baseUrl()).host())) {
            // OpenAI answers 401 to every call without a key: refuse to start rather than fail every request
            throw new ConfigurationException(file + ": model '" + m.name() + "' at " + m.baseUrl() + ": "
                + OpenAiBackend.DEFAULT_API_KEY_VARIABLE + " is not set and key_env names no other variable; set it,"
                + " or give key_env");
          } else {
            b.noApiKey();
          }
        } else if (m.keyEnv().equals(NO_KEY)) {
          b.noApiKey();
        } else {
          String key = env.get(m.keyEnv());
          if (key == null || key.isBlank()) {
            throw new ConfigurationException(file + ": model '" + m.name() + "': key_env names " + m.keyEnv()
                + ", which is not set");
          }
          b.apiKey(key);
        }
        OpenAiBackend backend = b.build();
        backends.add(backend);
        PoolModel.Builder pm = PoolModel.builder(backend).price(m.price()).capabilities(m.capabilities());
        if (m.expectedOutputTokens() != null) {
          pm.expectedOutputTokens(m.expectedOutputTokens());
        }
        pool.model(pm.build());
      }
      if (reference != null) {
        pool.reference(reference);
      }
      return new Opened(pool.build(), backends);
    } catch (RuntimeException e) {
      backends.forEach(ModelBackend::close);
      throw e;
    }
  }

  /** The pool and the backends it holds, which closing releases. */
  public record Opened(ModelPool pool, List<ModelBackend> backends) implements AutoCloseable {
    @Override
    public void close() {
      backends.forEach(ModelBackend::close);
    }
  }

  /** Reads fields, naming the file and the field in every error. */
  private record Reader(Path file) {
    InvalidFileException error(String field, String message) {
      return InvalidFileException.of(file, field == null ? message : "field '" + field + "' " + message);
    }

    void known(JsonNode object, Set<String> allowed, String where) {
      for (String name : object.propertyNames()) {
        if (!allowed.contains(name)) {
          String field = where == null ? name : where + "." + name;
          throw error(field, "is not a field of a pool file; known here: " + String.join(", ", new java.util.TreeSet<>(
              allowed)));
        }
      }
    }

    String text(JsonNode object, String name, String where, boolean required) {
      JsonNode v = object.path(name);
      if (v.isMissingNode() || v.isNull()) {
        if (required) {
          throw error(where + "." + name, "is required");
        }
        return null;
      }
      if (!v.isString() || v.asString().isBlank()) {
        throw error(where + "." + name, "must be a non-empty string but was " + v);
      }
      return v.asString();
    }

    Model model(JsonNode m, String where) {
      if (!m.isObject()) {
        throw error(where, "must be an object but was " + m);
      }
      known(m, MODEL, where);
      String name = text(m, "name", where, true);
      String baseUrl = text(m, "base_url", where, true);
      if (!baseUrl.matches("https?://.+")) {
        throw error(where + ".base_url", "must be an http:// or https:// URL but was '" + baseUrl + "'");
      }
      String serverModel = text(m, "model", where, false);
      String keyEnv = text(m, "key_env", where, false);
      ModelPrice price = price(m.path("price"), where + ".price");
      Capabilities caps = capabilities(m.path("capabilities"), where + ".capabilities");
      Integer expected = null;
      JsonNode e = m.path("expected_output_tokens");
      if (!e.isMissingNode() && !e.isNull()) {
        if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() <= 0) {
          throw error(where + ".expected_output_tokens", "must be a positive whole number but was " + e);
        }
        expected = e.asInt();
      }
      return new Model(name, baseUrl, serverModel == null ? name : serverModel, keyEnv, price, caps, expected);
    }

    ModelPrice price(JsonNode p, String field) {
      if (p.isMissingNode() || p.isNull()) {
        throw error(field, "is required: [IN, OUT] dollars per million tokens, or one number for both (0 for a model"
            + " you host)");
      }
      if (p.isNumber()) {
        return checked(p.asDouble(), p.asDouble(), field);
      }
      if (p.isArray() && p.size() == 2 && p.get(0).isNumber() && p.get(1).isNumber()) {
        return checked(p.get(0).asDouble(), p.get(1).asDouble(), field);
      }
      throw error(field, "must be [IN, OUT] dollars per million tokens or one number but was " + p);
    }

    ModelPrice checked(double in, double out, String field) {
      if (!(in >= 0 && out >= 0 && Double.isFinite(in) && Double.isFinite(out))) {
        throw error(field, "must be finite and >= 0 but was [" + in + ", " + out + "]");
      }
      return new ModelPrice(in, out);
    }

    Capabilities capabilities(JsonNode c, String where) {
      Capabilities caps = Capabilities.ALL;
      if (c.isMissingNode() || c.isNull()) {
        return caps;
      }
      if (!c.isObject()) {
        throw error(where, "must be an object but was " + c);
      }
      known(c, CAPABILITIES, where);
      caps = flag(c, "tools", where, caps, Capabilities::withTools);
      caps = flag(c, "logprobs", where, caps, Capabilities::withLogprobs);
      caps = flag(c, "json_mode", where, caps, Capabilities::withJsonMode);
      caps = flag(c, "streaming_usage", where, caps, Capabilities::withStreamingUsage);
      JsonNode ctx = c.path("context_tokens");
      if (!ctx.isMissingNode() && !ctx.isNull()) {
        if (!ctx.isIntegralNumber() || !ctx.canConvertToInt() || ctx.asInt() <= 0) {
          throw error(where + ".context_tokens", "must be a positive whole number but was " + ctx);
        }
        caps = caps.withContextTokens(ctx.asInt());
      }
      return caps;
    }

    Capabilities flag(JsonNode c, String name, String where, Capabilities caps,
        java.util.function.BiFunction<Capabilities, Boolean, Capabilities> set) {
      JsonNode v = c.path(name);
      if (v.isMissingNode() || v.isNull()) {
        return caps;
      }
      if (!v.isBoolean()) {
        throw error(where + "." + name, "must be true or false but was " + v);
      }
      return set.apply(caps, v.asBoolean());
    }

    /** One N-way router: its name, policy and the policy's fields, every model named checked against the pool. */
    RouterSpec router(JsonNode n, String where, Set<String> models) {
      if (!n.isObject()) {
        throw error(where, "must be an object with 'name' and 'policy' but was " + n);
      }
      String name = text(n, "name", where, true);
      if (!name.matches("[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*")) {
        throw error(where + ".name", "must be letters, digits, '_', '.' or '-' (it becomes the model id router-"
            + "<name>) but was '" + name + "'");
      }
      String policy = text(n, "policy", where, true);
      if (!POLICIES.contains(policy)) {
        throw error(where + ".policy", "must be one of " + String.join(", ", POLICIES) + " but was '" + policy + "'");
      }
      known(n, ROUTER_FIELDS.get(policy), where);
      return switch (policy) {
        case "quality-cost" -> new RouterSpec(where, name, policy, predictorFile(n, "predictor", where),
            number(n, "lambda", where, 0, Double.MAX_VALUE), Double.NaN, List.of(), null, Double.NaN);
        case "cheapest-reaching" -> new RouterSpec(where, name, policy, predictorFile(n, "predictor", where),
            Double.NaN, number(n, "target", where, 0, 1), List.of(), null, Double.NaN);
        default -> cascade(n, where, name, models);
      };
    }

    private RouterSpec cascade(JsonNode n, String where, String name, Set<String> models) {
      JsonNode list = n.path("steps");
      if (!list.isArray() || list.isEmpty()) {
        throw error(where + ".steps", "must be a non-empty array of steps but was "
            + (list.isMissingNode() ? "missing" : list));
      }
      List<Step> steps = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        steps.add(step(list.get(i), where + ".steps[" + i + "]", models));
      }
      if (steps.stream().allMatch(st -> st.check() == null)) {
        throw error(where + ".steps", "must have at least one step with a 'check' (agreement, verifier or"
            + " confidence); a chain of unchecked steps is a ranking: use quality-cost or cheapest-reaching");
      }
      Path start = null;
      double minQuality = Double.NaN;
      JsonNode s = n.path("start");
      if (!s.isMissingNode() && !s.isNull()) {
        if (!s.isObject()) {
          throw error(where + ".start", "must be an object with 'predictor' and 'min_quality' but was " + s);
        }
        known(s, START, where + ".start");
        start = predictorFile(s, "predictor", where + ".start");
        minQuality = number(s, "min_quality", where + ".start", 0, 1);
      }
      return new RouterSpec(where, name, "cascade", null, Double.NaN, Double.NaN, steps, start, minQuality);
    }

    private Step step(JsonNode n, String where, Set<String> pool) {
      if (!n.isObject()) {
        throw error(where, "must be an object with 'models' but was " + n);
      }
      known(n, STEP, where);
      JsonNode list = n.path("models");
      if (!list.isArray() || list.isEmpty()) {
        throw error(where + ".models", "must be a non-empty array of model names but was "
            + (list.isMissingNode() ? "missing" : list));
      }
      List<String> models = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        JsonNode m = list.get(i);
        if (!m.isString() || !pool.contains(m.asString())) {
          throw error(where + ".models[" + i + "]", "must name a model of the pool (" + String.join(", ", pool)
              + ") but was " + m);
        }
        models.add(m.asString());
      }
      String check = text(n, "check", where, false);
      if (check == null) {
        for (String f : List.of("extractor", "verifier", "threshold", "confidence_model")) {
          if (n.has(f)) {
            throw error(where + "." + f, "belongs to a checked step, but this step has no 'check'");
          }
        }
        if (models.size() != 1) {
          throw error(where + ".models", "must name one model for a step without a check (its answer is kept) but"
              + " names " + models.size());
        }
        return new Step(models, null, null, null, Double.NaN, null);
      }
      if (!CHECKS.contains(check)) {
        throw error(where + ".check", "must be one of " + String.join(", ", CHECKS) + " but was '" + check + "'");
      }
      Set<String> allowed = switch (check) {
        case "agreement" -> Set.of("models", "check", "extractor");
        case "verifier" -> Set.of("models", "check", "verifier", "threshold");
        default -> Set.of("models", "check", "confidence_model", "threshold");
      };
      for (String f : STEP) {
        if (n.has(f) && !allowed.contains(f)) {
          throw error(where + "." + f, "does not belong to a step checked by " + check + " (its fields: "
              + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
        }
      }
      if (check.equals("agreement")) {
        if (models.size() < 2) {
          throw error(where + ".models", "must name two models or more for an agreement check but names "
              + models.size());
        }
        String extractor = text(n, "extractor", where, true);
        if (!AnswerExtractors.NAMES.contains(extractor)) {
          throw error(where + ".extractor", "must be one of " + String.join(", ", AnswerExtractors.NAMES)
              + " but was '" + extractor + "'");
        }
        return new Step(models, check, extractor, null, Double.NaN, null);
      }
      if (models.size() != 1) {
        throw error(where + ".models", "must name one model for a " + check + " check but names " + models.size());
      }
      double threshold = number(n, "threshold", where, check.equals("verifier") ? 0 : -Double.MAX_VALUE,
          check.equals("verifier") ? 1 : Double.MAX_VALUE);
      if (check.equals("verifier")) {
        String verifier = text(n, "verifier", where, true);
        if (!pool.contains(verifier)) {
          throw error(where + ".verifier", "must name a model of the pool (" + String.join(", ", pool)
              + ") but was '" + verifier + "'");
        }
        return new Step(models, check, null, verifier, threshold, null);
      }
      String model = text(n, "confidence_model", where, true);
      if (!model.equals("alamere")) {
        regularFile(file.resolveSibling(model), where + ".confidence_model");
      }
      return new Step(models, check, null, null, threshold, model);
    }

    /**
     * A predictor file named by {@code field}, resolved against the pool file's folder; it must exist. {@code
     * "builtin"} names the built-in predictor.
     */
    private Path predictorFile(JsonNode n, String field, String where) {
      String name = text(n, field, where, true);
      if (name.equals(BuiltInQualityPredictor.NAME)) {
        return BUILTIN;
      }
      Path p = file.resolveSibling(name);
      regularFile(p, where + "." + field);
      return p;
    }

    private void regularFile(Path p, String field) {
      if (!Files.isRegularFile(p)) {
        throw error(field, "must name a readable file (relative to the pool file's folder) but " + p
            + (Files.exists(p) ? " is not a regular file" : " does not exist"));
      }
    }

    private double number(JsonNode n, String name, String where, double lo, double hi) {
      JsonNode v = n.path(name);
      if (v.isMissingNode() || v.isNull()) {
        throw error(where + "." + name, "is required");
      }
      if (!v.isNumber() || !(v.asDouble() >= lo && v.asDouble() <= hi)) {
        String range = lo == -Double.MAX_VALUE ? "a finite number" : hi == Double.MAX_VALUE ? "a number >= " + plain(lo)
            : "a number in [" + plain(lo) + ", " + plain(hi) + "]";
        throw error(where + "." + name, "must be " + range + " but was " + v);
      }
      return v.asDouble();
    }

    private static String plain(double v) {
      return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    String name(JsonNode root, String field, Set<String> names, String fallback) {
      JsonNode n = root.path(field);
      if (!n.isMissingNode() && !n.isNull() && (!n.isString() || n.asString().isBlank())) {
        throw error(field, "must be a model name but was " + n);
      }
      String v = n.isString() ? n.asString() : null;
      if (v == null) {
        return fallback;
      }
      if (!names.contains(v)) {
        throw error(field, "must name a model of the pool (" + String.join(", ", names) + ") but was '" + v + "'");
      }
      return v;
    }
  }
}
