package dev.routellm.traffic;

import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.RouterListener;
import dev.routellm.routing.RoutingDecision;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An opt-in traffic log: a {@link RouterListener} writing one JSON line per answered or failed request, with the
 * prompt (the last user message; or only its SHA-256, or the text a redaction function returns), the decision, the
 * model that answered, every model call's tokens, cost and latency, and the request's total cost and latency. What
 * {@code routellm label --prompts LOG} reads to label the traffic.
 *
 * <pre>{@code
 * try (TrafficLog log = TrafficLog.builder().file(Path.of("traffic.jsonl"))
 *         .redact(text -> text.replaceAll("\\d{4}-\\d{4}-\\d{4}-\\d{4}", "[card]"))
 *         .build()) {
 *   Router router = Router.builder()...listener(log).build();
 * }
 * }</pre>
 *
 * <p>A line looks like {@code {"time": "2026-01-05T10:00:00Z", "prompt": "...", "messages": 1, "model": "gpt-4o-mini",
 * "outcome": "answered", "decision": {"model", "router", "rule", "score", "threshold", "reason"}, "fell_back": false,
 * "calls": [{"model", "role", "input_tokens", "output_tokens", "cost", "latency_ms"}], "input_tokens": 42,
 * "output_tokens": 180, "cost": 0.000114, "latency_ms": 812.5}}; a failed request has {@code "outcome": "failed"} and
 * {@code "error"}. Only the prompt's text is taken from the request: never its headers, extra fields or API keys.
 *
 * <p>It never blocks or fails a request: events go to a bounded queue ({@link Builder#queueCapacity}) that one
 * background thread writes out; when the queue is full the event is dropped and counted ({@link #dropped()}), and a
 * write error is counted ({@link #writeErrors()}) and logged once. The file is capped at {@link Builder#maxBytes} and
 * rotated: {@code traffic.jsonl} becomes {@code traffic.jsonl.1}, and so on up to {@link Builder#maxFiles} files in
 * all, the oldest deleted.
 *
 * <p>Thread-safe. {@link #close()} writes what is queued and closes the file; idempotent. Events after close are
 * dropped and counted. It does not close the router it listens to.
 */
public final class TrafficLog implements RouterListener, AutoCloseable {
  public static final long DEFAULT_MAX_BYTES = 100L << 20;
  public static final int DEFAULT_MAX_FILES = 5;
  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
  /** Decisions remembered while their requests run, to log a failed request's decision. */
  static final int PENDING_CAPACITY = 10_000;

  private static final System.Logger LOG = System.getLogger(TrafficLog.class.getName());
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  /** Tells the writer to finish. */
  private static final Object STOP = new Object();

  /** How the prompt is written. */
  public enum PromptMode {
    /** The text, after the redaction function if one was given. */
    TEXT,
    /** Only the SHA-256 of the text ({@code prompt_sha256}): counts and repeats, nothing readable. */
    HASH
  }

  private final Path file;
  private final long maxBytes;
  private final int maxFiles;
  private final PromptMode mode;
  private final UnaryOperator<String> redaction;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final BlockingQueue<Object> queue;
  private final Map<Key, Pending> pending = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Pending> eldest) {
      return size() > PENDING_CAPACITY; // decisions of route() calls and cancelled requests age out
    }
  };
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong writeErrors = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;
  private BufferedWriter out;
  private long size;

  private TrafficLog(Builder b) throws IOException {
    this.file = b.file;
    this.maxBytes = b.maxBytes;
    this.maxFiles = b.maxFiles;
    this.mode = b.mode;
    this.redaction = b.redaction;
    this.clock = b.clock;
    this.nanoTime = b.nanoTime;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    open();
    this.writer = new Thread(this::writeLoop, "routellm-traffic-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** A builder; the file is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void onDecision(ChatRequest request, RoutingDecision decision) {
    synchronized (pending) {
      pending.put(new Key(request), new Pending(decision, nanoTime.getAsLong()));
    }
  }

  @Override
  public void onResponse(ChatRequest request, RoutedResponse response) {
    Pending p = take(request);
    long now = nanoTime.getAsLong();
    double latencyMs = p == null ? Double.NaN
        : (now - p.startNanos) / 1e6 + response.decision().decisionTime().toNanos() / 1e6;
    enqueue(new Event(clock.instant().toString(), prompt(request), request.messages().size(), response.decision(),
        response, null, latencyMs));
  }

  @Override
  public void onFailure(ChatRequest request, RouteLlmException failure) {
    Pending p = take(request);
    double latencyMs = p == null ? Double.NaN : (nanoTime.getAsLong() - p.startNanos) / 1e6
        + p.decision.decisionTime().toNanos() / 1e6;
    enqueue(new Event(clock.instant().toString(), prompt(request), request.messages().size(),
        p == null ? null : p.decision, null, failure.getMessage(), latencyMs));
  }

  private Pending take(ChatRequest request) {
    synchronized (pending) {
      return pending.remove(new Key(request));
    }
  }

  private String prompt(ChatRequest request) {
    String text = request.lastUserMessage();
    return text == null ? "" : text;
  }

  private void enqueue(Event e) {
    if (closed || !queue.offer(e)) {
      dropped.incrementAndGet();
    }
  }

  /** Lines written so far. */
  public long written() {
    return written.get();
  }

  /** Events dropped because the queue was full or the log closed. */
  public long dropped() {
    return dropped.get();
  }

  /** Events lost to write errors (a full disk, a removed directory). */
  public long writeErrors() {
    return writeErrors.get();
  }

  /** The current file. */
  public Path file() {
    return file;
  }

  /**
   * Waits until every event queued before this call is written and flushed, or the timeout passes. For tests and
   * orderly shutdowns; requests never wait for the log.
   *
   * @return whether everything queued before the call was written in time
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    CountDownLatch done = new CountDownLatch(1);
    if (closed || !queue.offer(done, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      return closed && queue.isEmpty();
    }
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Writes what is queued, then closes the file; idempotent. Waits up to ten seconds for the writer. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.offer(STOP); // when the queue is full, the writer sees 'closed' once it has drained it
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Writes events as they come, flushing whenever the queue runs empty. The thread is never interrupted: an interrupt
   * would close the file's channel under a write.
   */
  private void writeLoop() {
    try {
      while (true) {
        Object item;
        try {
          item = queue.poll(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          break;
        }
        if (item == STOP || (item == null && closed)) {
          break;
        }
        if (item != null) {
          handle(item);
          if (queue.isEmpty()) {
            flushFile();
          }
        }
      }
      Object item;
      while ((item = queue.poll()) != null) { // accepted just before close
        if (item != STOP) {
          handle(item);
        }
      }
      flushFile();
    } finally {
      closeFile();
    }
  }

  private void handle(Object item) {
    if (item instanceof CountDownLatch latch) {
      flushFile();
      latch.countDown();
      return;
    }
    try {
      write(line((Event) item));
      written.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      if (writeErrors.getAndIncrement() == 0) {
        LOG.log(System.Logger.Level.WARNING, "traffic log " + file + ": cannot write (" + e.getMessage()
            + "); further errors are counted, not logged", e);
      }
    }
  }

  private String line(Event e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", e.time);
    if (mode == PromptMode.HASH) {
      n.put("prompt_sha256", sha256(e.prompt));
    } else {
      n.put("prompt", redaction.apply(e.prompt));
    }
    n.put("messages", e.messages);
    n.put("model", e.response != null ? e.response.answeredBy() : e.decision != null ? e.decision.model() : null);
    n.put("outcome", e.response != null ? "answered" : "failed");
    if (e.decision != null) {
      ObjectNode d = n.putObject("decision");
      d.put("model", e.decision.model());
      d.put("router", e.decision.router());
      d.put("rule", e.decision.rule());
      number(d, "score", e.decision.score());
      number(d, "threshold", e.decision.threshold());
      d.put("reason", e.decision.reason());
      number(d, "decision_ms", e.decision.decisionTime().toNanos() / 1e6);
    }
    if (e.response != null) {
      n.put("fell_back", e.response.fellBack());
      ArrayNode calls = n.putArray("calls");
      long in = 0;
      long out = 0;
      for (ModelCall c : e.response.calls()) {
        ObjectNode call = calls.addObject();
        call.put("model", c.model());
        call.put("role", c.role().name().toLowerCase(java.util.Locale.ROOT));
        call.put("input_tokens", c.usage().promptTokens());
        call.put("output_tokens", c.usage().completionTokens());
        call.put("cost", c.cost());
        number(call, "latency_ms", c.latency().toNanos() / 1e6);
        c.failure().ifPresent(f -> call.put("failure", f.message()));
        in += c.usage().promptTokens();
        out += c.usage().completionTokens();
      }
      n.put("input_tokens", in);
      n.put("output_tokens", out);
      n.put("cost", e.response.cost());
    } else {
      n.put("error", e.error);
    }
    number(n, "latency_ms", e.latencyMs);
    return JSON.writeValueAsString(n);
  }

  private static void number(ObjectNode n, String field, double v) {
    if (Double.isFinite(v)) {
      n.put(field, v);
    } else {
      n.putNull(field);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private void write(String line) throws IOException {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    if (size > 0 && size + bytes.length > maxBytes) {
      rotate();
    }
    out.write(line);
    out.write('\n');
    size += bytes.length;
  }

  private void rotate() throws IOException {
    closeFile();
    for (int i = maxFiles - 1; i >= 1; i--) {
      Path from = i == 1 ? file : numbered(i - 1);
      if (Files.exists(from)) {
        Files.move(from, numbered(i), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (maxFiles == 1) {
      Files.deleteIfExists(file);
    }
    open();
  }

  private Path numbered(int i) {
    return file.resolveSibling(file.getFileName() + "." + i);
  }

  private void open() throws IOException {
    out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND), StandardCharsets.UTF_8));
    size = Files.size(file);
  }

  private void flushFile() {
    try {
      if (out != null) {
        out.flush();
      }
    } catch (IOException e) {
      writeErrors.incrementAndGet();
    }
  }

  private void closeFile() {
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException e) {
      writeErrors.incrementAndGet();
    } finally {
      out = null;
    }
  }

  @Override
  public String toString() {
    return "TrafficLog{" + file + ", " + mode + ", written " + written + ", dropped " + dropped + "}";
  }

  /** One request, as the listener saw it. */
  private record Event(String time, String prompt, int messages, RoutingDecision decision, RoutedResponse response,
      String error, double latencyMs) {}

  /** A decision waiting for its request's end, and when it was made. */
  private record Pending(RoutingDecision decision, long startNanos) {}

  /** A request by identity: two equal requests in flight are two requests. */
  private static final class Key {
    private final ChatRequest request;

    Key(ChatRequest request) {
      this.request = request;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.request == request;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(request);
    }
  }

  /** Builds a {@link TrafficLog}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private Path file;
    private long maxBytes = DEFAULT_MAX_BYTES;
    private int maxFiles = DEFAULT_MAX_FILES;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private PromptMode mode = PromptMode.TEXT;
    private UnaryOperator<String> redaction = UnaryOperator.identity();
    private Clock clock = Clock.systemUTC();
    private LongSupplier nanoTime = System::nanoTime;

    private Builder() {}

    /** The log file, appended to (created if missing; its directory must exist). */
    public Builder file(Path value) {
      this.file = Objects.requireNonNull(value, "file");
      return this;
    }

    /** Bytes per file before rotating, {@code >= 1024}; default 100 MiB. */
    public Builder maxBytes(long value) {
      if (value < 1024) {
        throw new IllegalArgumentException("maxBytes must be >= 1024 but was " + value);
      }
      this.maxBytes = value;
      return this;
    }

    /** Files kept, the current one included, {@code >= 1}; default {@value #DEFAULT_MAX_FILES}. */
    public Builder maxFiles(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxFiles must be >= 1 but was " + value);
      }
      this.maxFiles = value;
      return this;
    }

    /** Events waiting to be written before new ones are dropped, {@code >= 1}; default 10,000. */
    public Builder queueCapacity(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("queueCapacity must be >= 1 but was " + value);
      }
      this.queueCapacity = value;
      return this;
    }

    /** Writes only each prompt's SHA-256 ({@code prompt_sha256}), never its text. */
    public Builder hashPrompts() {
      this.mode = PromptMode.HASH;
      return this;
    }

    /**
     * Writes the text {@code redaction} returns for each prompt instead of the prompt (masking e-mail addresses, card
     * numbers, names). It runs on the writer thread, never on a request's; if it throws, that line is lost and
     * counted in {@link #writeErrors()}.
     */
    public Builder redact(UnaryOperator<String> redaction) {
      this.redaction = Objects.requireNonNull(redaction, "redaction");
      this.mode = PromptMode.TEXT;
      return this;
    }

    /** The clock of the {@code time} field; default the system clock (UTC). */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** The time source of latencies, in nanoseconds; default {@link System#nanoTime}. */
    public Builder nanoTime(LongSupplier value) {
      this.nanoTime = Objects.requireNonNull(value, "nanoTime");
      return this;
    }

    /**
     * Opens the file and starts the writer thread.
     *
     * @throws IllegalStateException when no file was given
     * @throws java.io.UncheckedIOException when the file cannot be opened (its directory is missing, say)
     */
    public TrafficLog build() {
      if (file == null) {
        throw new IllegalStateException("a traffic log needs a file but none was set");
      }
      try {
        return new TrafficLog(this);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot open the traffic log " + file + ": " + e.getMessage(), e);
      }
    }
  }
}
