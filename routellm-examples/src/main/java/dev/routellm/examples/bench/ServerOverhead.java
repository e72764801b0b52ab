package dev.routellm.examples.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Measures what the routing server adds to a chat request: the same closed-loop client sends the same requests
 * straight to a fake upstream and through the server to that upstream, in one run, and reports latency percentiles
 * and throughput of each. The fake upstream answers at once with a fixed chat completion, so that what is measured
 * is HTTP, JSON, routing and accounting, not a model.
 */
public final class ServerOverhead {
  private static final MediaType JSON = MediaType.get("application/json");
  /** A short answer with usage, as OpenAI sends it. */
  static final String ANSWER = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1,\"model\":"
      + "\"%s\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"The answer is 42.\"},"
      + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":6,\"total_tokens\":30}}";
  /** Prompts of mixed length and topic, cycled. */
  public static final List<String> PROMPTS = List.of(
      "What is the capital of Australia?",
      "Prove that the square root of 2 is irrational.",
      "Write a haiku about autumn leaves.",
      "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her"
          + " friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck"
          + " egg. How much in dollars does she make every day at the farmers' market?",
      "Explain the difference between a process and a thread in an operating system.",
      "Translate 'good morning, how are you?' into French and Spanish.",
      "Which enzyme unwinds the DNA double helix during replication?",
      "Summarise the causes of the First World War in three sentences.");

  private ServerOverhead() {}

  /** A fake OpenAI-compatible upstream on loopback: every POST gets {@link #ANSWER} for the model it names. */
  public static final class FakeUpstream implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;

    public FakeUpstream(int threads) throws IOException {
      // without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: 40 ms per answer
      System.setProperty("sun.net.httpserver.nodelay", "true");
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
      this.threads = Executors.newFixedThreadPool(threads, named("fake-upstream-"));
      server.setExecutor(this.threads);
      server.createContext("/", exchange -> {
        String model;
        try (InputStream in = exchange.getRequestBody()) {
          String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          int at = body.indexOf("\"model\":\"");
          model = at < 0 ? "unknown" : body.substring(at + 9, body.indexOf('"', at + 9));
        }
        byte[] answer = String.format(ANSWER, model).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      });
      server.start();
    }

    public String baseUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Override
    public void close() {
      server.stop(0);
      threads.shutdownNow();
    }
  }

  /** Latencies of one measured run. */
  public record Run(String target, int concurrency, long requests, long failures, double seconds, long[] nanos,
      long cpuNanos) {
    /** CPU time of the whole process (client, server and upstream) per request, in microseconds. */
    public double cpuMicrosPerRequest() {
      return cpuNanos / 1e3 / requests;
    }

    public double throughput() {
      return requests / seconds;
    }

    public double percentileMs(double p) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
      return sorted[i] / 1e6;
    }
  }

  /**
   * Sends {@code requests} chat requests for {@code model} to {@code baseUrl} from {@code concurrency} threads, each
   * waiting for its answer before sending the next (closed loop), after {@code warmup} unmeasured ones.
   */
  public static Run run(OkHttpClient client, String target, String baseUrl, String model, int concurrency,
      int requests, int warmup) throws Exception {
    send(client, baseUrl, model, concurrency, warmup, null);
    long[] nanos = new long[requests];
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    long failures = send(client, baseUrl, model, concurrency, requests, nanos);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Run(target, concurrency, requests, failures, seconds, nanos, processCpuNanos() - cpu);
  }

  /**
   * Sends unmeasured requests in batches of 500 at {@code concurrency} until {@code duration} has passed, so that the
   * JIT compiler has compiled the paths before anything is measured (its threads' CPU otherwise counts in the first
   * runs' CPU per request and competes with them for the cores). Returns the requests sent.
   */
  public static long warmUp(OkHttpClient client, String baseUrl, String model, int concurrency,
      java.time.Duration duration) throws Exception {
    long end = System.nanoTime() + duration.toNanos();
    long sent = 0;
    while (System.nanoTime() < end) {
      send(client, baseUrl, model, concurrency, 500, null);
      sent += 500;
    }
    return sent;
  }

  /** CPU time this JVM has used, all threads; what other processes on the machine do does not count. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long send(OkHttpClient client, String baseUrl, String model, int concurrency, int requests,
      long[] nanos) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, named("bench-client-"));
    List<Future<Long>> workers = new ArrayList<>();
    String url = baseUrl + "/chat/completions";
    for (int w = 0; w < concurrency; w++) {
      workers.add(pool.submit(() -> {
        long failed = 0;
        int i;
        while ((i = next.getAndIncrement()) < requests) {
          String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":"
              + quote(PROMPTS.get(i % PROMPTS.size())) + "}],\"temperature\":0}";
          long t0 = System.nanoTime();
          try (Response r = client.newCall(new Request.Builder().url(url).post(RequestBody.create(body, JSON))
              .build()).execute()) {
            r.body().bytes();
            if (r.code() != 200) {
              failed++;
            }
          } catch (IOException e) {
            failed++;
          }
          if (nanos != null) {
            nanos[i] = System.nanoTime() - t0;
          }
        }
        return failed;
      }));
    }
    long failures = 0;
    for (Future<Long> f : workers) {
      failures += f.get();
    }
    pool.shutdown();
    return failures;
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
