package dev.routellm.backend;

import dev.routellm.ConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Where and how to reach an OpenAI-compatible server: base URL, API key, headers, timeouts, retries. Shared by
 * {@link OpenAiBackend} and {@link OpenAiEmbedder}. Immutable.
 */
final class HttpSettings {
  /** OpenAI's own API host, which refuses every request without a key. */
  static final String OPENAI_HOST = "api.openai.com";

  final HttpUrl baseUrl;
  /** Null when no key is sent. */
  final Secret apiKey;
  final Map<String, String> headers;
  final Duration connectTimeout;
  final Duration readTimeout;
  final Duration callTimeout;
  /** Most bytes read from one successful answer (a stream included). */
  final long maxResponseBytes;
  final RetryPolicy retryPolicy;
  final RetryScheduler scheduler;
  /** The caller's client, never closed here; null when the backend builds its own. */
  final OkHttpClient client;
  /** Asynchronous calls an owned client runs at once (its dispatcher's limit, per host too). */
  final int maxConcurrentCalls;

  private HttpSettings(Builder<?> b, Secret apiKey) {
    this.baseUrl = b.baseUrl;
    this.apiKey = apiKey;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.callTimeout = b.callTimeout;
    this.maxResponseBytes = b.maxResponseBytes;
    this.retryPolicy = b.retryPolicy;
    this.scheduler = b.scheduler;
    this.client = b.client;
    this.maxConcurrentCalls = b.maxConcurrentCalls;
  }

  /** The base URL as it may appear in messages: no user info, no query. */
  String safeBaseUrl() {
    return baseUrl.newBuilder().username("").password("").query(null).fragment(null).build().toString();
  }

  /** Values that must never appear in a message: the key, sensitive header values, URL credentials and query. */
  List<String> secrets() {
    List<String> out = new ArrayList<>();
    headers.forEach(
        (name, value) -> {
          if (isSensitiveHeader(name)) {
            out.add(value);
            int space = value.indexOf(' ');
            if (space > 0) {
              out.add(value.substring(space + 1)); // the token of "Bearer <token>"
            }
          }
        });
    if (!baseUrl.password().isEmpty()) {
      out.add(baseUrl.password());
    }
    for (int i = 0; i < baseUrl.querySize(); i++) {
      String value = baseUrl.queryParameterValue(i);
      if (value != null) {
        out.add(value);
      }
    }
    out.removeIf(s -> s.length() < 4); // too short to be a secret, and redacting them would mangle messages
    if (apiKey != null) {
      out.add(0, apiKey.reveal()); // the key is always redacted, however short
    }
    return out;
  }

  static boolean isSensitiveHeader(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("authorization")
        || n.equals("proxy-authorization")
        || n.equals("cookie")
        || n.contains("key")
        || n.contains("token")
        || n.contains("secret")
        || n.contains("auth");
  }

  @Override
  public String toString() {
    return "baseUrl=" + safeBaseUrl() + ", apiKey=" + (apiKey == null ? "none" : apiKey) + ", headers="
        + headers.keySet() + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
        + ", callTimeout=" + callTimeout + ", maxResponseBytes=" + maxResponseBytes + ", retryPolicy=" + retryPolicy
        + (client == null ? ", maxConcurrentCalls=" + maxConcurrentCalls : ", httpClient=caller's");
  }

  /** An API key; its {@code toString()} never shows it. */
  static final class Secret {
    private final String value;

    Secret(String value) {
      this.value = value;
    }

    String reveal() {
      return value;
    }

    @Override
    public String toString() {
      return "[redacted]";
    }
  }

  /**
   * The connection options of {@link OpenAiBackend.Builder} and {@link OpenAiEmbedder.Builder}. Not thread-safe.
   *
   * @param <B> the concrete builder, returned by every setter
   */
  abstract static class Builder<B extends Builder<B>> {
    private HttpUrl baseUrl = HttpUrl.get(OpenAiBackend.DEFAULT_BASE_URL);
    private Secret apiKey;
    private String apiKeyVariable = OpenAiBackend.DEFAULT_API_KEY_VARIABLE;
    private boolean apiKeyVariableNamed;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration connectTimeout = OpenAiBackend.DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = OpenAiBackend.DEFAULT_READ_TIMEOUT;
    private Duration callTimeout = OpenAiBackend.DEFAULT_CALL_TIMEOUT;
    private long maxResponseBytes = OpenAiBackend.DEFAULT_MAX_RESPONSE_BYTES;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private RetryScheduler scheduler = RetryScheduler.system();
    private OkHttpClient client;
    private int maxConcurrentCalls = OpenAiBackend.DEFAULT_MAX_CONCURRENT_CALLS;
    private UnaryOperator<String> environment = System::getenv;

    Builder() {}

    abstract B self();

    /** Copies the connection options of an existing backend or embedder (the key as resolved there). */
    void copyFrom(HttpSettings s) {
      baseUrl = s.baseUrl;
      apiKey = s.apiKey;
      apiKeyVariable = null;
      apiKeyVariableNamed = false;
      headers.clear();
      headers.putAll(s.headers);
      connectTimeout = s.connectTimeout;
      readTimeout = s.readTimeout;
      callTimeout = s.callTimeout;
      maxResponseBytes = s.maxResponseBytes;
      retryPolicy = s.retryPolicy;
      scheduler = s.scheduler;
      client = s.client;
      maxConcurrentCalls = s.maxConcurrentCalls;
    }

    /**
     * The server's API root, to which {@code /chat/completions} and {@code /embeddings} are appended: OpenAI's
     * {@value OpenAiBackend#DEFAULT_BASE_URL} (the default), {@code http://localhost:8000/v1} for vLLM,
     * {@code http://localhost:11434/v1} for Ollama, {@code https://api.together.xyz/v1}, {@code
     * http://localhost:8080/v1} for a llama.cpp server. A query (such as Azure's {@code api-version}) is kept on
     * every request.
     *
     * @throws IllegalArgumentException when {@code url} is not an absolute http(s) URL, or already ends with an
     *     endpoint path
     */
    public B baseUrl(String url) {
      Objects.requireNonNull(url, "baseUrl");
      HttpUrl parsed = HttpUrl.parse(url.strip());
      if (parsed == null) {
        throw new IllegalArgumentException(
            "baseUrl must be an absolute http:// or https:// URL such as " + OpenAiBackend.DEFAULT_BASE_URL
                + " but was '" + redacted(url) + "'");
      }
      String path = parsed.encodedPath().replaceAll("/+$", "");
      for (String endpoint : new String[] {"/chat/completions", "/completions", "/embeddings"}) {
        if (path.endsWith(endpoint)) {
          throw new IllegalArgumentException(
              "baseUrl must be the API root (for example " + OpenAiBackend.DEFAULT_BASE_URL
                  + ") without the endpoint path " + endpoint + ", but was '"
                  + parsed.newBuilder().query(null).username("").password("").build() + "'");
        }
      }
      this.baseUrl = parsed;
      return self();
    }

    /**
     * {@code url} for an error message, without what may hold a key: the query and fragment (everything from the
     * first {@code ?} or {@code #}) and the user information before an {@code @}.
     */
    static String redacted(String url) {
      int end = url.length();
      for (char c : new char[] {'?', '#'}) {
        int i = url.indexOf(c);
        if (i >= 0 && i < end) {
          end = i;
        }
      }
      String kept = url.substring(0, end).replaceFirst("^([^/]*//)?[^/@]*@", "$1***@");
      return end < url.length() ? kept + url.charAt(end) + "***" : kept;
    }

    /** The API key, sent as {@code Authorization: Bearer <key>}. It is never logged, printed or put in a message. */
    public B apiKey(String key) {
      Objects.requireNonNull(key, "apiKey");
      if (key.isBlank()) {
        throw new IllegalArgumentException("apiKey must not be blank; use noApiKey() for a server that needs none");
      }
      this.apiKey = new Secret(key.strip());
      this.apiKeyVariable = null;
      this.apiKeyVariableNamed = false;
      return self();
    }

    /**
     * Reads the API key from an environment variable when the backend is built. Without any key option the builder
     * reads {@value OpenAiBackend#DEFAULT_API_KEY_VARIABLE} and sends no key when it is unset, except to OpenAI's own
     * API ({@code api.openai.com}), where {@code build()} then fails; a variable named here must be set, or
     * {@code build()} fails.
     */
    public B apiKeyFromEnvironment(String variable) {
      Objects.requireNonNull(variable, "variable");
      if (variable.isBlank()) {
        throw new IllegalArgumentException("the API key's environment variable name must not be blank");
      }
      this.apiKey = null;
      this.apiKeyVariable = variable;
      this.apiKeyVariableNamed = true;
      return self();
    }

    /**
     * Sends no {@code Authorization} header, whatever the environment holds: for a local server (vLLM, Ollama,
     * llama.cpp) that needs no key and should not receive your OpenAI key.
     */
    public B noApiKey() {
      this.apiKey = null;
      this.apiKeyVariable = null;
      this.apiKeyVariableNamed = false;
      return self();
    }

    /**
     * Adds a header sent with every request (for example {@code OpenAI-Organization}). Values of headers whose names
     * suggest a credential ({@code *key*}, {@code *token*}, {@code *auth*}, {@code *secret*}) are treated like the
     * API key: never printed, and removed from server messages.
     */
    public B header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      try {
        new Headers.Builder().add(name, value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("header '" + name + "' is not a valid HTTP header name or value", null);
      }
      if (name.equalsIgnoreCase("Content-Type")) {
        throw new IllegalArgumentException("header 'Content-Type' is set by the backend (application/json)");
      }
      headers.put(name, value);
      return self();
    }

    /**
     * Longest wait to open a connection; zero means no limit. Default {@link OpenAiBackend#DEFAULT_CONNECT_TIMEOUT}.
     */
    public B connectTimeout(Duration value) {
      this.connectTimeout = timeout(value, "connectTimeout");
      return self();
    }

    /**
     * Longest wait for the next bytes of an answer (the first bytes of a non-streamed answer come only when it is
     * complete); zero means no limit. Default {@link OpenAiBackend#DEFAULT_READ_TIMEOUT}.
     */
    public B readTimeout(Duration value) {
      this.readTimeout = timeout(value, "readTimeout");
      return self();
    }

    /**
     * Longest time for one attempt as a whole, from connecting to the last byte of the answer (a stream included);
     * zero means no limit. Default {@link OpenAiBackend#DEFAULT_CALL_TIMEOUT}. The retry policy's {@link
     * RetryPolicy#maxElapsed()} bounds all attempts together, and cuts an attempt's timeout to what is left of it.
     */
    public B callTimeout(Duration value) {
      this.callTimeout = timeout(value, "callTimeout");
      return self();
    }

    /**
     * Most bytes read from one successful answer, a stream included; default {@link
     * OpenAiBackend#DEFAULT_MAX_RESPONSE_BYTES}. A larger answer fails with a {@link
     * dev.routellm.RetriableBackendException} of kind {@link dev.routellm.BackendException.Kind#ANSWER_TOO_LARGE}
     * naming the model and the limit, as soon as the limit is passed (or at once when its Content-Length says so); it
     * is not fetched again, but a router may fall back to another model. Error answers are read up to 64 KiB whatever
     * this says.
     *
     * @throws IllegalArgumentException when {@code bytes} is not positive
     */
    public B maxResponseBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxResponseBytes must be > 0 but was " + bytes);
      }
      this.maxResponseBytes = bytes;
      return self();
    }

    /** When to retry; default {@link RetryPolicy#defaults()}. */
    public B retryPolicy(RetryPolicy value) {
      this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
      return self();
    }

    /** The clock and waits used between retries; default {@link RetryScheduler#system()}. For tests. */
    public B retryScheduler(RetryScheduler value) {
      this.scheduler = Objects.requireNonNull(value, "retryScheduler");
      return self();
    }

    /**
     * An OkHttp client to share its connection pool, dispatcher and interceptors (proxy, TLS, logging). The timeouts
     * of this builder still apply (through {@link OkHttpClient#newBuilder()}). The client stays the caller's:
     * {@code close()} never shuts it down. Without one, the backend builds and owns its own client.
     */
    public B httpClient(OkHttpClient value) {
      this.client = Objects.requireNonNull(value, "httpClient");
      return self();
    }

    /**
     * Most asynchronous calls the backend's own HTTP client runs at once, to its server and in all (OkHttp's
     * dispatcher limits); further calls wait in the dispatcher's queue. Default {@link
     * OpenAiBackend#DEFAULT_MAX_CONCURRENT_CALLS} (OkHttp's own default of 5 per host would hold a busy router's
     * {@code chatAsync} calls back). Blocking calls ({@code chat}, {@code stream}) run on the caller's thread and are
     * not counted. Does not apply with {@link #httpClient}: the caller's dispatcher decides.
     *
     * @throws IllegalArgumentException when {@code calls} is not in [1, 100000]
     */
    public B maxConcurrentCalls(int calls) {
      if (calls < 1 || calls > 100_000) {
        throw new IllegalArgumentException("maxConcurrentCalls must be in [1, 100000] but was " + calls);
      }
      this.maxConcurrentCalls = calls;
      return self();
    }

    /** Where environment variables are read from; tests replace {@link System#getenv(String)}. */
    B environment(UnaryOperator<String> value) {
      this.environment = Objects.requireNonNull(value, "environment");
      return self();
    }

    /**
     * The settings, with the API key resolved.
     *
     * @throws ConfigurationException when a named environment variable for the key is unset, or no key was found for
     *     OpenAI's own API
     * @throws IllegalStateException when both an API key and an Authorization header are configured
     */
    HttpSettings settings() {
      boolean authorizationHeader = headers.keySet().stream().anyMatch(n -> n.equalsIgnoreCase("Authorization"));
      Secret key = apiKey;
      if (key == null && apiKeyVariable != null && !(authorizationHeader && !apiKeyVariableNamed)) {
        String value = environment.apply(apiKeyVariable);
        if (value != null && !value.isBlank()) {
          key = new Secret(value.strip());
        } else if (apiKeyVariableNamed) {
          throw new ConfigurationException(
              "the API key's environment variable " + apiKeyVariable + " is not set (or is blank)");
        } else if (OPENAI_HOST.equalsIgnoreCase(baseUrl.host())) {
          // OpenAI answers every request without a key with 401: fail here, not on the first request
          throw new ConfigurationException("no API key for " + baseUrl.scheme() + "://" + baseUrl.host() + ": the"
              + " environment variable " + apiKeyVariable + " is not set (or is blank); set it, or give apiKey(...)"
              + " or apiKeyFromEnvironment(VAR) (noApiKey() for a server that needs none)");
        }
      }
      if (key != null && authorizationHeader) {
        throw new IllegalStateException(
            "both an API key and an Authorization header are configured; keep one of them");
      }
      return new HttpSettings(this, key);
    }

    private static Duration timeout(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must be >= 0 (0 means no limit) but was " + value);
      }
      return value;
    }
  }
}
