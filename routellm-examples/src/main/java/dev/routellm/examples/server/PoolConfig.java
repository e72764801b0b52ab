package dev.routellm.examples.server;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.ModelPrice;
import dev.routellm.routing.ModelPool;
import dev.routellm.routing.PoolModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import okhttp3.OkHttpClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The models {@code routellm serve --pool FILE} routes among, read from a small JSON file: for each model its name, its
 * OpenAI-compatible base URL, the server's model id, the environment variable holding its key, its price and what it
 * can do; and which two the threshold router chooses between.
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
 *   "weak": "llama-8b"
 * }
 * }</pre>
 *
 * <p>Fields of a model: {@code name} (required, unique: the name in decisions, prices and {@code /stats}), {@code
 * base_url} (required), {@code model} (the server's id, default the name), {@code key_env} (a variable that must be
 * set, or {@code "none"}; default {@code OPENAI_API_KEY} when it is set, else no key), {@code price} (required: {@code
 * [IN, OUT]} dollars per million tokens, or one number for both), {@code capabilities} ({@code tools}, {@code
 * logprobs}, {@code json_mode}, {@code streaming_usage}: true or false; {@code context_tokens}: a positive whole
 * number; all default to "can"), {@code expected_output_tokens}. {@code strong} and {@code weak} default to the most
 * and least expensive model; {@code reference} (the model savings are measured against) to the most expensive. Only two
 * models are routed between today (RouteLLM's threshold rule); the pool has exactly two. An unknown field, a missing
 * or malformed one is an error naming the file and the field. Immutable.
 */
public final class PoolConfig {
  private static final Set<String> TOP = Set.of("models", "strong", "weak", "reference");
  private static final Set<String> MODEL = Set.of("name", "base_url", "model", "key_env", "price", "capabilities",
      "expected_output_tokens");
  private static final Set<String> CAPABILITIES = Set.of("tools", "logprobs", "json_mode", "streaming_usage",
      "context_tokens");
  private static final String NO_KEY = "none";

  /** One model as the file describes it. */
  public record Model(String name, String baseUrl, String serverModel, String keyEnv, ModelPrice price,
      Capabilities capabilities, Integer expectedOutputTokens) {}

  private final Path file;
  private final List<Model> models;
  private final String strong;
  private final String weak;
  private final String reference;

  private PoolConfig(Path file, List<Model> models, String strong, String weak, String reference) {
    this.file = file;
    this.models = List.copyOf(models);
    this.strong = strong;
    this.weak = weak;
    this.reference = reference;
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
    if (!list.isArray() || list.size() != 2) {
      throw r.error("models", "must be an array of exactly two models (the threshold router chooses between two)"
          + " but was " + (list.isArray() ? list.size() + " models" : list.isMissingNode() ? "missing" : list));
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
    Model cheapest = models.stream().filter(m -> m != priciest).findFirst().orElseThrow();
    String strong = r.name(root, "strong", names, priciest.name());
    String weak = r.name(root, "weak", names, cheapest.name());
    if (strong.equals(weak)) {
      throw r.error("weak", "must differ from 'strong' but both are '" + strong + "'");
    }
    String reference = r.name(root, "reference", names, null);
    return new PoolConfig(file, models, strong, weak, reference);
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

  /**
   * Opens a backend per model on {@code client} (shared; the caller closes the backends, not the client) and builds
   * the pool.
   *
   * @param env the environment the key variables are read from
   * @throws ConfigurationException when a named key variable is not set
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
