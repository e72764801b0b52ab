package dev.routellm.examples.cli;

import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.server.RoutingServer;
import dev.routellm.routing.Router;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
          + " running totals. Stops on Ctrl-C."
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

  /** Counted down when the server should stop (tests; Ctrl-C ends the JVM instead). */
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
    CostModel prices = backends.costModel();
    CostTracker totals = new CostTracker();
    String key = null;
    if (serverKeyEnv != null) {
      key = System.getenv(serverKeyEnv);
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("--server-key-env " + serverKeyEnv + " names an unset variable");
      }
    }
    try (PredictorOptions.Loaded loaded = predictorOptions.load();
        ModelBackend strong = backends.strong();
        ModelBackend weak = backends.weak()) {
      loaded.checkModels(strong.model(), weak.model(), output.err());
      RoutingServer.Builder server =
          RoutingServer.builder()
              .routers(
                  loaded.predictor().name(),
                  t -> Router.builder().strong(strong).weak(weak).predictor(loaded.predictor()).threshold(t)
                      .costModel(prices).costTracker(totals).build(),
                  totals)
              .defaultThreshold(loaded.threshold())
              .host(host)
              .port(port);
      if (key != null) {
        server.apiKey(key);
      }
      backends.missingKeyWarning(System.getenv()).ifPresent(w -> {
        PrintWriter err = spec.commandLine().getErr();
        err.println("routellm: " + w);
        err.flush();
      });
      try (RoutingServer running = server.start()) {
        String base = "http://" + host + ":" + running.port();
        PrintWriter text = output.text();
        text.printf(Locale.ROOT, "Routing server on %s/v1 (chat page %s/): model router-%s[-threshold], default"
            + " threshold %.4f; strong %s, weak %s. Ctrl-C stops it.%n", base, base, loaded.predictor().name(),
            loaded.threshold(), strong.model(), weak.model());
        text.flush();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("base_url", base + "/v1");
        result.put("port", running.port());
        result.put("model", "router-" + loaded.predictor().name());
        result.put("threshold", loaded.threshold());
        output.result(result);
        stop.await();
      }
    }
    return 0;
  }
}
