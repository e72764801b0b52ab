package dev.routellm.backend;

import dev.routellm.BackendException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.sse.EventSources;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link ModelBackend} for any server that speaks OpenAI's chat completions API: OpenAI itself, vLLM, Ollama's
 * {@code /v1}, Together, a llama.cpp server. It POSTs to {@code {baseUrl}/chat/completions}.
 *
 * <pre>{@code
 * try (OpenAiBackend gpt = OpenAiBackend.builder().model("gpt-4o").build()) {   // key from OPENAI_API_KEY
 *   ChatResponse answer = gpt.chat(ChatRequest.of("What is 2 + 2?"));
 * }
 * OpenAiBackend local = OpenAiBackend.builder()
 *     .baseUrl("http://localhost:8000/v1").noApiKey().model("meta-llama/Meta-Llama-3-8B-Instruct")
 *     .name("llama-3-8b")                                                          // the name prices use
 *     .build();
 * }</pre>
 *
 * <p><b>Thread-safety and lifecycle.</b> Immutable and thread-safe: share one instance among all threads. Unless
 * given a caller's {@link okhttp3.OkHttpClient}, it owns an OkHttp client (connection pool and dispatcher threads)
 * that {@link #close()} releases, which runs up to {@link Builder#maxConcurrentCalls} asynchronous calls at once (default
 * {@link #DEFAULT_MAX_CONCURRENT_CALLS}; more wait in its queue); {@code close()} is idempotent, never touches a caller's client, and after it every
 * call fails with {@link IllegalStateException}. Calls still in flight when it is closed may fail.
 *
 * <p><b>Requests.</b> Messages, temperature, {@code max_tokens} (or {@code max_completion_tokens}, see {@link
 * Builder#maxCompletionTokens(boolean)} and {@link ChatRequest.Builder#maxCompletionTokens(int)}), stop sequences and
 * {@link ChatRequest#extra()} fields are sent as given. When log-probabilities are requested and the {@link
 * Capabilities} allow them, {@code logprobs: true} is sent, with {@code top_logprobs} only when the request asks for
 * alternatives. Without the capability they are not requested at all.
 *
 * <p><b>Answers.</b> Text, model, id, finish reason and usage; when the server reports no usage it is
 * {@linkplain dev.routellm.chat.Usage#estimate estimated} from the text lengths. Log-probabilities are read in both
 * wire shapes (chat {@code logprobs.content[]} and the legacy {@code tokens}/{@code token_logprobs}/{@code
 * top_logprobs} arrays) and in Ollama's top-level shape; {@link ChatResponse#hasLogprobs()} is true only when the
 * server returned them. Positions with a {@code null} token or log-probability are skipped (the text keeps them), so
 * the log-probability list may be shorter than the answer's tokens; {@code -Infinity} and {@code -9999.0} are
 * clamped to {@link dev.routellm.chat.TokenLogprob#FLOOR}.
 *
 * <p><b>Failures.</b> HTTP 429, 408, 5xx, timeouts, connection failures and unusable successful answers (not JSON,
 * no {@code choices}, a malformed or unfinished stream, a wrong Content-Type) are retried per the {@link RetryPolicy}
 * and then reported as {@link dev.routellm.RetriableBackendException}, so that a router falls back to another model;
 * any other 4xx fails at once as {@link dev.routellm.NonRetriableBackendException}. {@link
 * dev.routellm.BackendException#kind()} says what went wrong. An answer larger than {@link
 * Builder#maxResponseBytes(long)} (default {@link #DEFAULT_MAX_RESPONSE_BYTES}) fails, retriable but not fetched
 * again. Every message names the model and the endpoint and quotes the server's own error text; none contains the API
 * key, a credential header's value or the base URL's query (they are replaced by {@code [redacted]} even when the
 * server echoes them).
 *
 * <p><b>Not guaranteed.</b> A stream is retried only while no text has reached the listener: once text reached it, a
 * broken stream is reported (kind {@link dev.routellm.BackendException.Kind#STREAM_CUT}), not resumed. The whole-call
 * timeout covers a stream from start to end. Only the first choice ({@code n = 1}) is read.
 */
public final class OpenAiBackend implements ModelBackend {
  /** OpenAI's API root. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
  /** The environment variable read for the API key when no key option is given. */
  public static final String DEFAULT_API_KEY_VARIABLE = "OPENAI_API_KEY";
  /** Longest wait to open a connection. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Longest wait for the next bytes of an answer. A non-streamed answer sends nothing until it is complete, so this
   * is generous.
   */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);
  /** Longest time for one attempt as a whole, a stream included. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(5);
  /**
   * Most bytes read from one answer, a stream included: 32 MiB, far above any chat answer (a 128-text batch of
   * 3,072-dimension embeddings is about 9 MiB of JSON).
   */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 32L << 20;
  /** Both log-probabilities and streaming usage, as OpenAI, vLLM and llama.cpp's server offer. */
  public static final Capabilities DEFAULT_CAPABILITIES = Capabilities.ALL;
  /**
   * Asynchronous calls ({@link #chatAsync}) the backend's own HTTP client runs at once, to one server and in all: 256.
   * OkHttp's own default is 5 per host (64 in all), which would queue the sixth concurrent {@code chatAsync} call to
   * the same server behind the first five; a router serving many requests at once needs more.
   */
  public static final int DEFAULT_MAX_CONCURRENT_CALLS = 256;

  static final String CHAT_PATH = "chat/completions";
  private static final String EVENT_STREAM = "text/event-stream";

  private final String name;
  private final String serverModel;
  private final Capabilities capabilities;
  private final boolean maxCompletionTokens;
  private final ChatJson.Wire wire;
  private final OpenAiHttp http;

  private OpenAiBackend(Builder b, HttpSettings settings) {
    this.serverModel = b.model;
    this.name = b.name != null ? b.name : b.model;
    this.capabilities = b.capabilities;
    this.maxCompletionTokens = b.maxCompletionTokens;
    this.wire =
        new ChatJson.Wire(serverModel, capabilities.logprobs(), capabilities.streamingUsage(), maxCompletionTokens);
    this.http = new OpenAiHttp("OpenAiBackend", name, settings);
  }

  /** A builder with the defaults of this class: OpenAI's base URL, key from {@value #DEFAULT_API_KEY_VARIABLE}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this backend's settings (the API key as resolved when it was built). A backend built from it
   * has its own HTTP client unless this one was given a caller's client.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.copyFrom(http.settings());
    b.model = serverModel;
    b.name = name.equals(serverModel) ? null : name;
    b.capabilities = capabilities;
    b.maxCompletionTokens = maxCompletionTokens;
    return b;
  }

  /** The name used for pricing and routing decisions: {@link Builder#name(String)}, else the server's model name. */
  @Override
  public String model() {
    return name;
  }

  /** The model name sent to the server. */
  public String serverModel() {
    return serverModel;
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  /**
   * Sends the request and waits for the answer, retrying transient failures.
   *
   * @throws dev.routellm.BackendException when no answer could be had
   * @throws IllegalStateException when this backend is closed
   */
  @Override
  public ChatResponse chat(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return http.send(CHAT_PATH, ChatJson.requestBody(request, wire, false), reader(request));
  }

  /**
   * As {@link #chat(ChatRequest)}, all attempts and waits between them within {@code timeout}, on the calling
   * thread: each attempt's whole-call timeout is cut to what is left of it, and no retry starts that could not finish
   * in it. A call that runs out fails with a {@link dev.routellm.RetriableBackendException} of kind {@link
   * dev.routellm.BackendException.Kind#TIMEOUT} whose message names the deadline.
   *
   * @param timeout the longest the whole call may take, {@code > 0}
   * @throws IllegalArgumentException when {@code timeout} is zero or negative
   */
  @Override
  public ChatResponse chat(ChatRequest request, Duration timeout) {
    Objects.requireNonNull(request, "request");
    return http.send(CHAT_PATH, ChatJson.requestBody(request, wire, false), reader(request), positive(timeout));
  }

  private static Duration positive(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be > 0 but was " + timeout);
    }
    return timeout;
  }

  /**
   * Sends the request on OkHttp's dispatcher threads; retries are scheduled on the {@link RetryScheduler}, so no
   * thread waits. Cancelling the future cancels the call in flight. A request that cannot be serialised gives a
   * failed future, never an exception thrown here.
   *
   * @throws IllegalStateException when this backend is closed
   */
  @Override
  public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    ObjectNode body;
    try {
      body = ChatJson.requestBody(request, wire, false);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return http.sendAsync(CHAT_PATH, body, reader(request));
  }

  private OpenAiHttp.BodyReader<ChatResponse> reader(ChatRequest request) {
    return response -> ChatJson.response(OpenAiHttp.readJson(response), request, serverModel);
  }

  /**
   * Streams the answer over server-sent events, calling {@code listener} on this thread as text arrives, and
   * returns the whole answer. Usage comes from the final chunk when the server sends it ({@code
   * stream_options.include_usage}, when the capabilities say the server supports it) and is estimated otherwise;
   * per-chunk log-probabilities are accumulated. A server that ignores {@code stream: true} and answers with plain
   * JSON is accepted: the listener then receives the whole text at once. A stream that fails before any text reached
   * the listener is retried like any other failure; once text reached it, it is not.
   *
   * @throws dev.routellm.RetriableBackendException when the stream could not be had within the retry policy, or broke
   *     after text reached the listener (kind {@link dev.routellm.BackendException.Kind#STREAM_CUT}; the message
   *     says how much text had arrived)
   * @throws dev.routellm.BackendException for a non-retriable HTTP status or error event
   * @throws RuntimeException whatever {@code listener} throws, after cancelling the stream
   */
  @Override
  public ChatResponse stream(ChatRequest request, StreamListener listener) {
    return streamWithin(request, listener, null);
  }

  /**
   * As {@link #stream(ChatRequest, StreamListener)}, all attempts and waits between them within {@code timeout}:
   * each attempt's whole-call timeout is cut to what is left of it, and no retry starts that could not finish in it.
   * A call that runs out fails with a {@link dev.routellm.RetriableBackendException} of kind {@link
   * dev.routellm.BackendException.Kind#TIMEOUT} naming the deadline (or {@link
   * dev.routellm.BackendException.Kind#STREAM_CUT} when text had reached the listener).
   *
   * @param timeout the longest the whole call may take, {@code > 0}
   * @throws IllegalArgumentException when {@code timeout} is zero or negative
   */
  @Override
  public ChatResponse stream(ChatRequest request, StreamListener listener, Duration timeout) {
    return streamWithin(request, listener, positive(timeout));
  }

  /** Streams within {@code timeout}, or the retry policy's budget alone when it is null. */
  private ChatResponse streamWithin(ChatRequest request, StreamListener listener, Duration timeout) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(listener, "listener");
    ObjectNode body = ChatJson.requestBody(request, wire, true);
    Delivery delivery = new Delivery(listener);
    return http.send(CHAT_PATH, body, response -> streamed(request, delivery, response), timeout);
  }

  /** Reads one attempt's streamed answer. */
  private ChatResponse streamed(ChatRequest request, Delivery delivery, Response response) throws IOException {
    MediaType type = response.body().contentType();
    String kind = type == null ? "" : type.type() + "/" + type.subtype();
    if (kind.equals("application/json")) {
      ChatResponse answer = reader(request).read(response);
      if (!answer.text().isEmpty()) {
        delivery.onText(answer.text());
      }
      return answer;
    }
    if (!kind.equals(EVENT_STREAM)) {
      throw new ResponseFormatException(
          "asked for a stream (text/event-stream) but the answer's Content-Type is "
              + (type == null ? "missing" : type));
    }
    StreamCollector collector = new StreamCollector(http, CHAT_PATH, request, serverModel, delivery);
    EventSources.processResponse(response, collector);
    try {
      return collector.result(response.code());
    } catch (BackendException e) {
      throw delivery.failed(e);
    }
  }

  /**
   * Passes text to the caller's listener and remembers whether any arrived, and whether the listener itself threw,
   * so that a failed stream is retried only while the caller has seen nothing. Used on one thread.
   */
  private static final class Delivery implements StreamListener {
    private final StreamListener listener;
    private long chars;
    private boolean listenerThrew;

    Delivery(StreamListener listener) {
      this.listener = listener;
    }

    @Override
    public void onText(String delta) {
      chars += delta.length();
      try {
        listener.onText(delta);
      } catch (RuntimeException | Error e) {
        listenerThrew = true;
        throw e;
      }
    }

    /**
     * What to throw for a stream's failure {@code e}: before any text, an attempt failure that is retried when {@code
     * e} is retriable (an answer over the limit is not fetched again); after text, {@code e} as a {@link
     * BackendException.Kind#STREAM_CUT}; what the listener threw, as it is.
     */
    RuntimeException failed(BackendException e) {
      if (listenerThrew) {
        return e;
      }
      if (chars == 0) {
        return new OpenAiHttp.AttemptFailure(e, e.kind() != BackendException.Kind.ANSWER_TOO_LARGE);
      }
      return OpenAiHttp.withKind(e, BackendException.Kind.STREAM_CUT, e.getMessage());
    }
  }

  /** Releases the HTTP client this backend built (never a caller's). Idempotent. */
  @Override
  public void close() {
    http.close();
  }

  /** Settings for diagnostics; the API key and credential headers are shown as {@code [redacted]} or not at all. */
  @Override
  public String toString() {
    return "OpenAiBackend{model=" + name + (name.equals(serverModel) ? "" : ", serverModel=" + serverModel) + ", "
        + http.settings() + ", capabilities=" + capabilities + (maxCompletionTokens ? ", maxCompletionTokens" : "")
        + (http.isClosed() ? ", closed" : "") + "}";
  }

  /**
   * Builds an {@link OpenAiBackend}. Not thread-safe. Each setter validates its argument at once; {@link #build()}
   * checks that a model was given and resolves the API key.
   */
  public static final class Builder extends HttpSettings.Builder<Builder> {
    private String model;
    private String name;
    private Capabilities capabilities = DEFAULT_CAPABILITIES;
    private boolean maxCompletionTokens;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** The model name the server knows, sent in every request (for example {@code gpt-4o-mini}). Required. */
    public Builder model(String value) {
      this.model = nonBlank(value, "model");
      return this;
    }

    /**
     * The name this backend reports as {@link OpenAiBackend#model()}, used for pricing and in routing decisions and
     * exceptions, when it should differ from the server's model name (for example {@code llama-3-8b} for {@code
     * meta-llama/Meta-Llama-3-8B-Instruct}). Defaults to the model name.
     */
    public Builder name(String value) {
      this.name = nonBlank(value, "name");
      return this;
    }

    /** What the server supports; default {@link OpenAiBackend#DEFAULT_CAPABILITIES}. */
    public Builder capabilities(Capabilities value) {
      this.capabilities = Objects.requireNonNull(value, "capabilities");
      return this;
    }

    /**
     * Sends the request's token limit as {@code max_completion_tokens}, which OpenAI's reasoning models require,
     * instead of {@code max_tokens}, which every compatible server understands. Default false.
     */
    public Builder maxCompletionTokens(boolean value) {
      this.maxCompletionTokens = value;
      return this;
    }

    /**
     * Builds the backend.
     *
     * @throws IllegalStateException when no model was given, or both an API key and an Authorization header were
     * @throws dev.routellm.ConfigurationException when the environment variable named for the key is unset, or no key
     *     was found for OpenAI's own API (api.openai.com; {@link #noApiKey()} is for servers that need none)
     */
    public OpenAiBackend build() {
      if (model == null) {
        throw new IllegalStateException(
            "model is required: the name the server knows the model by, for example gpt-4o-mini");
      }
      return new OpenAiBackend(this, settings());
    }

    static String nonBlank(String value, String field) {
      Objects.requireNonNull(value, field);
      if (value.isBlank()) {
        throw new IllegalArgumentException(field + " must not be blank");
      }
      return value.strip();
    }
  }
}
