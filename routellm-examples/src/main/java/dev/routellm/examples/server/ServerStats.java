package dev.routellm.examples.server;

import dev.routellm.chat.ChatRequest;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RouterListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * What the routing server counts beside the routers' cost totals: failed model calls per model, fallbacks, requests
 * turned away (busy, shutting down, refused by the host or origin check) and clients that went away. As the routers'
 * {@link RouterListener} it also logs one line per failed model call, with the upstream's message (server side only;
 * clients get {@link ClientErrors}' wording), and one per fallback. The same counts are meters of the server's
 * registry ({@code /metrics}): {@value #REJECTED} by reason, {@value #FAILURES} (chat requests answered with an error,
 * by status and kind), {@value #DISCONNECTS}, {@value #STREAMS_BROKEN}. Thread-safe.
 */
final class ServerStats implements RouterListener {
  /** Counter of requests turned away, tag {@code reason}. */
  static final String REJECTED = "routellm.server.rejected";
  /** Counter of chat requests answered with an error, tags {@code status} and {@code kind} (the error's code). */
  static final String FAILURES = "routellm.server.failures";
  /** Counter of clients that went away before their answer (the upstream call was cancelled). */
  static final String DISCONNECTS = "routellm.server.disconnects";
  /** Counter of streams that broke after text was sent. */
  static final String STREAMS_BROKEN = "routellm.server.streams.broken";

  private final Consumer<String> log;
  private final MeterRegistry registry;
  private final Map<String, LongAdder> failedCalls = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failureKinds = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
  final LongAdder fallbacks = new LongAdder();
  final LongAdder clientsGone = new LongAdder();
  final LongAdder streamsBroken = new LongAdder();

  /**
   * @param log where the one line per failed model call goes
   * @param registry where the counts are also meters
   */
  ServerStats(Consumer<String> log, MeterRegistry registry) {
    this.log = log;
    this.registry = registry;
    FunctionCounter.builder(DISCONNECTS, clientsGone, LongAdder::sum)
        .description("Clients that went away before their answer; the upstream call was cancelled")
        .register(registry);
    FunctionCounter.builder(STREAMS_BROKEN, streamsBroken, LongAdder::sum)
        .description("Streams that broke after text was sent").register(registry);
  }

  /** The model the current thread's stream falls back to; set by {@link #onFallback} for {@link StreamExchange}. */
  static final ThreadLocal<FallbackTarget> STREAM_FALLBACK = new ThreadLocal<>();

  /** Receives the name of the model a stream falls back to, on the streaming thread. */
  interface FallbackTarget {
    void fellBackTo(String model);
  }

  /** Every model call the routers make: a failed one is counted for its model and logged, one line each. */
  @Override
  public void onModelCall(ChatRequest request, ModelCall call) {
    call.failure().ifPresent(f -> {
      count(failedCalls, call.model());
      count(failureKinds, f.kind());
      log.accept("model call failed: " + call.model() + " (" + f.kind() + "): " + f.message());
    });
  }

  @Override
  public void onFallback(ChatRequest request, ModelCall failed, String nextModel) {
    fallbacks.increment();
    log.accept("falling back from " + failed.model() + " to " + nextModel);
    FallbackTarget target = STREAM_FALLBACK.get();
    if (target != null) {
      target.fellBackTo(nextModel);
    }
  }

  void rejected(String why) {
    count(rejected, why);
    Counter.builder(REJECTED).description("Requests turned away, by reason").tag("reason", why).register(registry)
        .increment();
  }

  /** A chat request answered with an error: {@code kind} is the error's code, else its type. */
  void failed(int status, String kind) {
    Counter.builder(FAILURES).description("Chat requests answered with an error, by status and kind")
        .tags("status", String.valueOf(status), "kind", kind).register(registry).increment();
  }

  /** Failed calls per model, by model name, sorted. */
  Map<String, Long> failedCalls() {
    return sum(failedCalls);
  }

  /** Failed model calls by kind ({@code http_status}, {@code timeout}, {@code circuit_open}, ...), sorted. */
  Map<String, Long> failureKinds() {
    return sum(failureKinds);
  }

  /** Requests turned away, by reason ({@code busy}, {@code shutting_down}, {@code host}, {@code origin}), sorted. */
  Map<String, Long> rejected() {
    return sum(rejected);
  }

  private static void count(Map<String, LongAdder> counts, String key) {
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  private static Map<String, Long> sum(Map<String, LongAdder> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
