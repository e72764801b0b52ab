package dev.routellm.examples.cli;

import dev.routellm.budget.RedisSpendStore;
import dev.routellm.budget.SpendLimiter;
import dev.routellm.budget.SpendStore;
import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.server.PoolConfig;
import dev.routellm.examples.server.RoutingServer;
import dev.routellm.embedding.Embedder;
import dev.routellm.routing.ModelPool;
import dev.routellm.routing.RoutingPolicy;
import dev.routellm.routing.ThresholdSource;
import dev.routellm.routing.Router;
import dev.routellm.routing.RouterListener;
import dev.routellm.traffic.TrafficLog;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs the OpenAI-compatible routing server and its chat page until interrupted. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs an OpenAI-compatible routing server: point any OpenAI client at http://HOST:PORT/v1 and ask for the"
          + " model router-<name> or router-<name>-<threshold>, <name> being --router's (e.g. router-"
          + PredictorOptions.TOPICS + "-0.5 with the default router, router-random-0.5 with --router random)."
          + " The chat page at"
          + " http://HOST:PORT/ shows which model answered each message and what it cost; GET /stats gives the"
          + " running totals and failure counts. On SIGTERM or Ctrl-C it stops taking requests, lets those in flight"
          + " finish (--drain-timeout), then ends open streams with an error event. Requests from web pages are"
          + " refused unless they come from the chat page itself or a --cors-origin, and the Host header must name"
          + " this server (--allowed-host adds names). GET /metrics gives every meter in Prometheus' text format.",
      "With --pool, the models come from a file, and its 'routers' are served too, each as the model router-<name>"
          + " (quality-cost, cheapest-reaching, cascade). Per request, the headers x-routellm-allowed-models,"
          + " x-routellm-max-cost (dollars) and x-routellm-require (tools, logprobs, json_mode) limit what may answer.",
      "Spend limits (--daily-limit, --tenant-daily-limit) count each request against the tenant of the key it sent"
          + " (--server-key-env TENANT=VAR); a request over a limit gets HTTP 429. --redis shares the amounts between"
          + " replicas."
    })
public final class ServeCommand implements Callable<Integer> {
  @Mixin OutputOptions output;
  @Mixin PredictorOptions predictorOptions;
  @Mixin BackendOptions backends;
  @Spec CommandSpec spec;

  @Option(names = "--host", defaultValue = RoutingServer.DEFAULT_HOST, paramLabel = "ADDRESS",
      description = "IP address or host name of this machine to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for"
          + " all).")
  String host;

  @Option(names = "--port", defaultValue = "" + RoutingServer.DEFAULT_PORT, paramLabel = "PORT",
      description = "Port, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--server-key-env", paramLabel = "[TENANT=]VAR",
      description = "Environment variable holding a key clients must send as 'Authorization: Bearer KEY'; repeatable,"
          + " one key per tenant: TENANT=VAR names the tenant whose spend limits and log lines the key's requests"
          + " count under (without TENANT=, '" + SpendLimiter.DEFAULT_TENANT + "'). Keys never appear in logs."
          + " Default: no key (bind to loopback only).")
  List<String> serverKeyEnvs = new ArrayList<>();

  @Option(names = "--daily-limit", paramLabel = "USD",
      description = "Dollars all requests together may cost per day (UTC), checked before each model call from its"
          + " estimated cost; a request that does not fit gets HTTP 429 (default: no limit).")
  Double dailyLimit;

  @Option(names = "--tenant-daily-limit", paramLabel = "[TENANT=]USD",
      description = "Dollars each tenant's requests may cost per day; TENANT=USD for one tenant; repeatable"
          + " (default: no limit).")
  List<String> tenantDailyLimits = new ArrayList<>();

  @Option(names = "--redis", paramLabel = "URL",
      description = "Keep the spend limits' amounts in Redis (redis://host:6379, rediss:// for TLS), shared by every"
          + " replica of the server (default: in this process).")
  String redis;

  @Option(names = "--traffic-log", paramLabel = "FILE",
      description = "Append one JSON line per request to FILE (prompt, decision, model, tokens, cost, latency; never"
          + " a key), rotated at 100 MiB, 5 files kept; 'routellm label --prompts FILE' labels it.")
  Path trafficLog;


  @Option(names = "--pool", paramLabel = "FILE",
      description = "A JSON file naming the models to route among, instead of the --strong-*/--weak-* options:"
          + " for each its name, base_url, model, key_env, price [IN,OUT] and capabilities; 'strong' and 'weak' name"
          + " the two the threshold router chooses between; 'routers' adds N-way routers (quality-cost,"
          + " cheapest-reaching, cascade), each served as router-<name> (see the README).")
  Path poolFile;

  @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "" + RoutingServer.DEFAULT_MAX_CONCURRENT,
      description = "Chat requests in flight at most; more get 503 with Retry-After, and /health keeps answering"
          + " (default: ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(names = "--allowed-host", paramLabel = "NAME",
      description = "A further host name clients reach the server under (a DNS name, a proxy's host); repeatable."
          + " Requests whose Host header names something else than this server's own addresses, localhost or these"
          + " are refused (403), so that a web page cannot reach the server by rebinding its DNS name; '*' turns"
          + " the check off.")
  List<String> allowedHosts = new ArrayList<>();

  @Option(names = "--cors-origin", paramLabel = "ORIGIN",
      description = "An origin (https://app.example.com) whose web pages may call the server from a browser;"
          + " repeatable; '*' for any. By default only the server's own chat page may: a browser request from"
          + " another page is refused (403).")
  List<String> corsOrigins = new ArrayList<>();

  @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "On SIGTERM or Ctrl-C, seconds requests in flight get to finish before streams are ended with"
          + " an error event (default: ${DEFAULT-VALUE}).")
  double drainSeconds;

  @Option(names = "--log-prompts",
      description = "Show the start of each request's last user message in the request log (default: off; keys"
          + " are never logged).")
  boolean logPrompts;

  /**
   * Where a router's asynchronous steps run: on the thread at hand (the request's Jetty thread decides, the HTTP
   * client's thread finishes), which would otherwise wait anyway; no hand-over to the routers' own threads.
   */
  static final java.util.concurrent.Executor DIRECT = Runnable::run;

  /** Counted down when the server should stop (tests; a signal drains and ends the JVM instead). */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    // Before the router loads (seconds), and instead of Javalin's ERROR log and stack trace.
    InetAddress address;
    try {
      address = RoutingServer.listenAddress(host);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--host " + e.getMessage());
    }
    try {
      RoutingServer.checkPortFree(address, port);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--port " + e.getMessage());
    }
    if (trafficLog != null) {
      OutputFiles.requireWritable("--traffic-log", trafficLog);
    }
    if (!(drainSeconds >= 0 && drainSeconds <= 3600)) {
      throw new IllegalArgumentException("--drain-timeout must be in [0, 3600] seconds but was " + drainSeconds);
    }
    Duration drain = Duration.ofMillis(Math.round(drainSeconds * 1000));
    PoolConfig poolConfig = null;
    if (poolFile != null) {
      for (String flag : List.of("--strong-url", "--strong-model", "--strong-key-env", "--strong-price", "--weak-url",
          "--weak-model", "--weak-key-env", "--weak-price")) {
        if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
          throw new IllegalArgumentException("--pool names the models, so " + flag + " cannot be given with it");
        }
      }
      poolConfig = PoolConfig.read(poolFile);
    }
    CostModel prices = poolConfig == null ? backends.costModel() : null;
    CostTracker totals = new CostTracker();
    Map<String, String> keys = serverKeys(System.getenv());
    SpendLimiter.Builder limits = spendLimits();
    RoutingServer.Builder server = RoutingServer.builder();
    keys.forEach(server::apiKey);
    try {
      server.maxConcurrent(maxConcurrent).allowedHosts(allowedHosts).corsOrigins(corsOrigins).logPrompts(logPrompts);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + e.getMessage().replaceFirst("^maxConcurrent", "max-concurrent")
          .replaceFirst("^allowed host", "allowed-host").replaceFirst("^CORS origin", "cors-origin"));
    }
    // One HTTP client for both models, allowing as many calls per host as the server admits (OkHttp's default
    // dispatcher runs 5 asynchronous calls per host and queues the rest).
    OkHttpClient http = httpClient(maxConcurrent);
    Map<String, Embedder> embedders = new LinkedHashMap<>();
    SpendStore store = null;
    try (PredictorOptions.Loaded loaded = predictorOptions.load();
        Models models = poolConfig == null ? Models.of(backends.strong(http), backends.weak(http))
            : Models.of(poolConfig.open(http, System.getenv()));
        TrafficLog log = trafficLog == null ? null : TrafficLog.builder().file(trafficLog).build()) {
      PoolConfig config = poolConfig;
      String strongName = config == null ? models.strong().model() : config.strong();
      String weakName = config == null ? models.weak().model() : config.weak();
      loaded.checkModels(strongName, weakName, output.err());
      SpendLimiter limiter = null;
      if (limits != null) {
        store = redis == null ? SpendStore.inMemory() : RedisSpendStore.connect(java.net.URI.create(redis));
        limiter = limits.store(store).build();
      }
      SpendLimiter spend = limiter;
      RouterListener traffic = log == null ? RouterListener.NONE : log;
      String thresholdName = loaded.predictor().name();
      server
          .routers(
              thresholdName,
              (t, listener) -> common((config == null
                  ? Router.builder().strong(models.strong()).weak(models.weak()).predictor(loaded.predictor())
                      .threshold(t).costModel(prices)
                  : Router.builder().pool(models.pool()).policy(RoutingPolicy.threshold(loaded.predictor(),
                      ThresholdSource.fixed(t), config.strong(), config.weak()))), totals, listener, traffic, spend),
              totals)
          .defaultThreshold(loaded.threshold())
          .log(ServeCommand::logLine)
          .host(host)
          .port(port);
      List<String> pooled = new ArrayList<>();
      if (config != null) {
        Map<String, RoutingPolicy> policies = config.policies(models.pool(),
            id -> embedders.computeIfAbsent(id, i -> EmbedderOptions.Choice.forId(i).open()));
        for (PoolConfig.RouterSpec r : config.routers()) {
          if (r.name().equals(thresholdName) || r.name().startsWith(thresholdName + "-")) {
            throw new IllegalArgumentException(config.file() + ": field '" + r.field() + ".name' '" + r.name()
                + "' clashes with the threshold router's model ids router-" + thresholdName + "[-<threshold>]"
                + " (--router); choose another name");
          }
          RoutingPolicy policy = policies.get(r.name());
          server.router(r.name(), listener -> common(Router.builder().pool(models.pool()).policy(policy)
              .name(r.name()), totals, listener, traffic, spend));
          pooled.add("router-" + r.name());
        }
      }
      (config == null ? backends.missingKeyWarning(System.getenv()) : java.util.Optional.<String>empty()).ifPresent(w -> {
        PrintWriter err = spec.commandLine().getErr();
        err.println("routellm: " + w);
        err.flush();
      });
      try (RoutingServer running = server.start()) {
        Thread drainOnSignal = new Thread(() -> running.shutdown(drain), "routellm-drain");
        Runtime.getRuntime().addShutdownHook(drainOnSignal);
        try {
          String base = "http://" + host + ":" + running.port();
          PrintWriter text = output.text();
          text.printf(Locale.ROOT, "Routing server on %s/v1 (chat page %s/): model router-%s[-threshold], default"
              + " threshold %.4f; strong %s, weak %s; at most %d requests in flight. Ctrl-C stops it (requests in"
              + " flight get %s s).%n", base, base, loaded.predictor().name(), loaded.threshold(), strongName,
              weakName, maxConcurrent, drainSeconds);
          if (!pooled.isEmpty()) {
            text.printf(Locale.ROOT, "Also routing among %s as %s.%n", String.join(", ", models.pool().names()),
                String.join(", ", pooled));
          }
          if (spend != null) {
            text.printf(Locale.ROOT, "Spend limits: %s a day in all, %s a day per tenant%s; amounts kept %s.%n",
                dailyLimit == null ? "none" : dev.routellm.cost.Dollars.format(dailyLimit),
                tenantDefault == null ? "none" : dev.routellm.cost.Dollars.format(tenantDefault),
                tenantLimits.isEmpty() ? "" : " (own limits: " + String.join(", ", tenantLimits.keySet()) + ")",
                redis == null ? "in this process" : "in Redis");
          }
          text.flush();
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("base_url", base + "/v1");
          result.put("port", running.port());
          result.put("model", "router-" + loaded.predictor().name());
          result.put("threshold", loaded.threshold());
          result.put("routers", pooled);
          output.result(result);
          stop.await();
        } finally {
          try {
            Runtime.getRuntime().removeShutdownHook(drainOnSignal);
          } catch (IllegalStateException shuttingDown) {
            // the hook is draining the server now
          }
        }
      }
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
      embedders.values().forEach(Embedder::close);
      if (store != null) {
        try {
          store.close();
        } catch (RuntimeException e) {
          System.err.println("routellm: cannot close the spend store: " + e.getMessage());
        }
      }
    }
    return 0;
  }

  /**
   * What every served router shares: the totals, the server's listener, the traffic log, the spend limits, the direct
   * executor.
   */
  private static Router common(Router.Builder b, CostTracker totals, RouterListener listener, RouterListener traffic,
      SpendLimiter spend) {
    b.costTracker(totals).listener(listener).listener(traffic).executor(DIRECT);
    if (spend != null) {
      b.spendLimiter(spend);
    }
    return b.build();
  }

  /** The tenant of each server key, by key: from --server-key-env [TENANT=]VAR. */
  Map<String, String> serverKeys(Map<String, String> env) {
    Map<String, String> keys = new LinkedHashMap<>();
    java.util.Set<String> tenants = new java.util.HashSet<>();
    for (String option : serverKeyEnvs) {
      int eq = option.indexOf('=');
      String tenant = eq < 0 ? SpendLimiter.DEFAULT_TENANT : option.substring(0, eq).strip();
      String variable = option.substring(eq + 1).strip();
      if (!tenant.matches("[A-Za-z0-9._@-]{1,64}")) {
        throw new IllegalArgumentException("--server-key-env " + option + ": the tenant must be 1 to 64 letters,"
            + " digits, '.', '_', '-' or '@' but was '" + tenant + "'");
      }
      if (!tenants.add(tenant)) {
        throw new IllegalArgumentException("--server-key-env: tenant '" + tenant + "' is given twice; one key per"
            + " tenant");
      }
      String key = variable.isEmpty() ? null : env.get(variable);
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("--server-key-env " + option + " names an unset variable");
      }
      if (keys.containsKey(key.strip())) {
        throw new IllegalArgumentException("--server-key-env " + option + ": tenants '" + keys.get(key.strip())
            + "' and '" + tenant + "' have the same key; each tenant needs its own");
      }
      keys.put(key.strip(), tenant);
    }
    return keys;
  }

  /** The per-tenant limit from a bare --tenant-daily-limit USD; null when none. */
  private Double tenantDefault;
  /** Tenants' own limits from --tenant-daily-limit TENANT=USD. */
  private final Map<String, Double> tenantLimits = new LinkedHashMap<>();

  /** The spend limits asked for, without their store; null when none. */
  SpendLimiter.Builder spendLimits() {
    if (dailyLimit == null && tenantDailyLimits.isEmpty()) {
      if (redis != null) {
        throw new IllegalArgumentException("--redis keeps the spend limits' amounts, but no limit is set: give"
            + " --daily-limit or --tenant-daily-limit");
      }
      return null;
    }
    SpendLimiter.Builder b = SpendLimiter.builder();
    if (dailyLimit != null) {
      b.dailyLimit(dollars("--daily-limit", String.valueOf(dailyLimit)));
    }
    for (String option : tenantDailyLimits) {
      int eq = option.indexOf('=');
      double usd = dollars("--tenant-daily-limit", option.substring(eq + 1));
      if (eq < 0) {
        if (tenantDefault != null) {
          throw new IllegalArgumentException("--tenant-daily-limit: the limit for every tenant is given twice ("
              + dev.routellm.cost.Dollars.plain(tenantDefault) + " and " + option + ")");
        }
        tenantDefault = usd;
        b.tenantDailyLimit(usd);
      } else {
        String tenant = option.substring(0, eq).strip();
        if (!tenant.matches("[A-Za-z0-9._@-]{1,64}") || tenantLimits.containsKey(tenant)) {
          throw new IllegalArgumentException("--tenant-daily-limit " + option + ": the tenant must be 1 to 64"
              + " letters, digits, '.', '_', '-' or '@', given once, but was '" + tenant + "'");
        }
        tenantLimits.put(tenant, usd);
        b.tenantDailyLimit(tenant, usd);
      }
    }
    if (redis != null && !redis.matches("rediss?://.+")) {
      throw new IllegalArgumentException("--redis must be redis://host:port or rediss://host:port but was '"
          + redis.replaceFirst("//[^@/]*@", "//***@") + "'");
    }
    return b;
  }

  private static double dollars(String option, String value) {
    double usd;
    try {
      usd = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      usd = Double.NaN;
    }
    if (!(usd >= 0 && usd <= 9e9)) {
      throw new IllegalArgumentException(option + " must be dollars in [0, 9000000000] but was '" + value.strip() + "'");
    }
    return usd;
  }

  /** The backends being served, as two flags or a pool file gave them; closing closes them. */
  private record Models(ModelBackend strong, ModelBackend weak, PoolConfig.Opened opened) implements AutoCloseable {
    static Models of(ModelBackend strong, ModelBackend weak) {
      return new Models(strong, weak, null);
    }

    static Models of(PoolConfig.Opened opened) {
      return new Models(null, null, opened);
    }

    ModelPool pool() {
      return opened.pool();
    }

    @Override
    public void close() {
      if (opened != null) {
        opened.close();
      } else {
        try (ModelBackend s = strong; ModelBackend w = weak) {
          // closes both
        }
      }
    }
  }

  /** The server's request and failure records: one line each on stderr, with the time. */
  private static void logLine(String line) {
    System.err.println(java.time.Instant.now() + " routellm: " + line);
  }

  /** An HTTP client whose dispatcher runs {@code calls} asynchronous calls at once, per host too. */
  static OkHttpClient httpClient(int calls) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(calls);
    dispatcher.setMaxRequestsPerHost(calls);
    return new OkHttpClient.Builder().dispatcher(dispatcher).build();
  }
}
