package dev.routellm.examples.server;

import dev.routellm.BackendException;
import dev.routellm.ConfigurationException;
import dev.routellm.RouteLlmException;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.cost.CostTracker;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.RoutedStreamListener;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.DoubleFunction;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An OpenAI-compatible routing server: any OpenAI client points its base URL at {@code http://host:port/v1} and asks
 * for the model {@code router-<name>-<threshold>} (RouteLLM's convention, e.g. {@code router-mf-0.11593}) or
 * {@code router-<name>} for the configured threshold.
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: routes and answers, streaming as server-sent events ending with
 *       {@code data: [DONE]} when {@code stream} is true. The answer's {@code model} is the model that answered; a
 *       {@code routing} object adds the decision (chosen model, score, threshold, reason, fallback, cost in USD).
 *   <li>{@code GET /v1/models}, {@code GET /health}, {@code GET /stats} (running cost totals), {@code GET /} (a chat
 *       page that shows which model answered each message and what it cost).
 * </ul>
 *
 * <p>Errors answer with {@code Content-Type: application/json} in OpenAI's shape {@code {"error":{"message","type",
 * "param","code"}}}, which the official SDKs parse, with the same fields also at the top level beside {@code
 * "object":"error"} (RouteLLM's shape): 400 for a bad request (bad JSON, a missing field, a model not served here),
 * 401 without the server's key (when one is configured), 404 for an unknown path, 405 for a wrong method, 413 for a
 * body over {@link Builder#maxBodyBytes}, 502 when no model could answer. A stream answers with an HTTP error status
 * as long as no text was sent; once text was sent, a failure ends it with an event holding that error object, then
 * {@code data: [DONE]}. A client that goes away mid-stream cancels the upstream call at the next piece of text.
 *
 * <p>Tool calling passes through: {@code tools}, {@code tool_choice} and {@code parallel_tool_calls} reach the chosen
 * model untouched, as do assistant {@code tool_calls} and {@code tool} messages. An answer's tool calls come back in
 * OpenAI's shape ({@code content: null} when there is no text); a stream sends them, complete and indexed, in one
 * {@code delta.tool_calls} chunk before the finish chunk, whose {@code finish_reason} is the model's
 * ({@code tool_calls}). Legacy function calling ({@code functions}) is refused with 400. Thread-safe; {@link #close()} stops
 * the server and is idempotent; it does not close the routers' backends.
 */
public final class RoutingServer implements AutoCloseable {
  /** RouteLLM's default port. */
  public static final int DEFAULT_PORT = 6060;
  /** Listens on loopback unless told otherwise. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Largest request body taken: room for a long-context conversation (about a million tokens of text). */
  public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;

  private static final System.Logger LOG = System.getLogger(RoutingServer.class.getName());
  /** Path to the one method it answers; anything else is 404, or 405 for a known path. */
  private static final Map<String, String> ROUTES =
      Map.of("/", "GET", "/health", "GET", "/v1/models", "GET", "/stats", "GET", "/v1/chat/completions", "POST");

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final Pattern IPV4 = Pattern.compile("(" + OCTET + "\\.){3}" + OCTET);

  private final DoubleFunction<Router> routers;
  private final String routerName;
  private final double defaultThreshold;
  private final byte[] apiKey;
  private final Clock clock;
  private final CostTracker totals;
  private final Javalin app;
  private final String page;
  private final long maxBodyBytes;
  private final long started;
  private volatile boolean closed;

  private RoutingServer(Builder b) {
    this.routers = b.routers;
    this.totals = b.totals;
    this.routerName = b.routerName;
    this.defaultThreshold = b.defaultThreshold;
    this.apiKey = b.apiKey == null ? null : b.apiKey.getBytes(StandardCharsets.UTF_8);
    this.clock = b.clock;
    this.page = loadPage();
    this.maxBodyBytes = b.maxBodyBytes;
    this.started = clock.instant().getEpochSecond();
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.http.maxRequestSize = maxBodyBytes;
              config.http.prefer405over404 = true;
              config.routes.get("/", ctx -> ctx.html(page));
              config.routes.get("/health", ctx -> json(ctx, 200, health()));
              config.routes.get("/v1/models", this::models);
              config.routes.get("/stats", this::stats);
              config.routes.post("/v1/chat/completions", this::chatCompletions);
              config.routes.exception(HttpResponseException.class, this::httpError);
              config.routes.exception(Exception.class, RoutingServer::internalError);
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

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      app.stop();
    }
  }

  /** Javalin's own answers (unknown path, wrong method, body too large) in the JSON error shape, not plain text. */
  private void httpError(HttpResponseException e, Context ctx) {
    String path = ctx.path();
    String allowed = ROUTES.get(path);
    switch (e.getStatus()) {
      case 404 -> json(ctx, 404, OpenAiWire.error("no endpoint " + ctx.method() + " " + path + "; this server"
          + " answers POST /v1/chat/completions, GET /v1/models, GET /stats, GET /health and GET /",
          "invalid_request_error", null, "not_found"));
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

  private static void internalError(Exception e, Context ctx) {
    LOG.log(System.Logger.Level.ERROR, ctx.method() + " " + ctx.path() + " failed", e);
    json(ctx, 500, OpenAiWire.error("the routing server failed: " + e, "server_error"));
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

  private ObjectNode health() {
    ObjectNode n = OpenAiWire.JSON.createObjectNode();
    n.put("status", "online");
    return n;
  }

  private void models(Context ctx) {
    if (!authorized(ctx)) {
      return;
    }
    ObjectNode root = OpenAiWire.JSON.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String id : new String[] {"router-" + routerName, "router-" + routerName + "-" + format(defaultThreshold)}) {
      data.addObject().put("id", id).put("object", "model").put("created", started).put("owned_by", "routellm");
    }
    json(ctx, 200, root);
  }

  private void stats(Context ctx) {
    if (!authorized(ctx)) {
      return;
    }
    CostSnapshot s = totals.snapshot();
    ObjectNode root = OpenAiWire.JSON.createObjectNode();
    root.put("requests", s.requests());
    root.put("strong_requests", s.strongRequests());
    root.put("strong_share", s.strongShare());
    root.put("cost_usd", OpenAiWire.dollars(s.cost()));
    root.put("all_strong_cost_usd", OpenAiWire.dollars(s.allStrongCost()));
    root.put("saving_usd", OpenAiWire.dollars(s.saving()));
    root.put("saving_share", s.savingShare());
    ObjectNode models = root.putObject("models");
    s.models()
        .forEach(
            (m, t) ->
                models
                    .putObject(m)
                    .put("calls", t.calls())
                    .put("prompt_tokens", t.promptTokens())
                    .put("completion_tokens", t.completionTokens())
                    .put("cost_usd", OpenAiWire.dollars(t.cost())));
    json(ctx, 200, root);
  }

  private void chatCompletions(Context ctx) {
    if (!authorized(ctx)) {
      return;
    }
    OpenAiWire.Incoming in;
    Router router;
    try {
      in = OpenAiWire.parse(ctx.body());
      router = routers.apply(threshold(in.model()));
    } catch (OpenAiWire.InvalidRequest e) {
      json(ctx, 400, OpenAiWire.error(e.getMessage(), "invalid_request_error", e.param, e.code));
      return;
    } catch (IllegalArgumentException | IllegalStateException e) {
      json(ctx, 400, OpenAiWire.error(e.getMessage(), "invalid_request_error"));
      return;
    }
    String id = "chatcmpl-" + UUID.randomUUID();
    long created = clock.instant().getEpochSecond();
    if (in.stream()) {
      stream(ctx, router, in, id, created);
      return;
    }
    try {
      RoutedResponse routed = router.chat(in.request());
      ctx.header("x-routellm-model", routed.response().model());
      ctx.header("x-routellm-cost-usd", OpenAiWire.dollars(routed.cost()).toPlainString());
      json(ctx, 200, OpenAiWire.completion(id, created, routed));
    } catch (RouteLlmException | IllegalArgumentException e) {
      failed(ctx, e);
    }
  }

  /** A failed routed call: 502 when the models failed, 400 when the request was refused. */
  private static void failed(Context ctx, RuntimeException e) {
    if (e instanceof BackendException) {
      json(ctx, 502, OpenAiWire.error(e.getMessage(), "upstream_error", null, "upstream_failed"));
    } else {
      json(ctx, 400, OpenAiWire.error(e.getMessage(), "invalid_request_error"));
    }
  }

  /**
   * Streams the routed answer. Nothing is sent before the first piece of text, so that a failure before it (both
   * models down) still answers with an HTTP error status, which clients report better than an error event.
   */
  private void stream(Context ctx, Router router, OpenAiWire.Incoming in, String id, long created) {
    SseStream sse = new SseStream(ctx);
    RoutedStreamListener listener =
        new RoutedStreamListener() {
          @Override
          public void onDecision(RoutingDecision decision) {
            sse.model = decision.model();
          }

          @Override
          public void onText(String delta) {
            sse.send(id, created, delta);
          }
        };
    RoutedResponse routed;
    try {
      routed = router.stream(in.request(), listener);
    } catch (ClientGone e) {
      // the exception reached the backend through the listener, which cancelled the upstream call
      LOG.log(System.Logger.Level.DEBUG, "client went away mid-stream; upstream call cancelled", e);
      return;
    } catch (RouteLlmException | IllegalArgumentException e) {
      if (!sse.started) {
        failed(ctx, e);
        return;
      }
      String type = e instanceof BackendException ? "upstream_error" : "invalid_request_error";
      sse.event(OpenAiWire.error(e.getMessage(), type, null, e instanceof BackendException ? "upstream_failed"
          : null).toString());
      sse.event("[DONE]");
      return;
    }
    try {
      sse.model = routed.response().model();
      sse.start(id, created);
      if (routed.response().hasToolCalls()) {
        sse.event(OpenAiWire.toolCallsChunk(id, created, sse.model, routed.response().toolCalls()).toString());
      }
      sse.event(OpenAiWire.finishChunk(id, created, routed, in.includeUsage()).toString());
      if (in.includeUsage()) {
        sse.event(OpenAiWire.usageChunk(id, created, routed).toString());
      }
      sse.event("[DONE]");
    } catch (ClientGone e) {
      LOG.log(System.Logger.Level.DEBUG, "client went away before the end of the stream", e);
    }
  }

  /** The client closed the connection while a stream was being written. */
  private static final class ClientGone extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    ClientGone(IOException cause) {
      super("client went away while streaming", cause);
    }
  }

  /** A server-sent event stream that commits its headers with the first event. Used by one thread. */
  private static final class SseStream {
    private final Context ctx;
    private OutputStream out;
    String model;
    boolean started;

    SseStream(Context ctx) {
      this.ctx = ctx;
    }

    /** Sends the headers and the role chunk, once. */
    void start(String id, long created) {
      if (started) {
        return;
      }
      started = true;
      ctx.status(200);
      ctx.contentType("text/event-stream; charset=utf-8");
      ctx.header("Cache-Control", "no-cache");
      ctx.header("X-Accel-Buffering", "no"); // nginx and similar proxies: pass each event on at once
      try {
        out = ctx.res().getOutputStream();
      } catch (IOException e) {
        throw new ClientGone(e);
      }
      event(OpenAiWire.chunk(id, created, model, null).toString());
    }

    void send(String id, long created, String text) {
      start(id, created);
      event(OpenAiWire.chunk(id, created, model, text).toString());
    }

    void event(String data) {
      try {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException e) {
        throw new ClientGone(e);
      }
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
    throw new OpenAiWire.InvalidRequest(
        "model '" + model + "' is not served here; ask for '" + prefix + "' or '" + prefix + "-<threshold>'",
        "model", "model_not_found");
  }

  private boolean authorized(Context ctx) {
    if (apiKey == null) {
      return true;
    }
    String header = ctx.header("Authorization");
    byte[] given =
        header != null && header.startsWith("Bearer ")
            ? header.substring(7).getBytes(StandardCharsets.UTF_8)
            : new byte[0];
    if (MessageDigest.isEqual(given, apiKey)) {
      return true;
    }
    json(ctx, 401, OpenAiWire.error("missing or wrong API key for this routing server", "authentication_error", null,
        "invalid_api_key"));
    return false;
  }

  private static void json(Context ctx, int status, ObjectNode body) {
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  private static String format(double t) {
    return String.format(Locale.ROOT, "%.5f", t).replaceAll("0+$", "").replaceAll("\\.$", ".0");
  }

  private static String loadPage() {
    try (InputStream in = RoutingServer.class.getResourceAsStream("chat.html")) {
      if (in == null) {
        throw new IllegalStateException("chat.html is missing from the routellm-examples jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read chat.html from the jar", e);
    }
  }

  /** Builds and starts a {@link RoutingServer}. Not thread-safe. */
  public static final class Builder {
    private DoubleFunction<Router> routers;
    private CostTracker totals;
    private String routerName;
    private double defaultThreshold = Double.NaN;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private String apiKey;
    private Clock clock = Clock.systemUTC();
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

    private Builder() {}

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
     * How to get a router for a threshold, called per request (routers are cheap to build: they share the predictor
     * and backends), and the {@link CostTracker} those routers record into ({@link Router.Builder#costTracker}), which
     * {@code GET /stats} reports. Required.
     */
    public Builder routers(String name, DoubleFunction<Router> factory, CostTracker totals) {
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

    /** A key clients must send as {@code Authorization: Bearer <key>}; none by default (loopback use). */
    public Builder apiKey(String value) {
      Objects.requireNonNull(value, "apiKey");
      if (value.isBlank()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      this.apiKey = value;
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
        throw new IllegalStateException("routers(name, factory) is required");
      }
      if (Double.isNaN(defaultThreshold)) {
        throw new IllegalStateException("defaultThreshold is required");
      }
      // Checked here rather than left to Javalin, which logs an ERROR with a stack trace before it throws.
      try {
        checkPortFree(listenAddress(host), port);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("port " + e.getMessage());
      }
      return new RoutingServer(this);
    }
  }
}
