package dev.routellm.examples.cli;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.bench.ServerOverhead;
import dev.routellm.examples.server.RoutingServer;
import dev.routellm.onnx.BuiltInRouter;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.Router;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Measures the routing server's own cost: the same client sends chat requests straight to a fake upstream on loopback
 * and through {@code routellm serve}'s server to it, in one run, at each concurrency, with the random router and the
 * built-in learned one.
 */
@Command(
    name = "bench-server",
    mixinStandardHelpOptions = true,
    description = {
      "Measures what the routing server adds to a request: one closed-loop client sends the same chat requests"
          + " straight to a fake OpenAI-compatible upstream on loopback (it answers at once) and through the routing"
          + " server (random router, and the built-in learned router), alternating in rounds, and prints p50/p99"
          + " latency, throughput, and the added p50 against the direct path. The built-in router's decision time"
          + " alone is measured too. About 3 minutes with the defaults."
    })
public final class ServerBenchCommand implements Callable<Integer> {
  @Mixin OutputOptions output;

  @Option(names = "--requests", defaultValue = "3000", paramLabel = "N",
      description = "Measured requests per target, concurrency and round (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--warmup", defaultValue = "600", paramLabel = "N",
      description = "Unmeasured requests before each measured run (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--jit-warmup", defaultValue = "15", paramLabel = "SECONDS",
      description = "Seconds of unmeasured requests per path before the first measured run, at the first"
          + " concurrency, so that the JIT compiler has done its work; 0 for none (default: ${DEFAULT-VALUE}).")
  int jitWarmupSeconds;

  @Option(names = "--concurrency", split = ",", defaultValue = "8,64", paramLabel = "C",
      description = "Client threads, each waiting for its answer before the next request (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency;

  @Option(names = "--rounds", defaultValue = "2", paramLabel = "R",
      description = "Rounds of direct, random, topics per concurrency; runs of a target are pooled"
          + " (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--routers", split = ",", defaultValue = "random,topics", paramLabel = "NAME",
      description = "Routers behind the server: random and/or topics (default: ${DEFAULT-VALUE}).")
  List<String> routers;

  @Override
  public Integer call() throws Exception {
    check(requests >= 100 && requests <= 1_000_000, "--requests must be in [100, 1000000] but was " + requests);
    check(warmup >= 0 && warmup <= 1_000_000, "--warmup must be in [0, 1000000] but was " + warmup);
    check(rounds >= 1 && rounds <= 20, "--rounds must be in [1, 20] but was " + rounds);
    check(jitWarmupSeconds >= 0 && jitWarmupSeconds <= 600,
        "--jit-warmup must be in [0, 600] seconds but was " + jitWarmupSeconds);
    for (int c : concurrency) {
      check(c >= 1 && c <= 512, "--concurrency must be in [1, 512] but was " + c);
    }
    for (String r : routers) {
      check(r.equals("random") || r.equals(BuiltInRouter.NAME), "--routers takes random and topics but was " + r);
    }
    int maxClients = concurrency.stream().mapToInt(Integer::intValue).max().orElse(1);
    PrintWriter err = output.err();
    CostModel prices = CostModel.builder().price("bench-strong", 2.5, 10).price("bench-weak", 0.15, 0.6).build();
    OkHttpClient client = pooled(ServeCommand.httpClient(maxClients), maxClients);
    OkHttpClient upstreamClient = pooled(ServeCommand.httpClient(2 * maxClients), 2 * maxClients);
    List<AutoCloseable> open = new ArrayList<>();
    Map<String, Double> decisionMs = new LinkedHashMap<>();
    try (ServerOverhead.FakeUpstream upstream = new ServerOverhead.FakeUpstream(2 * maxClients + 8)) {
      OpenAiBackend strong = OpenAiBackend.builder().baseUrl(upstream.baseUrl()).model("bench-strong").noApiKey()
          .httpClient(upstreamClient).build();
      OpenAiBackend weak = OpenAiBackend.builder().baseUrl(upstream.baseUrl()).model("bench-weak").noApiKey()
          .httpClient(upstreamClient).build();
      open.add(strong);
      open.add(weak);
      Map<String, RoutingServer> servers = new LinkedHashMap<>();
      for (String name : routers) {
        WinRatePredictor predictor;
        double threshold;
        if (name.equals("random")) {
          predictor = RandomPredictor.withSeed(42);
          threshold = 0.5;
        } else {
          BuiltInRouter topics = BuiltInRouter.topics();
          open.add(topics);
          predictor = topics.predictor();
          threshold = topics.threshold();
          decisionMs.put(name, decisionP50(predictor));
        }
        CostTracker totals = new CostTracker();
        RoutingServer server = RoutingServer.builder()
            .routers(name, (t, listener) -> Router.builder().strong(strong).weak(weak).predictor(predictor)
                .threshold(t).costModel(prices).costTracker(totals).listener(listener).executor(ServeCommand.DIRECT)
                .build(), totals)
            .defaultThreshold(threshold).maxConcurrent(Math.max(RoutingServer.DEFAULT_MAX_CONCURRENT, 2 * maxClients))
            .log(line -> {}).port(0).start();
        open.add(server);
        servers.put(name, server);
      }
      if (jitWarmupSeconds > 0) {
        // one line that grows as each path is warmed, so that the first minute is not silent
        Duration jit = Duration.ofSeconds(jitWarmupSeconds);
        err.printf(Locale.ROOT, "JIT warm-up, %d s per path: direct ", jitWarmupSeconds);
        err.flush();
        long sent = ServerOverhead.warmUp(client, upstream.baseUrl(), "bench-weak", concurrency.get(0), jit);
        err.printf(Locale.ROOT, "%d requests", sent);
        for (Map.Entry<String, RoutingServer> s : servers.entrySet()) {
          err.printf(Locale.ROOT, ", serve+%s ", s.getKey());
          err.flush();
          sent = ServerOverhead.warmUp(client, "http://127.0.0.1:" + s.getValue().port() + "/v1",
              "router-" + s.getKey(), concurrency.get(0), jit);
          err.print(sent);
        }
        err.println();
        err.flush();
      }
      Map<String, List<ServerOverhead.Run>> runs = new LinkedHashMap<>();
      for (int c : concurrency) {
        for (int round = 1; round <= rounds; round++) {
          record(runs, err, ServerOverhead.run(client, "direct", upstream.baseUrl(), "bench-weak", c, requests,
              warmup), round);
          for (Map.Entry<String, RoutingServer> s : servers.entrySet()) {
            record(runs, err, ServerOverhead.run(client, "serve+" + s.getKey(), "http://127.0.0.1:"
                + s.getValue().port() + "/v1", "router-" + s.getKey(), c, requests, warmup), round);
          }
        }
      }
      report(runs, decisionMs);
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
      for (OkHttpClient c : List.of(client, upstreamClient)) {
        c.dispatcher().executorService().shutdown();
        c.connectionPool().evictAll();
      }
    }
    return 0;
  }

  private static OkHttpClient pooled(OkHttpClient client, int connections) {
    return client.newBuilder().connectionPool(new ConnectionPool(connections + 8, 5, TimeUnit.MINUTES)).build();
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The predictor's median time to score a prompt, alone, over the benchmark's prompts. */
  private static double decisionP50(WinRatePredictor predictor) {
    List<String> prompts = ServerOverhead.PROMPTS;
    for (int i = 0; i < 200; i++) {
      predictor.score(prompts.get(i % prompts.size()));
    }
    long[] nanos = new long[800];
    for (int i = 0; i < nanos.length; i++) {
      long t0 = System.nanoTime();
      predictor.score(prompts.get(i % prompts.size()));
      nanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    return nanos[nanos.length / 2] / 1e6;
  }

  private static void record(Map<String, List<ServerOverhead.Run>> runs, PrintWriter err, ServerOverhead.Run run,
      int round) {
    runs.computeIfAbsent(run.target() + "@" + run.concurrency(), k -> new ArrayList<>()).add(run);
    err.printf(Locale.ROOT, "round %d, concurrency %d, %-14s p50 %.3f ms, p99 %.3f ms, %.0f req/s, %.0f us CPU"
        + " per request%s%n", round, run.concurrency(), run.target(), run.percentileMs(0.5), run.percentileMs(0.99),
        run.throughput(), run.cpuMicrosPerRequest(),
        run.failures() > 0 ? ", " + run.failures() + " FAILED" : "");
  }

  private void report(Map<String, List<ServerOverhead.Run>> runs, Map<String, Double> decisionMs) {
    PrintWriter text = output.text();
    text.println("| concurrency | path | p50 ms | p99 ms | requests/s | added p50 ms | throughput vs direct | CPU us per"
        + " request | added CPU us |");
    text.println("|---|---|---|---|---|---|---|---|---|");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int c : concurrency) {
      ServerOverhead.Run direct = pool(runs.get("direct@" + c));
      for (Map.Entry<String, List<ServerOverhead.Run>> e : runs.entrySet()) {
        if (!e.getKey().endsWith("@" + c)) {
          continue;
        }
        ServerOverhead.Run r = pool(e.getValue());
        double added = r.percentileMs(0.5) - direct.percentileMs(0.5);
        double ratio = r.throughput() / direct.throughput();
        boolean isDirect = r.target().equals("direct");
        double addedCpu = r.cpuMicrosPerRequest() - direct.cpuMicrosPerRequest();
        text.printf(Locale.ROOT, "| %d | %s | %.3f | %.3f | %.0f | %s | %s | %.0f | %s |%n", c, r.target(),
            r.percentileMs(0.5), r.percentileMs(0.99), r.throughput(),
            isDirect ? "-" : String.format(Locale.ROOT, "%+.3f", added),
            isDirect ? "-" : String.format(Locale.ROOT, "%.2fx", ratio), r.cpuMicrosPerRequest(),
            isDirect ? "-" : String.format(Locale.ROOT, "%+.0f", addedCpu));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("concurrency", c);
        row.put("path", r.target());
        row.put("requests", r.requests());
        row.put("failures", r.failures());
        row.put("p50_ms", r.percentileMs(0.5));
        row.put("p99_ms", r.percentileMs(0.99));
        row.put("requests_per_s", r.throughput());
        row.put("added_p50_ms", added);
        row.put("throughput_vs_direct", ratio);
        row.put("cpu_us_per_request", r.cpuMicrosPerRequest());
        row.put("added_cpu_us_per_request", addedCpu);
        rows.add(row);
      }
    }
    decisionMs.forEach((name, ms) -> text.printf(Locale.ROOT, "%nThe %s router's decision alone: p50 %.3f ms"
        + " (one thread, same prompts).%n", name, ms));
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("requests_per_run", requests);
    result.put("rounds", rounds);
    result.put("jit_warmup_s", jitWarmupSeconds);
    result.put("rows", rows);
    result.put("decision_p50_ms", decisionMs);
    output.result(result);
  }

  private static ServerOverhead.Run pool(List<ServerOverhead.Run> runs) {
    long n = 0;
    long failures = 0;
    double seconds = 0;
    long cpu = 0;
    for (ServerOverhead.Run r : runs) {
      n += r.requests();
      failures += r.failures();
      seconds += r.seconds();
      cpu += r.cpuNanos();
    }
    long[] all = new long[(int) n];
    int at = 0;
    for (ServerOverhead.Run r : runs) {
      System.arraycopy(r.nanos(), 0, all, at, r.nanos().length);
      at += r.nanos().length;
    }
    ServerOverhead.Run first = runs.get(0);
    return new ServerOverhead.Run(first.target(), first.concurrency(), n, failures, seconds, all, cpu);
  }
}
