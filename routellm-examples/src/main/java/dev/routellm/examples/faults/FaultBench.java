package dev.routellm.examples.faults;

import dev.routellm.BackendException;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.backend.RetryPolicy;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * Drives many threads through one shared {@link Router} whose two upstreams are {@link FaultServer}s on loopback, and
 * counts what became of every request: answered (and whether by the other model), failed (by exception type and
 * kind), lost (neither), whether the router's cost totals equal the sum of the answers' costs, and the latency.
 *
 * <p>Scenarios: {@code healthy} (the baseline), {@code faults-20} (both upstreams fail 20% of requests in every way),
 * {@code one-dead} (the strong upstream refuses connections), {@code one-hanging} (it accepts and never answers),
 * {@code both-dead}, and {@code soak} (many threads at 20% faults). One request in five is streamed.
 */
public final class FaultBench {
  /** Every scenario, in the order they run. */
  public static final List<String> SCENARIOS =
      List.of("healthy", "faults-20", "one-dead", "one-hanging", "both-dead", "soak");

  static final String STRONG = "strong-model";
  static final String WEAK = "weak-model";

  private FaultBench() {}

  /**
   * What to run.
   *
   * @param requests requests of the healthy and faults-20 scenarios
   * @param threads client threads of every scenario but the soak
   * @param outageRequests requests of the one-dead, one-hanging and both-dead scenarios
   * @param soakThreads client threads of the soak
   * @param soakRequestsPerThread requests each soak thread sends
   * @param connectTimeout the backends' connect timeout
   * @param readTimeout the backends' read timeout
   * @param faultRate the share of requests a faulty upstream fails
   * @param seed which requests fail, and how
   * @param scenarios the scenarios to run, from {@link #SCENARIOS}
   */
  public record Settings(
      int requests,
      int threads,
      int outageRequests,
      int soakThreads,
      int soakRequestsPerThread,
      Duration connectTimeout,
      Duration readTimeout,
      double faultRate,
      long seed,
      List<String> scenarios) {
    public Settings {
      positive(requests, "requests");
      positive(threads, "threads");
      positive(outageRequests, "outageRequests");
      positive(soakThreads, "soakThreads");
      positive(soakRequestsPerThread, "soakRequestsPerThread");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(readTimeout, "readTimeout");
      if (!(faultRate >= 0 && faultRate <= 1)) {
        throw new IllegalArgumentException("faultRate must be in [0, 1] but was " + faultRate);
      }
      scenarios = List.copyOf(scenarios);
      for (String s : scenarios) {
        if (!SCENARIOS.contains(s)) {
          throw new IllegalArgumentException("scenario must be one of " + SCENARIOS + " but was '" + s + "'");
        }
      }
    }

    private static void positive(int value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
      }
    }
  }

  /**
   * What became of one scenario's requests.
   *
   * @param failed failures by exception type and kind, for example {@code RetriableBackendException/TIMEOUT}
   * @param streamCuts streamed requests that failed after text had reached the caller (also in {@code failed})
   * @param lost requests that neither answered nor failed within the scenario's time limit
   * @param costExact whether the router's totals equal the answers' costs summed (to 1e-9 relative) and its answered
   *     and failed counts equal the bench's
   * @param upstreamFaults faults the upstreams served, by fault
   */
  public record Result(
      String scenario,
      String description,
      int threads,
      long requests,
      long answered,
      long fellBack,
      Map<String, Long> failed,
      long streamCuts,
      long lost,
      boolean costExact,
      double routerCost,
      double summedCost,
      long routerAnswered,
      long routerFailed,
      double p50Millis,
      double p99Millis,
      double meanMillis,
      double secondHalfMeanMillis,
      double secondHalfP99Millis,
      double wallSeconds,
      Map<String, Long> upstreamFaults) {

    public long failedTotal() {
      return failed.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The result as JSON-friendly values. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("scenario", scenario);
      m.put("description", description);
      m.put("threads", threads);
      m.put("requests", requests);
      m.put("answered", answered);
      m.put("answered_share", requests == 0 ? 0 : round(answered / (double) requests, 5));
      m.put("fell_back", fellBack);
      m.put("failed", failed);
      m.put("failed_total", failedTotal());
      m.put("stream_cut_after_text", streamCuts);
      m.put("lost", lost);
      m.put("cost_exact", costExact);
      m.put("router_cost", new java.math.BigDecimal(routerCost).round(new java.math.MathContext(12)).toPlainString());
      m.put("summed_cost", new java.math.BigDecimal(summedCost).round(new java.math.MathContext(12)).toPlainString());
      m.put("latency_ms", Map.of("p50", round(p50Millis, 2), "p99", round(p99Millis, 2), "mean", round(meanMillis, 2)));
      m.put("second_half_latency_ms",
          Map.of("mean", round(secondHalfMeanMillis, 2), "p99", round(secondHalfP99Millis, 2)));
      m.put("wall_s", round(wallSeconds, 1));
      m.put("upstream_faults", upstreamFaults);
      return m;
    }
  }

  /** Runs the chosen scenarios one after another; {@code progress} receives a line now and then. */
  public static List<Result> run(Settings settings, Consumer<String> progress) throws IOException, InterruptedException {
    OkHttpClient client =
        new OkHttpClient.Builder().connectionPool(new ConnectionPool(512, 30, TimeUnit.SECONDS)).build();
    try {
      warmUp(settings, client, progress);
      List<Result> results = new ArrayList<>();
      for (String scenario : settings.scenarios()) {
        results.add(scenario(scenario, settings, client, progress));
      }
      return results;
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  private static Result scenario(String name, Settings s, OkHttpClient client, Consumer<String> progress)
      throws IOException, InterruptedException {
    List<FaultServer> servers = new ArrayList<>();
    try {
      String strongUrl;
      String weakUrl;
      String description;
      int threads = s.threads();
      long requests = s.outageRequests();
      switch (name) {
        case "healthy" -> {
          strongUrl = start(servers, FaultServer.healthy());
          weakUrl = start(servers, FaultServer.healthy());
          description = "both upstreams healthy";
          requests = s.requests();
        }
        case "faults-20", "soak" -> {
          strongUrl = start(servers, FaultServer.faulty(s.faultRate(), s.seed()));
          weakUrl = start(servers, FaultServer.faulty(s.faultRate(), s.seed() + 1));
          description = "both upstreams fail " + Math.round(s.faultRate() * 100) + "% of requests";
          requests = s.requests();
          if (name.equals("soak")) {
            threads = s.soakThreads();
            requests = (long) s.soakThreads() * s.soakRequestsPerThread();
            description = "soak: " + description;
          }
        }
        case "one-dead" -> {
          strongUrl = FaultServer.deadUrl();
          weakUrl = start(servers, FaultServer.healthy());
          description = "strong upstream refuses connections, weak healthy";
        }
        case "one-hanging" -> {
          strongUrl = start(servers, FaultServer.hanging());
          weakUrl = start(servers, FaultServer.healthy());
          description = "strong upstream accepts and never answers, weak healthy";
        }
        case "both-dead" -> {
          strongUrl = FaultServer.deadUrl();
          weakUrl = FaultServer.deadUrl();
          description = "both upstreams refuse connections";
        }
        default -> throw new IllegalArgumentException("unknown scenario " + name);
      }
      try (OpenAiBackend strong = backend(STRONG, strongUrl, s, client);
          OpenAiBackend weak = backend(WEAK, weakUrl, s, client)) {
        Router router = router(strong, weak);
        progress.accept(name + ": " + description + "; " + requests + " requests on " + threads + " threads");
        Result r = drive(name, description, router, requests, threads, progress);
        Map<String, Long> served = new TreeMap<>();
        for (FaultServer server : servers) {
          server.faultsServed().forEach((f, n) -> {
            if (n > 0) {
              served.merge(f.name(), n, Long::sum);
            }
          });
        }
        return new Result(r.scenario(), r.description(), r.threads(), r.requests(), r.answered(), r.fellBack(),
            r.failed(), r.streamCuts(), r.lost(), r.costExact(), r.routerCost(), r.summedCost(), r.routerAnswered(),
            r.routerFailed(), r.p50Millis(), r.p99Millis(), r.meanMillis(), r.secondHalfMeanMillis(),
            r.secondHalfP99Millis(), r.wallSeconds(), served);
      }
    } finally {
      for (FaultServer server : servers) {
        server.close();
      }
    }
  }

  /** Healthy traffic first, not recorded, so that the first scenario does not pay for class loading and JIT. */
  private static void warmUp(Settings s, OkHttpClient client, Consumer<String> progress)
      throws IOException, InterruptedException {
    try (FaultServer a = FaultServer.healthy();
        FaultServer b = FaultServer.healthy();
        OpenAiBackend strong = backend(STRONG, a.baseUrl(), s, client);
        OpenAiBackend weak = backend(WEAK, b.baseUrl(), s, client)) {
      drive("warm-up", "not recorded", router(strong, weak), Math.min(s.requests(), 3_000), s.threads(), progress);
    }
  }

  private static String start(List<FaultServer> servers, FaultServer server) {
    servers.add(server);
    return server.baseUrl();
  }

  /** A backend as an operator would configure one against a flaky provider: short timeouts, default retries. */
  private static OpenAiBackend backend(String name, String url, Settings s, OkHttpClient client) {
    return OpenAiBackend.builder()
        .baseUrl(url)
        .model(name)
        .noApiKey()
        .httpClient(client)
        .connectTimeout(s.connectTimeout())
        .readTimeout(s.readTimeout())
        .retryPolicy(RetryPolicy.defaults())
        .build();
  }

  /** Both models equally likely; prices of GPT-4o and GPT-4o-mini. */
  private static Router router(OpenAiBackend strong, OpenAiBackend weak) {
    return Router.builder()
        .strong(strong)
        .weak(weak)
        .predictor(RandomPredictor.withSeed(42))
        .threshold(0.5)
        .costModel(CostModel.builder().price(STRONG, 2.50, 10.00).price(WEAK, 0.15, 0.60).build())
        .build();
  }

  private static Result drive(
      String name, String description, Router router, long requests, int threads, Consumer<String> progress)
      throws InterruptedException {
    int n = Math.toIntExact(requests);
    long[] latency = new long[n];
    double[] cost = new double[n];
    boolean[] done = new boolean[n];
    LongAdder answered = new LongAdder();
    LongAdder fellBack = new LongAdder();
    LongAdder streamCuts = new LongAdder();
    Map<String, LongAdder> failed = new ConcurrentHashMap<>();
    AtomicLong next = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "fault-bench-client");
      t.setDaemon(true);
      return t;
    });
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      pool.execute(() -> {
        for (long i; (i = next.getAndIncrement()) < n; ) {
          int k = (int) i;
          ChatRequest request = ChatRequest.of("Question " + k + ": how many apples are left?");
          long begin = System.nanoTime();
          try {
            RoutedResponse routed = k % 5 == 0 ? router.stream(request, delta -> {}) : router.chat(request);
            cost[k] = routed.cost();
            answered.increment();
            if (routed.fellBack()) {
              fellBack.increment();
            }
          } catch (Throwable e) {
            String key = e.getClass().getSimpleName();
            if (e instanceof BackendException b) {
              key += "/" + b.kind();
              if (b.kind() == BackendException.Kind.STREAM_CUT) {
                streamCuts.increment();
              }
            }
            failed.computeIfAbsent(key, x -> new LongAdder()).increment();
          } finally {
            latency[k] = System.nanoTime() - begin;
            done[k] = true;
          }
        }
      });
    }
    pool.shutdown();
    long limitMinutes = 30;
    for (int waited = 0; !pool.awaitTermination(10, TimeUnit.SECONDS); waited += 10) {
      progress.accept(name + ": " + Math.min(next.get(), n) + " of " + n + " requests started after " + (waited + 10)
          + " s");
      if (waited + 10 >= limitMinutes * 60) {
        pool.shutdownNow();
        break;
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    pool.awaitTermination(10, TimeUnit.SECONDS);
    long finished = 0;
    List<Long> measured = new ArrayList<>(n);
    List<Long> secondHalf = new ArrayList<>(n / 2 + 1);
    double summed = 0;
    for (int k = 0; k < n; k++) {
      if (done[k]) {
        finished++;
        measured.add(latency[k]);
        if (k >= n / 2) {
          secondHalf.add(latency[k]); // requests start in index order: the later half, breakers settled
        }
        summed += cost[k];
      }
    }
    Map<String, Long> failures = new TreeMap<>();
    failed.forEach((k, v) -> failures.put(k, v.sum()));
    long failedTotal = failures.values().stream().mapToLong(Long::longValue).sum();
    long[] sorted = measured.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    CostSnapshot totals = router.costs();
    boolean exact =
        totals.requests() == answered.sum()
            && totals.failedRequests() == failedTotal
            && Math.abs(totals.cost() - summed) <= 1e-9 * Math.max(summed, 1e-12);
    double mean = sorted.length == 0 ? 0 : Arrays.stream(sorted).average().orElse(0) / 1e6;
    long[] late = secondHalf.stream().mapToLong(Long::longValue).sorted().toArray();
    double lateMean = late.length == 0 ? 0 : Arrays.stream(late).average().orElse(0) / 1e6;
    Result r = new Result(name, description, threads, n, answered.sum(), fellBack.sum(), failures, streamCuts.sum(),
        n - answered.sum() - failedTotal, exact, totals.cost(), summed, totals.requests(), totals.failedRequests(),
        percentile(sorted, 0.50), percentile(sorted, 0.99), mean, lateMean, percentile(late, 0.99), wall, Map.of());
    progress.accept(String.format(Locale.ROOT, "%s: %d answered, %d failed, %d lost in %.1f s (%d finished)", name,
        r.answered(), failedTotal, r.lost(), wall, finished));
    return r;
  }

  /** The nearest-rank percentile of sorted nanoseconds, in milliseconds. */
  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
  }

  static double round(double x, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(x * f) / f;
  }
}
