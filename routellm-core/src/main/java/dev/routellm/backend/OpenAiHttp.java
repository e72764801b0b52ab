package dev.routellm.backend;

import dev.routellm.BackendException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.RetriableBackendException;
import dev.routellm.ServerError;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP side of {@link OpenAiBackend} and {@link OpenAiEmbedder}: POSTs JSON to an OpenAI-compatible server,
 * retries transient failures as the {@link RetryPolicy} allows, and turns every failure into a
 * {@link BackendException} that names the model and the endpoint and never contains a secret. Thread-safe.
 */
final class OpenAiHttp implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(OpenAiHttp.class.getName());
  private static final MediaType JSON = MediaType.get("application/json");
  /** Accepts {@code NaN} and {@code -Infinity}, which Python servers write for log-probabilities. */
  static final JsonMapper MAPPER =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  /** Longest server text quoted in a message. */
  static final int MAX_QUOTED_CHARS = 500;
  private static final long MAX_ERROR_BODY_BYTES = 64 * 1024;
  private static final String REDACTED = "[redacted]";

  private final String owner;
  private final String model;
  private final HttpSettings settings;
  private final OkHttpClient client;
  private final boolean ownsClient;
  private final List<String> secrets;
  private final AtomicBoolean closed = new AtomicBoolean();
  /**
   * @param owner the public class using this, for the "is closed" message
   * @param model the model named in every exception
   */
  OpenAiHttp(String owner, String model, HttpSettings settings) {
    this.owner = owner;
    this.model = model;
    this.settings = settings;
    OkHttpClient.Builder b;
    if (settings.client == null) {
      // OkHttp's default dispatcher runs 5 asynchronous calls per host: too few for a router's chatAsync traffic
      okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
      dispatcher.setMaxRequests(settings.maxConcurrentCalls);
      dispatcher.setMaxRequestsPerHost(settings.maxConcurrentCalls);
      b = new OkHttpClient.Builder().dispatcher(dispatcher);
    } else {
      b = settings.client.newBuilder();
    }
    this.client =
        b.connectTimeout(settings.connectTimeout)
            .readTimeout(settings.readTimeout)
            .writeTimeout(settings.readTimeout)
            .callTimeout(settings.callTimeout)
            .build();
    this.ownsClient = settings.client == null;
    this.secrets = settings.secrets();
  }

  /**
   * Reads a successful (2xx) response, whose body is already limited to {@link HttpSettings#maxResponseBytes}. What
   * it throws decides what happens next: {@link IOException} (the connection broke, a timeout, the answer too large)
   * and {@link ResponseFormatException} (an unusable answer) end the attempt and are retried as the policy allows;
   * {@link AttemptFailure} ends the attempt with a failure the reader classified itself; anything else propagates
   * as it is.
   */
  @FunctionalInterface
  interface BodyReader<T> {
    T read(Response response) throws IOException;
  }

  /**
   * Thrown by a {@link BodyReader} to end an attempt with an exception it built (for example a stream that broke
   * before any text reached the caller): retried as the policy allows when {@code retry} is true, else thrown.
   */
  static final class AttemptFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient BackendException failure;
    final boolean retry;

    AttemptFailure(BackendException failure, boolean retry) {
      super(failure.getMessage(), failure, false, false);
      this.failure = failure;
      this.retry = retry;
    }
  }

  HttpSettings settings() {
    return settings;
  }

  /** The full URL of an endpoint path such as {@code chat/completions}, query of the base URL kept. */
  HttpUrl url(String path) {
    return settings.baseUrl.newBuilder().addPathSegments(path).build();
  }

  /** The endpoint as it appears in messages: no user info, no query. */
  String endpoint(String path) {
    return url(path).newBuilder().username("").password("").query(null).build().toString();
  }

  /** The start of every message about {@code path}: {@code "model 'm' at https://host/v1/path: "}. */
  String prefix(String path) {
    return "model '" + model + "' at " + endpoint(path) + ": ";
  }

  /** POSTs {@code body} and reads the answer, retrying as the policy allows. Blocks. */
  <T> T send(String path, ObjectNode body, BodyReader<T> reader) {
    return send(path, body, reader, null);
  }

  /**
   * POSTs {@code body} and reads the answer, retrying as the policy allows, all attempts and waits within {@code
   * timeout} (null: the retry policy's budget alone). Blocks.
   */
  <T> T send(String path, ObjectNode body, BodyReader<T> reader, Duration timeout) {
    ensureOpen();
    Request request = request(path, body);
    Attempts attempts = new Attempts(path, timeout);
    while (true) {
      Duration attemptTimeout = attempts.begin();
      Call call = client.newCall(request);
      call.timeout().timeout(attemptTimeout.toNanos(), TimeUnit.NANOSECONDS);
      Failure failure;
      try (Response response = call.execute()) {
        if (response.isSuccessful()) {
          failure = tooLarge(response);
          if (failure == null) {
            return reader.read(limited(response));
          }
        } else {
          failure = httpFailure(response);
        }
      } catch (ResponseFormatException e) {
        failure = malformed(e);
      } catch (AttemptFailure e) {
        failure = Failure.of(e);
      } catch (IOException e) {
        failure = ioFailure(e, attempts);
      }
      Duration delay = attempts.retryDelay(failure);
      if (delay == null) {
        throw attempts.exception(failure);
      }
      try {
        settings.scheduler.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RetriableBackendException(
            model, failure.status, prefix(path) + "interrupted while waiting to retry after " + failure.description,
            e, BackendException.Kind.CANCELLED);
      }
    }
  }

  /**
   * POSTs {@code body} without blocking; retries are scheduled on the {@link RetryScheduler}, never waited for on a
   * thread. However the returned future completes before the answer (cancelled, {@link
   * CompletableFuture#orTimeout timed out} or completed by the caller), the call in flight is cancelled and no
   * further attempt starts.
   */
  <T> CompletableFuture<T> sendAsync(String path, ObjectNode body, BodyReader<T> reader) {
    ensureOpen();
    CompletableFuture<T> result = new CompletableFuture<>();
    attemptAsync(path, request(path, body), new Attempts(path, null), reader, result);
    return result;
  }

  private <T> void attemptAsync(
      String path, Request request, Attempts attempts, BodyReader<T> reader, CompletableFuture<T> result) {
    if (result.isDone()) {
      return;
    }
    if (closed.get()) {
      result.completeExceptionally(closedException());
      return;
    }
    Duration timeout = attempts.begin();
    Call call = client.newCall(request);
    call.timeout().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    AtomicBoolean ownCompletion = new AtomicBoolean();
    result.whenComplete(
        (value, error) -> {
          if (!ownCompletion.get()) {
            call.cancel(); // the caller cancelled, timed out or completed the future: stop the call in flight
          }
        });
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            retryOrFail(ioFailure(e, attempts));
          }

          @Override
          public void onResponse(Call c, Response response) {
            Failure failure;
            try (response) {
              if (response.isSuccessful()) {
                failure = tooLarge(response);
                if (failure == null) {
                  T value = reader.read(limited(response));
                  ownCompletion.set(true);
                  result.complete(value);
                  return;
                }
              } else {
                failure = httpFailure(response);
              }
            } catch (IOException e) {
              failure = ioFailure(e, attempts);
            } catch (ResponseFormatException e) {
              failure = malformed(e);
            } catch (AttemptFailure e) {
              failure = Failure.of(e);
            } catch (RuntimeException | Error e) {
              ownCompletion.set(true);
              result.completeExceptionally(e);
              return;
            }
            retryOrFail(failure);
          }

          private void retryOrFail(Failure failure) {
            Duration delay = attempts.retryDelay(failure);
            if (delay == null) {
              ownCompletion.set(true);
              result.completeExceptionally(attempts.exception(failure));
              return;
            }
            try {
              settings.scheduler.schedule(delay, () -> attemptAsync(path, request, attempts, reader, result));
            } catch (RuntimeException e) {
              ownCompletion.set(true);
              result.completeExceptionally(attempts.exception(failure));
            }
          }
        });
  }

  /** A failure when the answer announces a length over the limit, else null. */
  private Failure tooLarge(Response response) {
    long length = response.body().contentLength();
    if (length > settings.maxResponseBytes) {
      return new Failure(response.code(), "the answer is " + length + " bytes (Content-Length), over the limit of "
          + bytes(settings.maxResponseBytes) + " (maxResponseBytes)", null, true, false,
          BackendException.Kind.ANSWER_TOO_LARGE, null);
    }
    return null;
  }

  /** {@code response} with a body that fails with {@link AnswerTooLargeException} past the limit. */
  private Response limited(Response response) {
    return response.newBuilder().body(new LimitedBody(response.body(), settings.maxResponseBytes)).build();
  }

  /** The size of an answer as people read it: {@code 32 MiB}, {@code 1000 bytes}. */
  static String bytes(long n) {
    if (n >= 1 << 20 && n % (1 << 20) == 0) {
      return (n >> 20) + " MiB";
    }
    if (n >= 1 << 10 && n % (1 << 10) == 0) {
      return (n >> 10) + " KiB";
    }
    return n + " bytes";
  }

  /** Read past the limit on one answer's bytes. */
  static final class AnswerTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    AnswerTooLargeException(long limit) {
      super("the answer exceeded the limit of " + bytes(limit) + " (maxResponseBytes)");
    }
  }

  /** A response body that counts the bytes read from it and fails once they pass {@code limit}. */
  private static final class LimitedBody extends ResponseBody {
    private final ResponseBody delegate;
    private final BufferedSource source;

    LimitedBody(ResponseBody delegate, long limit) {
      this.delegate = delegate;
      this.source =
          Okio.buffer(
              new ForwardingSource(delegate.source()) {
                private long total;

                @Override
                public long read(Buffer sink, long byteCount) throws IOException {
                  long n = super.read(sink, byteCount);
                  if (n > 0) {
                    total += n;
                    if (total > limit) {
                      throw new AnswerTooLargeException(limit);
                    }
                  }
                  return n;
                }
              });
    }

    @Override
    public MediaType contentType() {
      return delegate.contentType();
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public BufferedSource source() {
      return source;
    }
  }

  private Request request(String path, ObjectNode body) {
    Request.Builder b =
        new Request.Builder().url(url(path)).post(RequestBody.create(MAPPER.writeValueAsBytes(body), JSON));
    b.header("Accept", "application/json, text/event-stream");
    settings.headers.forEach(b::header);
    if (settings.apiKey != null) {
      b.header("Authorization", "Bearer " + settings.apiKey.reveal());
    }
    return b.build();
  }

  /** Parses a successful response's body as JSON. */
  static JsonNode readJson(Response response) throws IOException {
    String text = response.body().string(); // bounded: the body is limited to maxResponseBytes
    if (text.isBlank()) {
      throw new ResponseFormatException(
          "HTTP " + response.code() + " answer has an empty body where JSON was expected");
    }
    try {
      return MAPPER.readTree(text);
    } catch (JacksonException e) {
      throw new ResponseFormatException(
          "HTTP " + response.code() + " answer is not valid JSON (" + describe(e) + "); it begins: "
              + quote(text, 200),
          e);
    }
  }

  /** A short description of a JSON parse error: its first line and position, no stack trace. */
  static String describe(JacksonException e) {
    String message = String.valueOf(e.getOriginalMessage());
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    message = truncate(message, 160);
    TokenStreamLocation at = e.getLocation();
    return at == null || at.getLineNr() < 0
        ? message
        : message + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** An unusable 2xx answer: retried like any other failure, since the next attempt (or model) may do better. */
  private Failure malformed(ResponseFormatException e) {
    return new Failure(0, e.getMessage(), null, true, true, BackendException.Kind.MALFORMED_ANSWER, e.getCause());
  }

  /**
   * Thrown when a streamed answer breaks after it started: retriable, of the kind its cause says (a stream closed
   * without its end is {@linkplain BackendException.Kind#MALFORMED_ANSWER incomplete}).
   */
  RetriableBackendException streamBroken(String path, int status, String what, Throwable cause) {
    return new RetriableBackendException(model, status, redact(prefix(path) + what), scrub(cause), kindOf(cause));
  }

  /** Thrown for an error the server reports inside a stream; retriable unless the server says it was a 4xx. */
  BackendException streamError(String path, int status, String what) {
    String message = redact(prefix(path) + what);
    boolean retriable = status == 0 || isRetriableStatus(status);
    return retriable
        ? new RetriableBackendException(model, status, message, null, BackendException.Kind.HTTP_STATUS)
        : new NonRetriableBackendException(model, status, message, null, BackendException.Kind.HTTP_STATUS);
  }

  /**
   * A failure about a 2xx answer's content, for example a streamed chunk that is not JSON: retriable, since garbage
   * is a failure like any other.
   */
  RetriableBackendException badContent(String path, int status, String what, Throwable cause) {
    return new RetriableBackendException(
        model, status, redact(prefix(path) + what), scrub(cause), BackendException.Kind.MALFORMED_ANSWER);
  }

  /** {@code e} as it is, but of another kind (the same class, message, cause, stack trace and suppressed ones). */
  static BackendException withKind(BackendException e, BackendException.Kind kind, String message) {
    int status = e.statusCode().orElse(0);
    BackendException copy =
        e.isRetriable()
            ? new RetriableBackendException(e.model(), status, message, e.getCause(), kind)
            : new NonRetriableBackendException(e.model(), status, message, e.getCause(), kind);
    copy.setStackTrace(e.getStackTrace());
    for (Throwable s : e.getSuppressed()) {
      copy.addSuppressed(s);
    }
    return copy;
  }

  /** The kind of failure a transport exception means (null: a stream that ended early, an incomplete answer). */
  private static BackendException.Kind kindOf(Throwable cause) {
    if (cause == null) {
      return BackendException.Kind.MALFORMED_ANSWER;
    }
    if (cause instanceof AnswerTooLargeException) {
      return BackendException.Kind.ANSWER_TOO_LARGE;
    }
    if (cause instanceof SocketTimeoutException
        || cause instanceof InterruptedIOException && String.valueOf(cause.getMessage()).contains("timeout")) {
      return BackendException.Kind.TIMEOUT;
    }
    return BackendException.Kind.CONNECTION;
  }

  static boolean isRetriableStatus(int status) {
    return status == 429 || status == 408 || status >= 500;
  }

  private Failure httpFailure(Response response) {
    int status = response.code();
    String body;
    try {
      body = response.peekBody(MAX_ERROR_BODY_BYTES).string();
    } catch (IOException e) {
      body = "";
    }
    String detail = serverMessage(body);
    String description = "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
    boolean retriable = isRetriableStatus(status);
    return new Failure(status, description, retryAfter(response.headers()), retriable, retriable,
        BackendException.Kind.HTTP_STATUS, null, null, serverError(body));
  }

  private Failure ioFailure(IOException e, Attempts attempts) {
    if (Thread.currentThread().isInterrupted() || "Canceled".equals(e.getMessage())) {
      return new Failure(0, "the call was cancelled or interrupted", null, true, false,
          BackendException.Kind.CANCELLED, e);
    }
    BackendException.Kind kind = kindOf(e);
    // An answer over the limit is not fetched again: the same request would most likely bring the same answer.
    boolean retry = kind != BackendException.Kind.ANSWER_TOO_LARGE;
    return new Failure(0, attempts.describe(e), null, true, retry, kind, e);
  }

  /** What a transport failure means for the user: which timeout fired, or what broke the connection. */
  String describe(IOException e, Duration attemptTimeout) {
    return describe(e, attemptTimeout, attemptTimeout.equals(settings.callTimeout) ? ")"
        : ", cut to what was left of the retry budget)");
  }

  private String describe(IOException e, Duration attemptTimeout, String timeoutNote) {
    String message = String.valueOf(e.getMessage());
    if (e instanceof AnswerTooLargeException) {
      return message;
    }
    if (e instanceof SocketTimeoutException && message.toLowerCase(Locale.ROOT).contains("connect")) {
      return "could not connect within the connect timeout (" + format(settings.connectTimeout) + ")";
    }
    if (e instanceof SocketTimeoutException) {
      return "no data within the read timeout (" + format(settings.readTimeout) + ")";
    }
    if (e instanceof InterruptedIOException && message.contains("timeout")) {
      return "the call did not finish within " + format(attemptTimeout) + " (the whole-call timeout" + timeoutNote;
    }
    if (e instanceof ConnectException || e instanceof UnknownHostException) {
      return "could not connect (" + e.getClass().getSimpleName() + ": " + message + ")";
    }
    return "connection failed (" + e.getClass().getSimpleName() + ": " + message + ")";
  }

  /**
   * The server's own error text: OpenAI's {@code {"error":{"message","type","code"}}}, vLLM's
   * {@code {"object":"error","message"}}, {@code {"error":"..."}}, FastAPI's {@code {"detail":...}}, or the body as
   * text (tags removed, whitespace collapsed), at most {@link #MAX_QUOTED_CHARS} characters.
   */
  static String serverMessage(String body) {
    String text = body.strip();
    if (text.isEmpty()) {
      return "";
    }
    try {
      JsonNode root = MAPPER.readTree(text);
      JsonNode error = root.path("error");
      JsonNode holder = error.isObject() ? error : root;
      String message =
          error.isString() ? error.stringValue() : firstText(holder.path("message"), holder.path("detail"));
      if (!message.isEmpty()) {
        String type = firstText(holder.path("type"), error.isObject() ? holder.path("code") : root.path("code"));
        return truncate(message, MAX_QUOTED_CHARS) + (type.isEmpty() ? "" : " (" + type + ")");
      }
    } catch (JacksonException notJson) {
      // Not JSON: quote the text itself.
    }
    return quote(text, MAX_QUOTED_CHARS);
  }

  /**
   * The error object in an error body: OpenAI's {@code {"error":{...}}} or vLLM's flat {@code {"object":"error",
   * ...}}, with secrets redacted; null for any other body.
   */
  ServerError serverError(String body) {
    try {
      JsonNode root = MAPPER.readTree(body.strip());
      JsonNode error = root.path("error");
      JsonNode holder = error.isObject() ? error : "error".equals(root.path("object").asString("")) ? root : null;
      if (holder == null || !holder.path("message").isString()) {
        return null;
      }
      return new ServerError(redact(truncate(holder.path("message").stringValue(), MAX_QUOTED_CHARS)),
          scalar(holder.path("type")), scalar(holder.path("code")), scalar(holder.path("param")));
    } catch (JacksonException notJson) {
      return null;
    }
  }

  private String scalar(JsonNode n) {
    return n.isString() || n.isNumber() ? redact(truncate(n.asString(), 200)) : null;
  }

  private static String firstText(JsonNode... candidates) {
    for (JsonNode n : candidates) {
      if (n.isString() && !n.stringValue().isBlank()) {
        return n.stringValue().strip();
      }
      if (n.isNumber() || n.isContainer() && !n.isEmpty()) {
        return n.toString();
      }
    }
    return "";
  }

  /** Text for a message: HTML tags dropped, whitespace collapsed, truncated. */
  static String quote(String text, int maxChars) {
    String plain = text.startsWith("<") ? text.replaceAll("<[^>]*>", " ") : text;
    return truncate(plain.replaceAll("\\s+", " ").strip(), maxChars);
  }

  static String truncate(String text, int maxChars) {
    return text.length() <= maxChars ? text : text.substring(0, maxChars) + "... (" + text.length() + " chars)";
  }

  /**
   * The wait a server asks for: {@code retry-after-ms} (OpenAI), or {@code Retry-After} as seconds or an HTTP date
   * (measured against the response's {@code Date} header when present, so that clock skew does not matter).
   * Null when absent or unreadable.
   */
  static Duration retryAfter(Headers headers) {
    String millis = headers.get("retry-after-ms");
    if (millis != null) {
      try {
        return nonNegative(Duration.ofNanos((long) (Double.parseDouble(millis.strip()) * 1e6)));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    String value = headers.get("Retry-After");
    if (value == null) {
      return null;
    }
    try {
      return nonNegative(Duration.ofNanos((long) (Double.parseDouble(value.strip()) * 1e9)));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Instant now = Instant.now();
        String date = headers.get("Date");
        if (date != null) {
          try {
            now = ZonedDateTime.parse(date.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
          } catch (DateTimeParseException ignored) {
            // use our own clock
          }
        }
        return nonNegative(Duration.between(now, at));
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** {@code text} with every secret replaced by {@code [redacted]}. */
  String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String secret : secrets) {
      out = out.replace(secret, REDACTED);
    }
    return out;
  }

  /** {@code t}, or a copy of its chain with secrets removed from the messages when any message held one. */
  Throwable scrub(Throwable t) {
    if (t == null) {
      return null;
    }
    Throwable cause = scrub(t.getCause() == t ? null : t.getCause());
    String message = t.getMessage();
    String clean = redact(message);
    if (cause == t.getCause() && java.util.Objects.equals(message, clean)) {
      return t;
    }
    Exception copy = new Exception(t.getClass().getName() + ": " + clean, cause);
    copy.setStackTrace(t.getStackTrace());
    return copy;
  }

  static String format(Duration d) {
    if (d.isZero()) {
      return "no limit";
    }
    long ms = d.toMillis();
    return ms < 1000 ? ms + " ms" : ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1e3);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw closedException();
    }
  }

  private IllegalStateException closedException() {
    return new IllegalStateException(owner + " for model '" + model + "' is closed");
  }

  /** Releases the connection pool and threads of a client built here; a caller's client is left alone. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownsClient) {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /**
   * One failed attempt: what happened, whether the request may pass later ({@code retriable}), whether this backend
   * tries it again ({@code retry}), and the wait the server asked for. {@code prebuilt} is the exception a reader built
   * itself, thrown (with the reason retries stopped) when the failure is final.
   */
  private record Failure(
      int status,
      String description,
      Duration retryAfter,
      boolean retriable,
      boolean retry,
      BackendException.Kind kind,
      Throwable cause,
      BackendException prebuilt,
      ServerError error) {
    Failure(int status, String description, Duration retryAfter, boolean retriable, boolean retry,
        BackendException.Kind kind, Throwable cause) {
      this(status, description, retryAfter, retriable, retry, kind, cause, null, null);
    }

    static Failure of(AttemptFailure e) {
      BackendException f = e.failure;
      return new Failure(f.statusCode().orElse(0), f.getMessage(), null, f.isRetriable(), e.retry && f.isRetriable(),
          f.kind(), f.getCause(), f, f.serverError().orElse(null));
    }
  }

  /** Which limit cut an attempt's whole-call timeout. */
  private enum Limit {
    CALL_TIMEOUT,
    RETRY_BUDGET,
    DEADLINE
  }

  /**
   * The attempts of one call: counts them, measures the budget (the retry policy's, or the caller's deadline when
   * shorter), decides the next wait.
   */
  private final class Attempts {
    private final String path;
    private final long start = settings.scheduler.nanoTime();
    /** The retry budget, or the caller's timeout when that is shorter. */
    private final Duration budget;
    private final boolean deadline;
    private int made;
    private Duration attemptTimeout = Duration.ZERO;
    private Limit limit = Limit.CALL_TIMEOUT;
    private String stopReason = "";

    Attempts(String path, Duration timeout) {
      this.path = path;
      Duration policy = settings.retryPolicy.maxElapsed();
      this.deadline = timeout != null && timeout.compareTo(policy) < 0;
      this.budget = deadline ? timeout : policy;
    }

    /**
     * Counts an attempt and returns its whole-call timeout: the configured one, cut to what is left of the budget.
     */
    Duration begin() {
      made++;
      Duration left = budget.minus(elapsed());
      if (left.isNegative() || left.isZero()) {
        left = Duration.ofMillis(1);
      }
      Duration configured = settings.callTimeout;
      if (configured.isZero() || configured.compareTo(left) > 0) {
        limit = deadline ? Limit.DEADLINE : Limit.RETRY_BUDGET;
        attemptTimeout = left;
      } else {
        limit = Limit.CALL_TIMEOUT;
        attemptTimeout = configured;
      }
      return attemptTimeout;
    }

    /** A transport failure of the current attempt, for the user, naming the timeout that fired. */
    String describe(IOException e) {
      String note =
          switch (limit) {
            case CALL_TIMEOUT -> ")";
            case RETRY_BUDGET -> ", cut to what was left of the retry budget of " + format(budget) + ")";
            case DEADLINE -> ", cut to what was left of the caller's deadline of " + format(budget) + ")";
          };
      return OpenAiHttp.this.describe(e, attemptTimeout, note);
    }

    private Duration elapsed() {
      return Duration.ofNanos(settings.scheduler.nanoTime() - start);
    }

    /** The wait before the next attempt, or null when {@code failure} is final. */
    Duration retryDelay(Failure failure) {
      RetryPolicy policy = settings.retryPolicy;
      if (!failure.retry) {
        return null;
      }
      if (made >= policy.maxAttempts()) {
        stopReason = made == 1 ? "" : " (gave up after " + made + " attempts in " + format(elapsed()) + ")";
        return null;
      }
      Duration delay =
          failure.retryAfter != null
              ? failure.retryAfter
              : policy.backoff(made, ThreadLocalRandom.current().nextDouble());
      if (elapsed().plus(delay).compareTo(budget) >= 0) {
        stopReason =
            " (gave up after " + made + (made == 1 ? " attempt" : " attempts") + ": waiting " + format(delay)
                + (failure.retryAfter != null ? " as the server asked" : "")
                + " would pass the " + (deadline ? "caller's deadline" : "retry budget") + " of " + format(budget)
                + ")";
        return null;
      }
      LOG.log(
          System.Logger.Level.DEBUG,
          () -> redact(prefix(path) + failure.description + "; retrying in " + format(delay) + " (attempt "
              + (made + 1) + " of " + policy.maxAttempts() + ")"));
      return delay;
    }

    BackendException exception(Failure failure) {
      if (failure.prebuilt != null) {
        return stopReason.isEmpty()
            ? failure.prebuilt
            : withKind(failure.prebuilt, failure.prebuilt.kind(), failure.prebuilt.getMessage() + stopReason);
      }
      String message = redact(prefix(path) + failure.description + stopReason);
      Throwable cause = scrub(failure.cause);
      return failure.retriable
          ? new RetriableBackendException(model, failure.status, message, cause, failure.kind, failure.error)
          : new NonRetriableBackendException(model, failure.status, message, cause, failure.kind, failure.error);
    }
  }
}
