package dev.routellm.examples.cli;

import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.server.PoolConfig;
import dev.routellm.examples.server.RoutingServer;
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
          + " this server (--allowed-host adds names)."
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

  @Option(names = "--server-key-env", paramLabel = "VAR",
      description = "Environment variable holding a key clients must send as 'Authorization: Bearer KEY'"
          + " (default: no key; bind to loopback only).")
  String serverKeyEnv;

  @Option(names = "--traffic-log", paramLabel = "FILE",
      description = "Append one JSON line per request to FILE (prompt, decision, model, tokens, cost, latency; never"
          + " a key), rotated at 100 MiB, 5 files kept; 'routellm label --prompts FILE' labels it.")
  Path trafficLog;


  @Option(names = "--pool", paramLabel = "FILE",
      description = "A JSON file naming the models to route between, instead of the --strong-*/--weak-* options:"
          + " for each its name, base_url, model, key_env, price [IN,OUT] and capabilities; 'strong' and 'weak' name"
          + " the two the router chooses between (see the README).")
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
   * client's thread finishes). The routers' default, the common fork-join pool, becomes a new thread per task on a
   * machine with two cores (CompletableFuture's rule for a common pool of parallelism 1), which costs more than the
   * decision itself.
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
    String key = null;
    if (serverKeyEnv != null) {
      key = System.getenv(serverKeyEnv);
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("--server-key-env " + serverKeyEnv + " names an unset variable");
      }
    }
    RoutingServer.Builder server = RoutingServer.builder();
    try {
      server.maxConcurrent(maxConcurrent).allowedHosts(allowedHosts).corsOrigins(corsOrigins).logPrompts(logPrompts);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + e.getMessage().replaceFirst("^maxConcurrent", "max-concurrent")
          .replaceFirst("^allowed host", "allowed-host").replaceFirst("^CORS origin", "cors-origin"));
    }
    // One HTTP client for both models, allowing as many calls per host as the server admits (OkHttp's default
    // dispatcher runs 5 asynchronous calls per host and queues the rest).
    OkHttpClient http = httpClient(maxConcurrent);
    try (PredictorOptions.Loaded loaded = predictorOptions.load();
        Models models = poolConfig == null ? Models.of(backends.strong(http), backends.weak(http))
            : Models.of(poolConfig.open(http, System.getenv()));
        TrafficLog log = trafficLog == null ? null : TrafficLog.builder().file(trafficLog).build()) {
      PoolConfig config = poolConfig;
      String strongName = config == null ? models.strong().model() : config.strong();
      String weakName = config == null ? models.weak().model() : config.weak();
      loaded.checkModels(strongName, weakName, output.err());
      server
          .routers(
              loaded.predictor().name(),
              (t, listener) -> (config == null
                  ? Router.builder().strong(models.strong()).weak(models.weak()).predictor(loaded.predictor())
                      .threshold(t).costModel(prices)
                  : Router.builder().pool(models.pool()).policy(RoutingPolicy.threshold(loaded.predictor(),
                      ThresholdSource.fixed(t), config.strong(), config.weak())))
                  .costTracker(totals).listener(listener).listener(log == null ? RouterListener.NONE : log)
                  .executor(DIRECT).build(),
              totals)
          .defaultThreshold(loaded.threshold())
          .log(ServeCommand::logLine)
          .host(host)
          .port(port);
      if (key != null) {
        server.apiKey(key);
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
          text.flush();
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("base_url", base + "/v1");
          result.put("port", running.port());
          result.put("model", "router-" + loaded.predictor().name());
          result.put("threshold", loaded.threshold());
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
    }
    return 0;
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
