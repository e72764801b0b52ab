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
    OkHttpClient.Builder b = settings.client == null ? new OkHttpClient.Builder() : settings.client.newBuilder();
    this.client =
        b.connectTimeout(settings.connectTimeout)
            .readTimeout(settings.readTimeout)
            .writeTimeout(settings.readTimeout)
            .callTimeout(settings.callTimeout)
            .build();
    this.ownsClient = settings.client == null;
    this.secrets = settings.secrets();
  }

  /** Reads a successful (2xx) response. May throw {@link ResponseFormatException} for an unusable body. */
  @FunctionalInterface
  interface BodyReader<T> {
    T read(Response response) throws IOException;
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
    return send(path, body, reader, false);
  }

  /**
   * POSTs {@code body} and returns the open 2xx response, for streaming; the caller closes it. Failures before the
   * answer starts are retried as the policy allows.
   */
  Response open(String path, ObjectNode body) {
    return send(path, body, response -> response, true);
  }

  private <T> T send(String path, ObjectNode body, BodyReader<T> reader, boolean keepOpen) {
    ensureOpen();
    Request request = request(path, body);
    Attempts attempts = new Attempts(path);
    while (true) {
      Duration timeout = attempts.begin();
      Call call = client.newCall(request);
      call.timeout().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
      Failure failure;
      try {
        Response response = call.execute();
        boolean handedOver = false;
        try {
          if (response.isSuccessful()) {
            T result = reader.read(response);
            handedOver = keepOpen;
            return result;
          }
          failure = httpFailure(response);
        } catch (ResponseFormatException e) {
          throw malformed(path, response.code(), e);
        } finally {
          if (!handedOver) {
            response.close();
          }
        }
      } catch (IOException e) {
        failure = ioFailure(e, timeout);
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
            e);
      }
    }
  }

  /**
   * POSTs {@code body} without blocking; retries are scheduled on the {@link RetryScheduler}, never waited for on a
   * thread. Cancelling the returned future cancels the call in flight.
   */
  <T> CompletableFuture<T> sendAsync(String path, ObjectNode body, BodyReader<T> reader) {
    ensureOpen();
    CompletableFuture<T> result = new CompletableFuture<>();
    attemptAsync(path, request(path, body), new Attempts(path), reader, result);
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
    result.whenComplete(
        (value, error) -> {
          if (result.isCancelled()) {
            call.cancel();
          }
        });
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            retryOrFail(ioFailure(e, timeout));
          }

          @Override
          public void onResponse(Call c, Response response) {
            Failure failure;
            try (response) {
              if (response.isSuccessful()) {
                result.complete(reader.read(response));
                return;
              }
              failure = httpFailure(response);
            } catch (IOException e) {
              failure = ioFailure(e, timeout);
            } catch (ResponseFormatException e) {
              result.completeExceptionally(malformed(path, response.code(), e));
              return;
            } catch (RuntimeException | Error e) {
              result.completeExceptionally(e);
              return;
            }
            retryOrFail(failure);
          }

          private void retryOrFail(Failure failure) {
            Duration delay = attempts.retryDelay(failure);
            if (delay == null) {
              result.completeExceptionally(attempts.exception(failure));
              return;
            }
            try {
              settings.scheduler.schedule(delay, () -> attemptAsync(path, request, attempts, reader, result));
            } catch (RuntimeException e) {
              result.completeExceptionally(attempts.exception(failure));
            }
          }
        });
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
    String text = response.body().string();
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

  private NonRetriableBackendException malformed(String path, int status, ResponseFormatException e) {
    return new NonRetriableBackendException(model, status, redact(prefix(path) + e.getMessage()), scrub(e.getCause()));
  }

  /** Thrown when a streamed answer breaks after it started; not retried, since text was already delivered. */
  RetriableBackendException streamBroken(String path, int status, String what, Throwable cause) {
    return new RetriableBackendException(model, status, redact(prefix(path) + what), scrub(cause));
  }

  /** Thrown for an error the server reports inside a stream; retriable unless the server says it was a 4xx. */
  BackendException streamError(String path, int status, String what) {
    String message = redact(prefix(path) + what);
    boolean retriable = status == 0 || isRetriableStatus(status);
    return retriable
        ? new RetriableBackendException(model, status, message, null)
        : new NonRetriableBackendException(model, status, message, null);
  }

  /** A non-retriable failure about a response's content, for example a streamed chunk that is not JSON. */
  NonRetriableBackendException badContent(String path, int status, String what, Throwable cause) {
    return new NonRetriableBackendException(model, status, redact(prefix(path) + what), scrub(cause));
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
    return new Failure(status, description, retryAfter(response.headers()), isRetriableStatus(status), null,
        serverError(body));
  }

  private Failure ioFailure(IOException e, Duration attemptTimeout) {
    return new Failure(0, describe(e, attemptTimeout), null, true, e, null);
  }

  /** What a transport failure means for the user: which timeout fired, or what broke the connection. */
  String describe(IOException e, Duration attemptTimeout) {
    String message = String.valueOf(e.getMessage());
    if (e instanceof SocketTimeoutException && message.toLowerCase(Locale.ROOT).contains("connect")) {
      return "could not connect within the connect timeout (" + format(settings.connectTimeout) + ")";
    }
    if (e instanceof SocketTimeoutException) {
      return "no data within the read timeout (" + format(settings.readTimeout) + ")";
    }
    if (e instanceof InterruptedIOException && message.contains("timeout")) {
      return "the call did not finish within " + format(attemptTimeout) + " (the whole-call timeout"
          + (attemptTimeout.equals(settings.callTimeout) ? ")" : ", cut to what was left of the retry budget)");
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

  /** One failed attempt: what happened, whether it may pass on retry, and the wait the server asked for. */
  private record Failure(
      int status, String description, Duration retryAfter, boolean retriable, Throwable cause, ServerError error) {}

  /** The attempts of one call: counts them, measures the budget, decides the next wait. */
  private final class Attempts {
    private final String path;
    private final long start = settings.scheduler.nanoTime();
    private int made;
    private String stopReason = "";

    Attempts(String path) {
      this.path = path;
    }

    /** Counts an attempt and returns its whole-call timeout: the configured one, cut to what is left of the budget. */
    Duration begin() {
      made++;
      Duration left = settings.retryPolicy.maxElapsed().minus(elapsed());
      if (left.isNegative() || left.isZero()) {
        left = Duration.ofMillis(1);
      }
      Duration configured = settings.callTimeout;
      return configured.isZero() || configured.compareTo(left) > 0 ? left : configured;
    }

    private Duration elapsed() {
      return Duration.ofNanos(settings.scheduler.nanoTime() - start);
    }

    /** The wait before the next attempt, or null when {@code failure} is final. */
    Duration retryDelay(Failure failure) {
      RetryPolicy policy = settings.retryPolicy;
      if (!failure.retriable) {
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
      if (elapsed().plus(delay).compareTo(policy.maxElapsed()) >= 0) {
        stopReason =
            " (gave up after " + made + (made == 1 ? " attempt" : " attempts") + ": waiting " + format(delay)
                + (failure.retryAfter != null ? " as the server asked" : "")
                + " would pass the retry budget of " + format(policy.maxElapsed()) + ")";
        return null;
      }
      LOG.log(
          System.Logger.Level.DEBUG,
          () -> redact(prefix(path) + failure.description + "; retrying in " + format(delay) + " (attempt "
              + (made + 1) + " of " + policy.maxAttempts() + ")"));
      return delay;
    }

    BackendException exception(Failure failure) {
      String message = redact(prefix(path) + failure.description + stopReason);
      Throwable cause = scrub(failure.cause);
      return failure.retriable
          ? new RetriableBackendException(model, failure.status, message, cause, failure.error)
          : new NonRetriableBackendException(model, failure.status, message, cause, failure.error);
    }
  }
}
