package dev.routellm.examples.server;

import dev.routellm.ConfigurationException;
import dev.routellm.RouteLlmException;
import dev.routellm.budget.SpendLimiter;
import dev.routellm.chat.Capability;
import dev.routellm.chat.ChatRequest;
import dev.routellm.micrometer.RouterMetrics;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.cost.CostTracker;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RouteOptions;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.RoutedStreamListener;
import dev.routellm.routing.Router;
import dev.routellm.routing.RouterListener;
import dev.routellm.routing.RoutingDecision;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An OpenAI-compatible routing server: any OpenAI client points its base URL at {@code http://host:port/v1} and asks
 * for the model {@code router-<name>-<threshold>} (RouteLLM's convention, e.g. {@code router-mf-0.11593}) or
 * {@code router-<name>} for the configured threshold.
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions} (also {@code /chat/completions}): routes and answers, streaming as
 *       server-sent events ending with {@code data: [DONE]} when {@code stream} is true. Request fields reach the
 *       chosen model as sent (unknown ones untouched); the answer keeps what the model's server sent
 *       ({@code system_fingerprint}, {@code service_tier}, {@code refusal}, log-probabilities with {@code bytes}),
 *       names the model that answered, and adds a {@code routing} object (chosen model, score, threshold, reason,
 *       fallback, each call's cost, total cost in USD). {@code x-routellm-*} headers say the same on streams too.
 *   <li>{@code GET /v1/models} and {@code GET /v1/models/{id}}, {@code GET /health}, {@code GET /stats} (cost totals
 *       and failure counts), {@code GET /metrics} (every meter in Prometheus' text format: the routers' {@link
 *       RouterMetrics}, circuit-breaker states, requests in flight, requests turned away, failed requests by kind,
 *       disconnects), {@code GET /} (a chat page).
 * </ul>
 *
 * <p>Besides the threshold routers, {@link Builder#router} serves fixed routers (a pool's N-way policies) under
 * {@code router-<name>}. Per request, the headers {@value #ALLOWED_MODELS_HEADER}, {@value #MAX_COST_HEADER} and
 * {@value #REQUIRE_HEADER} become the request's {@link RouteOptions} (a request no model can serve gets 400 naming each
 * model and its limit), and the tenant is the one of the key the request sent ({@link Builder#apiKey(String,
 * String)}), whose spend limits the routers enforce: over a limit, 429 with OpenAI's {@code insufficient_quota}
 * error; a spend store that cannot be reached, 503.
 *
 * <p><b>Errors</b> answer with {@code Content-Type: application/json} in OpenAI's shape {@code {"error":{"message",
 * "type","param","code"}}}, which the official SDKs parse, with the same fields also at the top level beside {@code
 * "object":"error"} (RouteLLM's shape). Clients never see upstream URLs, Java exception names or parser internals;
 * the server logs those. 400 bad request; an upstream's 400, 409, 413, 422 or 429 passed through with its own
 * message, type and code; 401 without the server's key; 403 for a {@code Host} or {@code Origin} this server does not
 * answer; 404 unknown path; 405 wrong method; 413 body over {@link Builder#maxBodyBytes}; 415 a POST body that is not
 * declared JSON; 502 when no model could answer; 503 with {@code Retry-After} when {@link Builder#maxConcurrent}
 * requests are in flight or the server is shutting down. A stream answers with an HTTP error status as long as no
 * text was sent; once text was sent, a failure ends it with an event holding that error object, then {@code data:
 * [DONE]}.
 *
 * <p><b>Holding up.</b> Chat requests beyond {@link Builder#maxConcurrent} are refused at once, so {@code /health}
 * keeps answering whatever the upstreams do. A client that goes away cancels its upstream call, streamed or not.
 * {@link #shutdown(Duration)} drains: new requests get 503, requests in flight finish within the grace period, then
 * streams still open end with an error event and {@code [DONE]}. Web pages cannot spend the server's money: the
 * {@code Host} must name this server (DNS rebinding), a browser's {@code Origin} must be this server or one allowed
 * by {@link Builder#corsOrigins}, and chat bodies must be declared JSON. One log line per request (method, path,
 * status, time, model, cost; the prompt only with {@link Builder#logPrompts}; never a key) and one per failed model
 * call.
 *
 * <p>Tool calling passes through: {@code tools}, {@code tool_choice} and {@code parallel_tool_calls} reach the chosen
 * model untouched, as do assistant {@code tool_calls} and {@code tool} messages. An answer's tool calls come back in
 * OpenAI's shape ({@code content: null} when there is no text); a stream sends them, complete and indexed, in one
 * {@code delta.tool_calls} chunk before the finish chunk. Legacy function calling ({@code functions}) is refused with
 * 400. Thread-safe; {@link #close()} stops the server at once and is idempotent; it does not close the routers'
 * backends.
 */
public final class RoutingServer implements AutoCloseable {
  /** RouteLLM's default port. */
  public static final int DEFAULT_PORT = 6060;
  /** Listens on loopback unless told otherwise. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Largest request body taken: room for a long-context conversation (about a million tokens of text). */
  public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;
  /** Chat requests in flight at most by default; more are refused with 503. */
  public static final int DEFAULT_MAX_CONCURRENT = 128;
  /** How long {@link #shutdown(Duration)} lets requests in flight finish, by default. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
  /** The wait, in seconds, a client refused for being over the limit is asked to keep. */
  static final int RETRY_AFTER_SECONDS = 1;

  private static final System.Logger LOG = System.getLogger(RoutingServer.class.getName());
  /** Path to the methods it answers; anything else is 404, or 405 for a known path. */
  private static final Map<String, String> ROUTES = Map.of("/", "GET, HEAD", "/health", "GET, HEAD", "/v1/models",
      "GET", "/models", "GET", "/stats", "GET", "/metrics", "GET", "/v1/chat/completions", "POST",
      "/chat/completions", "POST");
  /** Gauge of chat requests in flight. */
  public static final String IN_FLIGHT = "routellm.server.requests.in.flight";
  /** Request header: the pool models that may answer, comma separated. Never forwarded to a model. */
  public static final String ALLOWED_MODELS_HEADER = "x-routellm-allowed-models";
  /** Request header: the most the request may cost, in dollars. Never forwarded to a model. */
  public static final String MAX_COST_HEADER = "x-routellm-max-cost";
  /** Request header: capabilities the answering model needs (tools, logprobs, json_mode). Never forwarded. */
  public static final String REQUIRE_HEADER = "x-routellm-require";
  /** The content type of Prometheus' text format, version 0.0.4. */
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final List<String> ASSETS = List.of("chat.css", "chat.js", "markdown-it.min.js");
  /** The page's security policy: its own scripts and styles only; nothing loaded from elsewhere, no framing. */
  private static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'"
      + " data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final String EXPOSED_HEADERS = "x-routellm-model, x-routellm-chosen-model, x-routellm-router,"
      + " x-routellm-score, x-routellm-threshold, x-routellm-fell-back, x-routellm-cost-usd, x-request-id";

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final Pattern IPV4 = Pattern.compile("(" + OCTET + "\\.){3}" + OCTET);

  // request attributes read by the access log
  private static final String ATTR_START = "routellm.start";
  private static final String ATTR_LOG = "routellm.log";

  /**
   * Builds the router for a threshold, with the server's listener, which the router must register ({@link
   * Router.Builder#listener}) so that the server counts and logs failures and knows about fallbacks. The server keeps
   * the routers it builds for up to {@value #CACHED_ROUTERS} thresholds and builds one per request beyond that, so
   * routers should share their predictor, backends and cost tracker. Called from many threads.
   */
  @FunctionalInterface
  public interface RouterFactory {
    Router router(double threshold, RouterListener serverListener);
  }

  /** Most routers kept for reuse, one per threshold asked for; others are built per request. */
  static final int CACHED_ROUTERS = 64;

  /** A key clients send, and the tenant whose spend limits its requests count against. */
  private record ApiKey(byte[] key, String tenant) {}

  private final RouterFactory routers;
  private final Map<Double, Router> routerCache = new java.util.concurrent.ConcurrentHashMap<>();
  private final String routerName;
  private final double defaultThreshold;
  private final List<ApiKey> apiKeys;
  /** Routers served under a fixed model id ({@code router-<name>}), built once at start. */
  private final Map<String, Router> pooled;
  private final PrometheusMeterRegistry registry;
  private final RouterMetrics metrics;
  /** What every router of this server reports to: the server's counts and log, and the meters. */
  private final RouterListener listener;
  private final java.util.Set<String> healthBound = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Clock clock;
  private final CostTracker totals;
  private final ServerStats stats;
  private final Consumer<String> log;
  private final Admission admission;
  private final RequestChecks checks;
  private final boolean logPrompts;
  private final Javalin app;
  private final byte[] page;
  private final Map<String, byte[]> assets;
  private final long maxBodyBytes;
  private final long started;
  private volatile boolean closed;

  private RoutingServer(Builder b, InetAddress bound) {
    this.routers = b.routers;
    this.totals = b.totals;
    this.routerName = b.routerName;
    this.defaultThreshold = b.defaultThreshold;
    List<ApiKey> keys = new java.util.ArrayList<>();
    b.apiKeys.forEach((key, tenant) -> keys.add(new ApiKey(key.getBytes(StandardCharsets.UTF_8), tenant)));
    this.apiKeys = List.copyOf(keys);
    this.clock = b.clock;
    this.log = b.log;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = RouterMetrics.of(registry);
    this.stats = new ServerStats(b.log, registry);
    this.listener = new Listeners(stats, metrics);
    this.admission = new Admission(b.maxConcurrent);
    Gauge.builder(IN_FLIGHT, admission, Admission::inFlight).description("Chat requests in flight")
        .register(registry);
    Map<String, Router> named = new LinkedHashMap<>();
    b.pooled.forEach((name, factory) -> {
      Router r = Objects.requireNonNull(factory.apply(listener), "router factory for '" + name + "' returned null");
      bindHealth(r);
      named.put("router-" + name, r);
    });
    this.pooled = java.util.Collections.unmodifiableMap(named);
    this.checks = new RequestChecks(bound, b.allowedHosts, b.corsOrigins);
    this.logPrompts = b.logPrompts;
    this.page = resource("chat.html");
    Map<String, byte[]> files = new LinkedHashMap<>();
    ASSETS.forEach(name -> files.put(name, resource(name)));
    this.assets = Map.copyOf(files);
    this.maxBodyBytes = b.maxBodyBytes;
    this.started = clock.instant().getEpochSecond();
    // Streams hold a thread each (the router streams blocking); non-streamed requests hold none while they wait.
    // Threads beyond the admission limit keep /health, /stats and the page answering when every slot is taken.
    QueuedThreadPool threads = new QueuedThreadPool(Math.max(250, b.maxConcurrent + 64), 8);
    threads.setName("routellm-server");
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.jetty.threadPool = threads;
              config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
              config.http.maxRequestSize = maxBodyBytes;
              config.http.prefer405over404 = true;
              config.http.asyncTimeout = 0; // the backends' own timeouts bound a call
              config.requestLogger.http(this::logRequest);
              config.routes.before(this::screen);
              config.routes.get("/", ctx -> page(ctx, true));
              config.routes.head("/", ctx -> page(ctx, false));
              config.routes.get("/assets/{file}", this::asset);
              config.routes.get("/health", this::health);
              config.routes.head("/health", this::health);
              for (String prefix : List.of("/v1", "")) {
                config.routes.get(prefix + "/models", this::models);
                config.routes.get(prefix + "/models/{id}", this::model);
                config.routes.post(prefix + "/chat/completions", this::chatCompletions);
              }
              config.routes.get("/stats", this::stats);
              config.routes.get("/metrics", this::metrics);
              config.routes.exception(HttpResponseException.class, this::httpError);
              config.routes.exception(Exception.class, this::internalError);
            });
    try {
      app.start(b.host, b.port);
    } catch (JavalinBindException e) {
      // Only when the port was taken between the check in start() and here; Javalin has logged it already.
      throw new ConfigurationException(
          "cannot listen on " + b.host + " port " + b.port + ": " + e.getMessage(), e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The port the server listens on (the actual one when 0 was asked for). */
  public int port() {
    return app.port();
  }

  /** Running totals of everything this server answered. */
  public CostSnapshot costs() {
    return totals.snapshot();
  }

  /** Chat requests in flight now. */
  public int inFlight() {
    return admission.inFlight();
  }

  /**
   * Stops gracefully: new chat requests are refused with 503 ({@code /health} answers 503 too, so load balancers stop
   * sending), requests in flight get up to {@code grace} to finish, then streams still open end with an error event
   * and {@code [DONE]} and other requests with a 503, and the server closes. What {@code SIGTERM} does to {@code
   * routellm serve}. Blocks until done; idempotent.
   *
   * @return how many requests had to be cut off
   */
  public int shutdown(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must be >= 0 but was " + grace);
    }
    int cut = 0;
    try {
      cut = admission.drain(grace);
      if (cut > 0) {
        LOG.log(System.Logger.Level.WARNING, cut + " request(s) still in flight after " + grace.toMillis()
            + " ms were cut off for the shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
    return cut;
  }

  /** Stops the server at once, cutting requests in flight. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      app.stop();
    }
  }

  // ---- checks that run before every request ----

  /**
   * Host and Origin checks, CORS, and the start time for the access log. A refused request is answered here and goes
   * no further.
   */
  private void screen(Context ctx) {
    ctx.attribute(ATTR_START, System.nanoTime());
    if (!checks.hostAllowed(ctx.header("Host"))) {
      stats.rejected("host");
      refuse(ctx, new ClientErrors.ApiError(403, "this server does not answer requests for the host '"
          + ctx.header("Host") + "'; it answers " + String.join(", ", checks.hosts()) + " (start it with"
          + " --allowed-host to add a name)", "invalid_request_error", "host_not_allowed", null));
      return;
    }
    String origin = ctx.header("Origin");
    if (origin != null && !checks.originAllowed(origin, port())) {
      stats.rejected("origin");
      refuse(ctx, new ClientErrors.ApiError(403, "pages from the origin '" + origin + "' may not call this server"
          + " (start it with --cors-origin to allow one)", "invalid_request_error", "origin_not_allowed", null));
      return;
    }
    if (checks.corsAllowed(origin)) {
      ctx.header("Access-Control-Allow-Origin", origin);
      ctx.header("Vary", "Origin");
      ctx.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
      if (ctx.method().name().equals("OPTIONS")) { // a preflight
        ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        String asked = ctx.header("Access-Control-Request-Headers");
        ctx.header("Access-Control-Allow-Headers", asked == null ? "authorization, content-type" : asked);
        ctx.header("Access-Control-Max-Age", "600");
        ctx.status(204);
        ctx.skipRemainingHandlers();
      }
    }
  }

  private void refuse(Context ctx, ClientErrors.ApiError error) {
    json(ctx, error.status(), error.body());
    ctx.skipRemainingHandlers();
  }

  private boolean authorized(Context ctx) {
    return tenant(ctx) != null;
  }

  /**
   * The tenant of the key the request carries ({@link SpendLimiter#DEFAULT_TENANT} on a server without keys), or null
   * after answering 401. Every key is compared, in constant time, whichever matches.
   */
  private String tenant(Context ctx) {
    if (apiKeys.isEmpty()) {
      return SpendLimiter.DEFAULT_TENANT;
    }
    String header = ctx.header("Authorization");
    byte[] token = (header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).strip() : "").getBytes(StandardCharsets.UTF_8);
    String tenant = null;
    for (ApiKey k : apiKeys) {
      if (MessageDigest.isEqual(token, k.key()) && tenant == null) {
        tenant = k.tenant();
      }
    }
    if (tenant != null) {
      return tenant;
    }
    ctx.header("WWW-Authenticate", "Bearer");
    json(ctx, 401, OpenAiWire.error("missing or wrong API key for this routing server: send it as 'Authorization:"
        + " Bearer KEY'", "authentication_error", null, "invalid_api_key"));
    return null;
  }

  // ---- pages and small endpoints ----

  private void page(Context ctx, boolean withBody) {
    ctx.header("Content-Security-Policy", PAGE_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-cache");
    ctx.contentType("text/html; charset=utf-8");
    if (withBody) {
      ctx.result(page);
    } else {
      ctx.header("Content-Length", String.valueOf(page.length));
    }
  }

  private void asset(Context ctx) {
    byte[] file = assets.get(ctx.pathParam("file"));
    if (file == null) {
      throw new io.javalin.http.NotFoundResponse();
    }
    String name = ctx.pathParam("file");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Cache-Control", "no-cache");
    ctx.contentType(name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
    ctx.result(file);
  }

  private void health(Context ctx) {
    ObjectNode n = OpenAiWire.JSON.createObjectNode();
    boolean draining = admission.draining();
    n.put("status", draining ? "shutting_down" : "online");
    n.put("in_flight", admission.inFlight());
    n.put("max_concurrent", admission.limit());
    json(ctx, draining ? 503 : 200, n);
  }

  private void models(Context ctx) {
    if (!authorized(ctx)) {
      return;
    }
    ObjectNode root = OpenAiWire.JSON.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String id : new String[] {"router-" + routerName, "router-" + routerName + "-" + format(defaultThreshold)}) {
      data.add(modelObject(id));
    }
    pooled.keySet().forEach(id -> data.add(modelObject(id)));
    json(ctx, 200, root);
  }

  /** {@code GET /v1/models/{id}}: any model this server answers, a threshold of the client's choosing included. */
  private void model(Context ctx) {
    if (!authorized(ctx)) {
      return;
    }
    String id = ctx.pathParam("id");
    try {
      if (!pooled.containsKey(id)) {
        threshold(id);
      }
    } catch (OpenAiWire.InvalidRequest e) {
      json(ctx, 404, OpenAiWire.error("the model '" + id + "' does not exist here; ask for " + servedIds(),
          "invalid_request_error", "model", "model_not_found"));
      return;
    }
    json(ctx, 200, modelObject(id));
  }

  private ObjectNode modelObject(String id) {
    return OpenAiWire.JSON.createObjectNode().put("id", id).put("object", "model").put("created", started)
        .put("owned_by", "routellm");
  }

  private void stats(Context ctx) {
    if (!authorized(ctx)) {
      return;
    }
    CostSnapshot s = totals.snapshot();
    ObjectNode root = OpenAiWire.JSON.createObjectNode();
    root.put("requests", s.requests());
    root.put("failed_requests", s.failedRequests());
    root.put("strong_requests", s.strongRequests());
    root.put("strong_share", s.strongShare());
    root.put("cost_usd", OpenAiWire.dollars(s.cost()));
    root.put("all_strong_cost_usd", OpenAiWire.dollars(s.allStrongCost()));
    root.put("saving_usd", OpenAiWire.dollars(s.saving()));
    root.put("saving_share", s.savingShare());
    root.put("fallbacks", stats.fallbacks.sum());
    root.put("client_disconnects", stats.clientsGone.sum());
    root.put("in_flight", admission.inFlight());
    root.put("max_concurrent", admission.limit());
    ObjectNode kinds = root.putObject("failed_calls_by_kind");
    stats.failureKinds().forEach(kinds::put);
    ObjectNode rejected = root.putObject("rejected");
    stats.rejected().forEach(rejected::put);
    Map<String, Long> failed = stats.failedCalls();
    ObjectNode models = root.putObject("models");
    s.models().forEach((m, t) -> models.putObject(m)
        .put("calls", t.calls())
        .put("failed_calls", failed.getOrDefault(m, 0L))
        .put("prompt_tokens", t.promptTokens())
        .put("completion_tokens", t.completionTokens())
        .put("cost_usd", OpenAiWire.dollars(t.cost())));
    failed.forEach((m, n) -> {
      if (!models.has(m)) {
        models.putObject(m).put("calls", 0).put("failed_calls", n).put("prompt_tokens", 0)
            .put("completion_tokens", 0).put("cost_usd", 0);
      }
    });
    json(ctx, 200, root);
  }

  /**
   * {@code GET /metrics}: every meter in Prometheus' text format: the routers' ({@link RouterMetrics}: decisions,
   * requests, model calls, tokens, cost, fallbacks, failures, circuit breakers) and the server's own (requests in
   * flight, requests turned away, failed requests by kind, disconnects). Outside the admission limit, as {@code
   * /health}; needs the server's key when it has one, as {@code /stats}.
   */
  private void metrics(Context ctx) {
    if (!authorized(ctx)) {
      return;
    }
    ctx.status(200).contentType(PROMETHEUS_TEXT).result(registry.scrape());
  }

  /** Registers the circuit-breaker gauges of a router, once per router name (its thresholds share the name). */
  private void bindHealth(Router router) {
    if (healthBound.add(router.name())) {
      metrics.bindHealth(router);
    }
  }

  /** The model ids this server answers, for messages. */
  private String servedIds() {
    StringBuilder s = new StringBuilder("'router-" + routerName + "' or 'router-" + routerName + "-<threshold>'");
    pooled.keySet().forEach(id -> s.append(", '").append(id).append('\''));
    return s.toString();
  }

  // ---- chat completions ----

  private void chatCompletions(Context ctx) {
    String tenant = tenant(ctx);
    if (tenant == null) {
      return;
    }
    if (!RequestChecks.isJson(ctx.header("Content-Type"))) {
      json(ctx, 415, OpenAiWire.error("the request body must be JSON, sent with 'Content-Type: application/json',"
          + " but the Content-Type was " + (ctx.header("Content-Type") == null ? "missing"
          : "'" + ctx.header("Content-Type") + "'"), "invalid_request_error", null, "unsupported_media_type"));
      return;
    }
    OpenAiWire.Incoming in;
    Router router = null;
    double threshold = Double.NaN;
    RouteOptions options;
    try {
      in = OpenAiWire.parse(ctx.body());
      router = pooled.get(in.model());
      if (router == null) {
        threshold = threshold(in.model());
      }
      options = options(ctx, tenant);
    } catch (OpenAiWire.InvalidRequest e) {
      fail(ctx, ClientErrors.of(e));
      return;
    }
    RequestLog log = new RequestLog(in.model(), in.stream(), tenant, logPrompts ? in.request().lastUserMessage()
        : null);
    ctx.attribute(ATTR_LOG, log);
    if (router == null) {
      try {
        router = router(threshold);
      } catch (IllegalArgumentException | IllegalStateException e) {
        fail(ctx, ClientErrors.of(e));
        return;
      }
    }
    try {
      checkAllowed(router, options);
    } catch (OpenAiWire.InvalidRequest e) {
      fail(ctx, ClientErrors.of(e));
      return;
    }
    String id = "chatcmpl-" + UUID.randomUUID();
    ctx.header("x-request-id", id);
    long created = clock.instant().getEpochSecond();
    if (in.stream()) {
      new StreamExchange(ctx, router, in, options, id, created, log).run();
    } else {
      new BlockingExchange(ctx, router, in, options, id, created, log).start();
    }
  }

  /**
   * The request's limits, from its {@code x-routellm-*} headers (which no model ever sees): {@value
   * #ALLOWED_MODELS_HEADER} (pool model names, comma separated), {@value #MAX_COST_HEADER} (dollars for the whole
   * request, estimated before each call and enforced), {@value #REQUIRE_HEADER} ({@code tools}, {@code logprobs},
   * {@code json_mode}, comma separated); and the tenant of the request's key, whose spend limits it counts against.
   */
  private static RouteOptions options(Context ctx, String tenant) {
    RouteOptions.Builder b = RouteOptions.builder().tenant(tenant);
    String allowed = ctx.header(ALLOWED_MODELS_HEADER);
    if (allowed != null) {
      List<String> names = java.util.Arrays.stream(allowed.split(",")).map(String::strip).filter(n -> !n.isEmpty())
          .toList();
      if (names.isEmpty()) {
        throw new OpenAiWire.InvalidRequest("header " + ALLOWED_MODELS_HEADER + " must name at least one model"
            + " (comma separated) but was '" + allowed + "'", ALLOWED_MODELS_HEADER);
      }
      b.allowedModels(names);
    }
    String maxCost = ctx.header(MAX_COST_HEADER);
    if (maxCost != null) {
      double dollars;
      try {
        dollars = Double.parseDouble(maxCost.strip().replaceFirst("^\\$", ""));
      } catch (NumberFormatException e) {
        dollars = Double.NaN;
      }
      if (!(dollars > 0 && dollars < Double.POSITIVE_INFINITY)) {
        throw new OpenAiWire.InvalidRequest("header " + MAX_COST_HEADER + " must be a number of dollars > 0 (such as"
            + " 0.002) but was '" + maxCost + "'", MAX_COST_HEADER);
      }
      b.maxCost(dollars);
    }
    String require = ctx.header(REQUIRE_HEADER);
    if (require != null) {
      for (String c : require.split(",")) {
        String name = c.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        if (name.isEmpty()) {
          continue;
        }
        try {
          b.require(Capability.valueOf(name));
        } catch (IllegalArgumentException e) {
          throw new OpenAiWire.InvalidRequest("header " + REQUIRE_HEADER + " takes tools, logprobs and json_mode"
              + " (comma separated) but had '" + c.strip() + "'", REQUIRE_HEADER);
        }
      }
    }
    return b.build();
  }

  /** Refuses allowed models the router does not have, naming them and the ones it has. */
  private static void checkAllowed(Router router, RouteOptions options) {
    List<String> unknown = options.allowedModels().stream().filter(m -> !router.pool().contains(m)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new OpenAiWire.InvalidRequest("header " + ALLOWED_MODELS_HEADER + " names " + unknown + ", not models of"
          + " router '" + router.name() + "', whose models are " + router.pool().names(), ALLOWED_MODELS_HEADER,
          "model_not_found");
    }
  }

  /**
   * The router for {@code threshold}: built once and kept (routers are immutable and thread-safe), up to {@value
   * #CACHED_ROUTERS} thresholds; a client asking for ever new thresholds gets a router built for each request.
   */
  private Router router(double threshold) {
    Router cached = routerCache.get(threshold);
    if (cached != null) {
      return cached;
    }
    Router built = routers.router(threshold, listener);
    bindHealth(built);
    if (routerCache.size() < CACHED_ROUTERS) {
      Router raced = routerCache.putIfAbsent(threshold, built);
      return raced != null ? raced : built;
    }
    return built;
  }

  /** Answers a refused or failed request with its error; counts it by status and kind. */
  private void fail(Context ctx, ClientErrors.ApiError error) {
    stats.failed(error.status(), error.code() != null ? error.code() : error.type());
    json(ctx, error.status(), error.body());
  }

  /** Turns a request away: busy (503, Retry-After) or shutting down (503, connection closed). */
  private void turnAway(Context ctx, Admission.Refusal why) {
    if (why == Admission.Refusal.BUSY) {
      stats.rejected("busy");
      ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
      json(ctx, 503, OpenAiWire.error("the routing server is at its limit of " + admission.limit() + " requests in"
          + " flight; try again shortly", "server_error", null, "server_busy"));
    } else {
      stats.rejected("shutting_down");
      ctx.header("Connection", "close");
      json(ctx, 503, OpenAiWire.error("the routing server is shutting down", "server_error", null,
          "server_shutting_down"));
    }
  }

  /**
   * Admits a chat request, or turns it away. An admitted one counts as in flight until Jetty has sent its whole
   * answer (not merely handed it over), so that a shutdown waiting for it does not close the connection under it.
   */
  private boolean admit(Context ctx, Admission.Exchange exchange) {
    Admission.Refusal refused = admission.enter(exchange);
    if (refused != null) {
      turnAway(ctx, refused);
      return false;
    }
    try {
      org.eclipse.jetty.server.Request.addCompletionListener(
          ServletContextRequest.getServletContextRequest(ctx.req()), failure -> admission.leave(exchange));
    } catch (RuntimeException e) {
      admission.leave(exchange);
      throw e;
    }
    return true;
  }

  private static ClientErrors.ApiError shuttingDown() {
    return new ClientErrors.ApiError(503, "the routing server is shutting down; the answer was cut off",
        "server_error", "server_shutting_down", null);
  }

  /** Sets the {@code x-routellm-*} headers: the model answering, the decision, and the cost once known. */
  private static Map<String, String> routingHeaders(String model, RoutingDecision d, boolean fellBack,
      RoutedResponse routed) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("x-routellm-model", model);
    h.put("x-routellm-chosen-model", d.model());
    h.put("x-routellm-router", d.router());
    if (Double.isFinite(d.score())) {
      h.put("x-routellm-score", String.valueOf(d.score()));
    }
    if (Double.isFinite(d.threshold())) {
      h.put("x-routellm-threshold", String.valueOf(d.threshold()));
    }
    h.put("x-routellm-fell-back", String.valueOf(fellBack));
    if (routed != null) {
      h.put("x-routellm-cost-usd", OpenAiWire.dollars(routed.cost()).toPlainString());
    }
    return h;
  }

  /** One chat request being answered: what both kinds of exchange hold. */
  private abstract static class ChatExchange implements Admission.Exchange {
    final Context ctx;
    final Router router;
    final OpenAiWire.Incoming in;
    final RouteOptions options;
    final String id;
    final long created;
    final RequestLog log;

    ChatExchange(Context ctx, Router router, OpenAiWire.Incoming in, RouteOptions options, String id, long created,
        RequestLog log) {
      this.ctx = ctx;
      this.router = router;
      this.in = in;
      this.options = options;
      this.id = id;
      this.created = created;
      this.log = log;
    }
  }

  /**
   * A non-streamed chat request: routed without holding a thread, cancelled when the client goes away or the
   * shutdown cuts it off.
   */
  private final class BlockingExchange extends ChatExchange {
    private volatile CompletableFuture<RoutedResponse> call;
    private volatile boolean cutOff;
    private volatile boolean clientGone;

    BlockingExchange(Context ctx, Router router, OpenAiWire.Incoming in, RouteOptions options, String id,
        long created, RequestLog log) {
      super(ctx, router, in, options, id, created, log);
    }

    void start() {
      if (!admit(ctx, this)) {
        return;
      }
      CompletableFuture<RoutedResponse> f;
      try {
        f = router.chatAsync(in.request(), options);
      } catch (RuntimeException e) {
        admission.leave(this);
        throw e;
      }
      call = f;
      if (cutOff) {
        f.cancel(true);
      }
      ClientWatch watch = ClientWatch.start(ctx, () -> {
        clientGone = true;
        f.cancel(true);
      });
      ctx.future(() -> f.handle((routed, error) -> {
        boolean closeAfter = watch != null && watch.stop();
        if (closeAfter) {
          ctx.header("Connection", "close");
        }
        answer(routed, error);
        return null;
      }));
    }

    private void answer(RoutedResponse routed, Throwable error) {
      if (routed != null) {
        log.answered(routed);
        routingHeaders(routed.answeredBy(), routed.decision(), routed.fellBack(), routed).forEach(ctx::header);
        json(ctx, 200, OpenAiWire.completion(id, created, routed));
        return;
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof CancellationException) {
        if (clientGone) {
          stats.clientsGone.increment();
          log.note("client went away; upstream call cancelled");
          ctx.status(499); // nginx's "client closed request", for the log: nobody reads this answer
        } else {
          fail(ctx, shuttingDown());
        }
        return;
      }
      ClientErrors.ApiError e = ClientErrors.of(cause);
      if (e.status() == 500) {
        LOG.log(System.Logger.Level.ERROR, "request " + id + " failed unexpectedly", cause);
      }
      fail(ctx, e);
    }

    @Override
    public void abort() {
      cutOff = true;
      CompletableFuture<RoutedResponse> f = call;
      if (f != null) {
        f.cancel(true);
      }
    }
  }

  /**
   * A streamed chat request, on the request's thread. Nothing is sent before the first piece of text, so that a
   * failure before it (both models down) still answers with an HTTP error status, which clients report better than
   * an error event. Every chunk names one model: the one answering when the text began.
   */
  private final class StreamExchange extends ChatExchange implements ServerStats.FallbackTarget {
    private final EventStream sse;
    private RoutingDecision decision;
    private String model;
    private boolean fellBack;

    StreamExchange(Context ctx, Router router, OpenAiWire.Incoming in, RouteOptions options, String id,
        long created, RequestLog log) {
      super(ctx, router, in, options, id, created, log);
      this.sse = new EventStream(ctx);
    }

    @Override
    public void fellBackTo(String next) {
      fellBack = true;
      model = next;
    }

    @Override
    public void abort() {
      sse.abort(503, shuttingDown().body());
    }

    void run() {
      if (!admit(ctx, this)) {
        return;
      }
      ServerStats.STREAM_FALLBACK.set(this);
      try {
        stream();
      } finally {
        ServerStats.STREAM_FALLBACK.remove();
      }
    }

    private void begin() {
      sse.start(routingHeaders(model, decision, fellBack, null), OpenAiWire.chunk(id, created, model, null));
    }

    private void stream() {
      RoutedStreamListener listener =
          new RoutedStreamListener() {
            @Override
            public void onDecision(RoutingDecision d) {
              decision = d;
              model = d.model();
            }

            @Override
            public void onText(String delta) {
              begin();
              sse.event(OpenAiWire.chunk(id, created, model, delta).toString());
            }
          };
      RoutedResponse routed;
      try {
        routed = router.stream(in.request(), options, listener);
      } catch (EventStream.ClientGone e) {
        // thrown by the listener, so the backend cancelled the upstream call
        if (!admission.draining()) {
          stats.clientsGone.increment();
          log.note("client went away mid-stream; upstream call cancelled");
        }
        return;
      } catch (RuntimeException e) {
        ClientErrors.ApiError error = ClientErrors.of(e);
        if (error.status() == 500) {
          LOG.log(System.Logger.Level.ERROR, "request " + id + " failed unexpectedly", e);
        }
        if (!sse.started()) {
          fail(ctx, error);
          return;
        }
        stats.streamsBroken.increment();
        stats.failed(error.status(), error.code() != null ? error.code() : error.type());
        log.note("stream broke after text: " + error.message());
        try {
          sse.event(error.body().toString());
          sse.event("[DONE]");
        } catch (EventStream.ClientGone gone) {
          // nobody is listening any more
        }
        return;
      }
      try {
        log.answered(routed);
        if (model == null) {
          model = routed.answeredBy();
        }
        if (!sse.started()) { // no text (tool calls only): the headers can carry the cost
          sse.start(routingHeaders(model, routed.decision(), routed.fellBack(), routed),
              OpenAiWire.chunk(id, created, model, null));
        }
        if (routed.response().hasToolCalls()) {
          sse.event(OpenAiWire.toolCallsChunk(id, created, model, routed.response().toolCalls()).toString());
        }
        sse.event(OpenAiWire.finishChunk(id, created, model, routed, in.includeUsage()).toString());
        if (in.includeUsage()) {
          sse.event(OpenAiWire.usageChunk(id, created, model, routed).toString());
        }
        sse.event("[DONE]");
      } catch (EventStream.ClientGone e) {
        LOG.log(System.Logger.Level.DEBUG, "client went away before the end of the stream", e);
      }
    }
  }

  /** The server's counts and log, then the meters: every event to both, in that order. Thread-safe. */
  private static final class Listeners implements RouterListener {
    private final RouterListener first;
    private final RouterListener second;

    Listeners(RouterListener first, RouterListener second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void onRequest(ChatRequest request, RouteOptions options) {
      first.onRequest(request, options);
      second.onRequest(request, options);
    }

    @Override
    public void onDecision(ChatRequest request, RoutingDecision decision) {
      first.onDecision(request, decision);
      second.onDecision(request, decision);
    }

    @Override
    public void onModelCall(ChatRequest request, ModelCall call) {
      first.onModelCall(request, call);
      second.onModelCall(request, call);
    }

    @Override
    public void onFallback(ChatRequest request, ModelCall failed, String nextModel) {
      first.onFallback(request, failed, nextModel);
      second.onFallback(request, failed, nextModel);
    }

    @Override
    public void onResponse(ChatRequest request, RoutedResponse response) {
      first.onResponse(request, response);
      second.onResponse(request, response);
    }

    @Override
    public void onFailure(ChatRequest request, RouteLlmException failure) {
      first.onFailure(request, failure);
      second.onFailure(request, failure);
    }
  }

  // ---- errors and logging ----

  /** Javalin's own answers (unknown path, wrong method, body too large) in the JSON error shape, not plain text. */
  private void httpError(HttpResponseException e, Context ctx) {
    String path = ctx.path();
    String allowed = ROUTES.get(path);
    switch (e.getStatus()) {
      case 404 -> json(ctx, 404, OpenAiWire.error("no endpoint " + ctx.method() + " " + path + "; this server"
          + " answers POST /v1/chat/completions, GET /v1/models, GET /v1/models/{id}, GET /stats, GET /health and"
          + " GET /", "invalid_request_error", null, "not_found"));
      case 405 -> {
        ctx.header("Allow", allowed == null ? "" : allowed);
        json(ctx, 405, OpenAiWire.error(path + " answers " + allowed + " but the request was " + ctx.method(),
            "invalid_request_error", null, "method_not_allowed"));
      }
      case 413 -> json(ctx, 413, OpenAiWire.error("request body is larger than " + maxBodyBytes + " bytes, the"
          + " most this server takes", "invalid_request_error", null, "request_too_large"));
      default -> json(ctx, e.getStatus(), OpenAiWire.error(e.getMessage(), "invalid_request_error"));
    }
  }

  private void internalError(Exception e, Context ctx) {
    LOG.log(System.Logger.Level.ERROR, ctx.method() + " " + ctx.path() + " failed", e);
    ClientErrors.ApiError error = ClientErrors.internal();
    json(ctx, error.status(), error.body());
  }

  /** One line per request: method, path, status, time, client; for chat, the model asked and what answered. */
  private void logRequest(Context ctx, Float ms) {
    StringBuilder line = new StringBuilder()
        .append(ctx.method()).append(' ').append(ctx.path()).append(' ').append(ctx.status().getCode())
        .append(' ').append(Math.round(ms * 10) / 10.0).append(" ms client=").append(ctx.ip());
    RequestLog record = ctx.attribute(ATTR_LOG);
    if (record != null) {
      record.appendTo(line);
    }
    log.accept(line.toString());
  }

  /** What the access log line says about a chat request. Written by the request's thread(s), one at a time. */
  private static final class RequestLog {
    private final String model;
    private final boolean stream;
    private final String tenant;
    private final String prompt;
    private volatile String answer = "";
    private volatile String note;

    RequestLog(String model, boolean stream, String tenant, String prompt) {
      this.model = model;
      this.stream = stream;
      this.tenant = tenant;
      this.prompt = prompt;
    }

    void answered(RoutedResponse routed) {
      answer = " answered_by=" + routed.answeredBy() + " tier=" + OpenAiWire.tier(routed) + " fell_back="
          + routed.fellBack() + " cost_usd="
          + OpenAiWire.dollars(routed.cost()).toPlainString() + " tokens=" + routed.response().usage().totalTokens();
    }

    void note(String text) {
      note = text;
    }

    void appendTo(StringBuilder line) {
      line.append(" model=").append(model).append(" stream=").append(stream).append(" tenant=").append(tenant)
          .append(answer);
      if (note != null) {
        line.append(" note=\"").append(note).append('"');
      }
      if (prompt != null) {
        String p = prompt.length() > 200 ? prompt.substring(0, 200) + "..." : prompt;
        line.append(" prompt=").append(OpenAiWire.JSON.getNodeFactory().stringNode(p));
      }
    }
  }

  /**
   * The address to listen on for {@code host}: an IP literal, or a name that resolves to an address of this machine.
   * Dotted numbers that are no IPv4 address (such as {@code 999.1.1.1}) and names with characters no host name has
   * are rejected without a DNS lookup. The message continues a subject ({@code "host "}, or a command-line flag).
   *
   * @throws IllegalArgumentException when {@code host} is none of these
   */
  public static InetAddress listenAddress(String host) {
    Objects.requireNonNull(host, "host");
    boolean dotted = host.matches("[0-9.]+");
    boolean name = host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9.])?");
    boolean ipv6 = host.matches("\\[?[0-9A-Fa-f:.%A-Za-z]*:[0-9A-Fa-f:.%A-Za-z]*]?");
    if (dotted ? !IPV4.matcher(host).matches() : !(name || ipv6)) {
      throw new IllegalArgumentException("must be an IP address or a host name of this machine but was '" + host + "'");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("must be an IP address or a host name of this machine but '" + host
          + "' does not resolve");
    }
    try {
      if (address.isAnyLocalAddress() || address.isLoopbackAddress()
          || NetworkInterface.getByInetAddress(address) != null) {
        return address;
      }
    } catch (SocketException e) {
      // cannot list the interfaces: report it as not local
    }
    throw new IllegalArgumentException("must be an address of this machine but '" + host + "' is "
        + address.getHostAddress() + ", which no interface here has");
  }

  /**
   * Checks that {@code port} can be listened on at {@code address} by binding it for a moment (0, any free port,
   * always can). The message continues a subject ({@code "port "}, or a command-line flag).
   *
   * @throws IllegalArgumentException when the port is taken or not allowed
   */
  public static void checkPortFree(InetAddress address, int port) {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("must be in [0, 65535] but was " + port);
    }
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as Jetty does: a port in TIME_WAIT is free for it
      probe.bind(new InetSocketAddress(address, port));
    } catch (IOException e) {
      throw new IllegalArgumentException("must be a port free on " + address.getHostAddress() + " but " + port
          + " is not: " + e.getMessage());
    }
  }

  /** The threshold asked for by {@code model}: {@code router-<name>-<t>} or {@code router-<name>}. */
  double threshold(String model) {
    String prefix = "router-" + routerName;
    if (model.equals(prefix)) {
      return defaultThreshold;
    }
    if (model.startsWith(prefix + "-")) {
      String t = model.substring(prefix.length() + 1);
      double value;
      try {
        value = Double.parseDouble(t);
      } catch (NumberFormatException e) {
        value = Double.NaN;
      }
      if (!(value >= 0 && value <= 1)) {
        throw new OpenAiWire.InvalidRequest(
            "model '" + model + "': threshold must be a number in [0, 1] but was '" + t + "'", "model");
      }
      return value;
    }
    throw new OpenAiWire.InvalidRequest("model '" + model + "' is not served here; ask for " + servedIds(), "model",
        "model_not_found");
  }

  private static void json(Context ctx, int status, ObjectNode body) {
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  private static String format(double t) {
    return String.format(Locale.ROOT, "%.5f", t).replaceAll("0+$", "").replaceAll("\\.$", ".0");
  }

  private static byte[] resource(String name) {
    try (InputStream in = RoutingServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the routellm-examples jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + " from the jar", e);
    }
  }

  /** Builds and starts a {@link RoutingServer}. Not thread-safe. */
  public static final class Builder {
    private RouterFactory routers;
    private CostTracker totals;
    private String routerName;
    private double defaultThreshold = Double.NaN;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private final Map<String, String> apiKeys = new LinkedHashMap<>();
    private final Map<String, java.util.function.Function<RouterListener, Router>> pooled = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxConcurrent = DEFAULT_MAX_CONCURRENT;
    private List<String> allowedHosts = List.of();
    private List<String> corsOrigins = List.of();
    private boolean logPrompts;
    private Consumer<String> log = line -> LOG.log(System.Logger.Level.INFO, line);

    private Builder() {}

    /**
     * Where the server's records go, one line each: one per request (method, path, status, time, client address;
     * for a chat request the model asked for, the model that answered, fallback, cost and tokens) and one per failed
     * model call (with the upstream's message). Keys are never in them; prompts only with {@link #logPrompts}.
     * Called from many threads. Default: this class's {@link System.Logger} at INFO.
     */
    public Builder log(Consumer<String> sink) {
      this.log = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * Largest request body taken; a larger one answers 413. Default {@value #DEFAULT_MAX_BODY_BYTES} (8 MiB).
     *
     * @throws IllegalArgumentException when not {@code > 0}
     */
    public Builder maxBodyBytes(long value) {
      if (value <= 0) {
        throw new IllegalArgumentException("maxBodyBytes must be > 0 but was " + value);
      }
      this.maxBodyBytes = value;
      return this;
    }

    /**
     * Chat requests in flight at most (streamed or not); more are refused at once with 503 and {@code Retry-After},
     * which the OpenAI SDKs retry. Default {@value #DEFAULT_MAX_CONCURRENT}. The backends' HTTP clients should allow
     * as many calls per host (OkHttp's dispatcher allows 5 asynchronous calls per host unless told otherwise).
     *
     * @throws IllegalArgumentException when not in [1, 10000]
     */
    public Builder maxConcurrent(int value) {
      if (value < 1 || value > 10_000) {
        throw new IllegalArgumentException("maxConcurrent must be in [1, 10000] but was " + value);
      }
      this.maxConcurrent = value;
      return this;
    }

    /**
     * Further names clients reach the server under (a DNS name, a reverse proxy's host), besides its own addresses
     * and {@code localhost}; {@code "*"} turns the {@code Host} check off. A request whose {@code Host} is none of
     * them is refused with 403: a page that rebinds its own DNS name to this machine cannot call the server.
     *
     * @throws IllegalArgumentException when a name is blank or holds a character no host name has
     */
    public Builder allowedHosts(List<String> names) {
      for (String n : Objects.requireNonNull(names, "names")) {
        if (n == null || !(n.equals(RequestChecks.ANY) || n.matches("[A-Za-z0-9.:\\[\\]-]+"))) {
          throw new IllegalArgumentException("allowed host must be a host name, an address or '*' but was '" + n
              + "'");
        }
      }
      this.allowedHosts = List.copyOf(names);
      return this;
    }

    /**
     * Origins whose web pages may call the server from a browser (CORS), such as {@code https://app.example.com};
     * {@code "*"} for any. None by default: only the server's own chat page may.
     *
     * @throws IllegalArgumentException when an origin is not {@code scheme://host[:port]} nor {@code "*"}
     */
    public Builder corsOrigins(List<String> origins) {
      for (String o : Objects.requireNonNull(origins, "origins")) {
        if (o == null || !(o.equals(RequestChecks.ANY) || o.matches("https?://[A-Za-z0-9.\\[\\]:-]+"))) {
          throw new IllegalArgumentException("CORS origin must be scheme://host[:port] (no path) or '*' but was '"
              + o + "'");
        }
      }
      this.corsOrigins = List.copyOf(origins);
      return this;
    }

    /** Whether the access log shows the start of each request's last user message. Default false. */
    public Builder logPrompts(boolean value) {
      this.logPrompts = value;
      return this;
    }

    /**
     * How to get a router for a threshold, called per request, and the {@link CostTracker} those routers record into
     * ({@link Router.Builder#costTracker}), which {@code GET /stats} reports. Required.
     */
    public Builder routers(String name, RouterFactory factory, CostTracker totals) {
      this.totals = Objects.requireNonNull(totals, "totals");
      Objects.requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*")) {
        throw new IllegalArgumentException("router name must be letters, digits, '_', '.' or '-' but was '" + name + "'");
      }
      this.routerName = name;
      this.routers = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** The threshold for {@code router-<name>} without one. Required, in [0, 1]. */
    public Builder defaultThreshold(double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException("defaultThreshold must be in [0, 1] but was " + value);
      }
      this.defaultThreshold = value;
      return this;
    }

    /**
     * Interface to listen on: an IP address or a host name of this machine ({@link #listenAddress}). Default
     * {@value #DEFAULT_HOST} (loopback only).
     *
     * @throws IllegalArgumentException when it is neither, or does not resolve to an address of this machine
     */
    public Builder host(String value) {
      try {
        listenAddress(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("host " + e.getMessage());
      }
      this.host = value;
      return this;
    }

    /** Port; 0 picks a free one. Default {@value #DEFAULT_PORT}. */
    public Builder port(int value) {
      if (value < 0 || value > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535] but was " + value);
      }
      this.port = value;
      return this;
    }

    /**
     * A key clients must send as {@code Authorization: Bearer <key>} (the scheme in any case), for the tenant {@link
     * SpendLimiter#DEFAULT_TENANT}; none by default (loopback use).
     */
    public Builder apiKey(String value) {
      return apiKey(value, SpendLimiter.DEFAULT_TENANT);
    }

    /**
     * A key clients may send as {@code Authorization: Bearer <key>}, and the tenant its requests count against (the
     * routers' spend limits, the request log); repeatable, one tenant per key. With any key set, a request without
     * one of them gets 401. The key itself never appears in a log line or an answer; the tenant's name does.
     *
     * @throws IllegalArgumentException when the key is blank or given twice, or the tenant is not letters, digits,
     *     '.', '_', '-' or '@' (at most 64)
     */
    public Builder apiKey(String key, String tenant) {
      Objects.requireNonNull(key, "apiKey");
      Objects.requireNonNull(tenant, "tenant");
      if (key.isBlank()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      if (!tenant.matches("[A-Za-z0-9._@-]{1,64}")) {
        throw new IllegalArgumentException("tenant must be 1 to 64 letters, digits, '.', '_', '-' or '@' but was '"
            + tenant + "'");
      }
      if (apiKeys.containsKey(key)) {
        throw new IllegalArgumentException("the same key is given for tenants '" + apiKeys.get(key) + "' and '"
            + tenant + "'; each tenant needs its own key");
      }
      apiKeys.put(key, tenant);
      return this;
    }

    /**
     * A router served under the model id {@code router-<name>} besides the threshold routers (a pool's quality-cost,
     * cheapest-reaching or cascade router), built once when the server starts: {@code factory} gets the server's
     * listener, which the router must register ({@link Router.Builder#listener}). Listed by {@code /v1/models}.
     *
     * @throws IllegalArgumentException when the name is not letters, digits, '_', '.' or '-', or given twice
     */
    public Builder router(String name, java.util.function.Function<RouterListener, Router> factory) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(factory, "factory");
      if (!name.matches("[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*")) {
        throw new IllegalArgumentException("router name must be letters, digits, '_', '.' or '-' but was '" + name
            + "'");
      }
      if (pooled.containsKey(name)) {
        throw new IllegalArgumentException("router name '" + name + "' is given twice");
      }
      pooled.put(name, factory);
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Starts the server.
     *
     * @throws IllegalStateException when {@code routers} or {@code defaultThreshold} was not given
     * @throws IllegalArgumentException when the port is taken on the host
     * @throws ConfigurationException when listening fails anyway (the port was taken meanwhile)
     */
    public RoutingServer start() {
      if (routers == null) {
        throw new IllegalStateException("routers(name, factory, totals) is required");
      }
      if (Double.isNaN(defaultThreshold)) {
        throw new IllegalStateException("defaultThreshold is required");
      }
      for (String name : pooled.keySet()) {
        if (name.equals(routerName) || name.startsWith(routerName + "-")) {
          throw new IllegalStateException("router name '" + name + "' clashes with the threshold router's model ids"
              + " router-" + routerName + "[-<threshold>]");
        }
      }
      // Checked here rather than left to Javalin, which logs an ERROR with a stack trace before it throws.
      InetAddress address = listenAddress(host);
      try {
        checkPortFree(address, port);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("port " + e.getMessage());
      }
      return new RoutingServer(this, address);
    }
  }
}
