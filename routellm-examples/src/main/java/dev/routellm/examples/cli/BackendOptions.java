package dev.routellm.examples.cli;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.ModelPrice;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.OkHttpClient;
import picocli.CommandLine.Option;

/**
 * Options that name the strong and weak models: OpenAI-compatible base URL, model, the environment variable holding
 * the API key, and the price per million input and output tokens. Defaults: OpenAI's gpt-4o (strong) and gpt-4o-mini
 * (weak) with their list prices.
 */
public final class BackendOptions {
  static final String OPENAI = "https://api.openai.com/v1";
  static final String NO_KEY = "none";
  static final String DEFAULT_STRONG_MODEL = "gpt-4o";
  static final String DEFAULT_WEAK_MODEL = "gpt-4o-mini";

  @Option(names = "--strong-url", paramLabel = "URL",
      description = "Strong model's OpenAI-compatible base URL (default: ${DEFAULT-VALUE}).", defaultValue = OPENAI)
  String strongUrl;

  @Option(names = "--strong-model", paramLabel = "NAME", description = "Strong model (default: ${DEFAULT-VALUE}).",
      defaultValue = DEFAULT_STRONG_MODEL)
  String strongModel;

  @Option(names = "--strong-key-env", paramLabel = "VAR",
      description = "Environment variable with the strong model's API key, or 'none' (default: ${DEFAULT-VALUE}).",
      defaultValue = "OPENAI_API_KEY")
  String strongKeyEnv;

  @Option(names = "--strong-price", paramLabel = PriceConverter.FORMAT, converter = PriceConverter.class,
      description = "Strong model's dollars per million input,output tokens, or one number for both; default: the"
          + " list price of a known model (" + DefaultPrices.HELP + "; " + DefaultPrices.MATCHING + "), required"
          + " for any other.")
  ModelPrice strongPrice;

  @Option(names = "--weak-url", paramLabel = "URL",
      description = "Weak model's OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama"
          + " (default: ${DEFAULT-VALUE}).", defaultValue = OPENAI)
  String weakUrl;

  @Option(names = "--weak-model", paramLabel = "NAME", description = "Weak model (default: ${DEFAULT-VALUE}).",
      defaultValue = DEFAULT_WEAK_MODEL)
  String weakModel;

  @Option(names = "--weak-key-env", paramLabel = "VAR",
      description = "Environment variable with the weak model's API key, or 'none' (default: ${DEFAULT-VALUE}).",
      defaultValue = "OPENAI_API_KEY")
  String weakKeyEnv;

  @Option(names = "--weak-price", paramLabel = PriceConverter.FORMAT, converter = PriceConverter.class,
      description = "Weak model's dollars per million input,output tokens, or one number for both; default: the list"
          + " price of a known model (as for --strong-price), required for any other; 0 for a model you host.")
  ModelPrice weakPrice;

  /**
   * Whether real models can be called: a base URL other than OpenAI's was given, or the OpenAI key variables are set.
   */
  boolean callable(Map<String, String> env) {
    return reachable(strongUrl, strongKeyEnv, env) && reachable(weakUrl, weakKeyEnv, env);
  }

  static boolean reachable(String url, String keyEnv, Map<String, String> env) {
    return !isOpenAi(url) || (!NO_KEY.equals(keyEnv) && env.get(keyEnv) != null && !env.get(keyEnv).isBlank());
  }

  /** Whether {@code url} is OpenAI's own API (its host, whatever the path, scheme or case), which needs a key. */
  static boolean isOpenAi(String url) {
    okhttp3.HttpUrl parsed = url == null ? null : okhttp3.HttpUrl.parse(url);
    return parsed != null && parsed.host().equalsIgnoreCase("api.openai.com");
  }

  /**
   * A one-line warning when a model is OpenAI's and has no key (its variable unset or blank, or 'none'): its calls
   * will fail. Empty when both can be called.
   */
  Optional<String> missingKeyWarning(Map<String, String> env) {
    List<String> models = new ArrayList<>();
    Set<String> variables = new LinkedHashSet<>();
    if (!reachable(strongUrl, strongKeyEnv, env)) {
      models.add("strong " + strongModel);
      variables.add(strongKeyEnv);
    }
    if (!reachable(weakUrl, weakKeyEnv, env)) {
      models.add("weak " + weakModel);
      variables.add(weakKeyEnv);
    }
    if (models.isEmpty()) {
      return Optional.empty();
    }
    variables.remove(NO_KEY);
    String why = variables.isEmpty() ? "--*-key-env is 'none'" : String.join(" and ", variables) + " is not set";
    return Optional.of("warning: no API key for " + String.join(" and ", models) + " at " + OPENAI + " (" + why
        + "), so their calls will fail; set the key, or point --strong-url/--weak-url at another server");
  }

  CostModel costModel() {
    if (strongModel.equals(weakModel)) {
      throw new IllegalArgumentException(
          "--strong-model and --weak-model must differ but both are '" + strongModel + "'");
    }
    return CostModel.builder()
        .price(strongModel, DefaultPrices.require("--strong-price", strongModel, strongPrice))
        .price(weakModel, DefaultPrices.require("--weak-price", weakModel, weakPrice))
        .build();
  }

  ModelBackend strong() {
    return backend("strong", strongUrl, strongModel, strongKeyEnv, null);
  }

  ModelBackend weak() {
    return backend("weak", weakUrl, weakModel, weakKeyEnv, null);
  }

  /** The strong model's backend on {@code client} (shared connection pool and dispatcher; the caller closes it). */
  ModelBackend strong(OkHttpClient client) {
    return backend("strong", strongUrl, strongModel, strongKeyEnv, client);
  }

  /** The weak model's backend on {@code client}. */
  ModelBackend weak(OkHttpClient client) {
    return backend("weak", weakUrl, weakModel, weakKeyEnv, client);
  }

  /**
   * A backend; a bad value is an error naming its option ({@code --weak-url}, {@code --strong-key-env}) and the model,
   * not the library's builder method.
   */
  private static ModelBackend backend(String role, String url, String model, String keyEnv, OkHttpClient client) {
    OpenAiBackend.Builder b = OpenAiBackend.builder().model(model);
    try {
      b.baseUrl(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().replaceFirst("^baseUrl", "--" + role + "-url"), e);
    }
    if (client != null) {
      b.httpClient(client);
    }
    if (NO_KEY.equals(keyEnv)
        || OpenAiBackend.DEFAULT_API_KEY_VARIABLE.equals(keyEnv) && !reachable(url, keyEnv, System.getenv())) {
      // 'none', or OpenAI's API without OPENAI_API_KEY: built keyless, so that a command that decides without calling
      // (quickstart offline, route) works; a command that calls says so first (the offline reason, serve's warning)
      b.noApiKey();
    } else if (!OpenAiBackend.DEFAULT_API_KEY_VARIABLE.equals(keyEnv)) {
      b.apiKeyFromEnvironment(keyEnv); // a variable named explicitly must be set
    } // else: OPENAI_API_KEY when set, no key otherwise (local servers)
    try {
      return b.build();
    } catch (dev.routellm.ConfigurationException e) {
      throw new IllegalArgumentException("--" + role + "-key-env " + keyEnv + " (the " + role + " model " + model
          + "): " + e.getMessage(), e);
    }
  }
}
