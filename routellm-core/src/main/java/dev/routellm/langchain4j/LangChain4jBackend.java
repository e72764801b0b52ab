package dev.routellm.langchain4j;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.routellm.BackendException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.RetriableBackendException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * A {@link ModelBackend} that calls a model configured in LangChain4j (any provider LangChain4j supports: OpenAI,
 * Anthropic, Gemini, Ollama, Bedrock...), so a router's pool can be made of LangChain4j models.
 *
 * <pre>{@code
 * ChatModel claude = AnthropicChatModel.builder().apiKey(key).modelName("claude-sonnet-4-5").build();
 * ModelBackend strong = LangChain4jBackend.builder().name("claude-sonnet-4-5").chatModel(claude).build();
 * }</pre>
 *
 * <p>Requests convert as for OpenAI: messages with tool calls and results, temperature, max tokens, stop sequences,
 * and function tools from the {@code tools} and {@code tool_choice} extra fields; other extra fields have no
 * LangChain4j equivalent and are not sent, and log-probabilities are not available ({@link #capabilities()} says
 * so). Answers without token counts get {@linkplain dev.routellm.chat.Usage#estimated() estimated} ones. LangChain4j's
 * failures become the library's: its retriable ones (rate limit, timeout, server error) and HTTP 408, 429 and 5xx a
 * {@link RetriableBackendException}, the rest a {@link NonRetriableBackendException}, each naming this model. Retries
 * are LangChain4j's (its {@code maxRetries}); the router falls back after them.
 *
 * <p>Streams through the {@link StreamingChatModel} when one is given, else answers whole and delivers the text in one
 * piece. Thread-safe when the LangChain4j models are (theirs are). {@link #close()} does nothing: the LangChain4j
 * models are the caller's.
 */
public final class LangChain4jBackend implements ModelBackend {
  private final String name;
  private final ChatModel chatModel;
  private final StreamingChatModel streamingModel;
  private final Executor executor;

  private LangChain4jBackend(Builder b) {
    this.name = b.name;
    this.chatModel = b.chatModel;
    this.streamingModel = b.streamingModel;
    this.executor = b.executor;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String model() {
    return name;
  }

  /** No log-probabilities (LangChain4j's chat API does not return them); usage at the end of streams. */
  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, true);
  }

  @Override
  public ChatResponse chat(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    if (chatModel == null) {
      return stream(request, StreamListener.NONE);
    }
    dev.langchain4j.model.chat.response.ChatResponse answer;
    try {
      answer = chatModel.chat(Conversions.toLangChain4j(request));
    } catch (RuntimeException e) {
      throw failure(e);
    }
    return Conversions.toRouteLlm(answer, name, request);
  }

  @Override
  public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return CompletableFuture.supplyAsync(() -> chat(request), executor);
  }

  @Override
  public ChatResponse stream(ChatRequest request, StreamListener listener) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(listener, "listener");
    if (streamingModel == null) {
      ChatResponse whole = chat(request);
      if (!whole.text().isEmpty()) {
        listener.onText(whole.text());
      }
      return whole;
    }
    CompletableFuture<dev.langchain4j.model.chat.response.ChatResponse> done = new CompletableFuture<>();
    try {
      streamingModel.chat(Conversions.toLangChain4j(request), new StreamingChatResponseHandler() {
        @Override
        public void onPartialResponse(String partial) {
          if (partial != null && !partial.isEmpty() && !done.isDone()) {
            try {
              listener.onText(partial);
            } catch (RuntimeException e) {
              done.completeExceptionally(e); // the caller's listener failed: stop here, as other backends do
            }
          }
        }

        @Override
        public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse response) {
          done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
          done.completeExceptionally(error);
        }
      });
      return Conversions.toRouteLlm(done.get(), name, request);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableBackendException(name, 0, "interrupted while streaming from " + name, e);
    } catch (ExecutionException e) {
      throw failure(e.getCause());
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /** The library's exception for what LangChain4j threw; a listener's own exception passes through. */
  private RuntimeException failure(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof BackendException b) {
      return b;
    }
    String message = name + " (LangChain4j) failed: " + (cause.getMessage() == null
        ? cause.getClass().getSimpleName() : cause.getMessage());
    int status = 0;
    for (Throwable c = cause; c != null && status == 0; c = c.getCause() == c ? null : c.getCause()) {
      status = c instanceof HttpException h ? h.statusCode() : 0; // providers wrap the HTTP failure
    }
    if (cause instanceof RetriableException || status == 408 || status == 429 || status >= 500) {
      return new RetriableBackendException(name, status, message, cause);
    }
    if (cause instanceof NonRetriableException || cause instanceof AuthenticationException || status > 0) {
      return new NonRetriableBackendException(name, status, message, cause);
    }
    if (cause instanceof RuntimeException r && !(cause instanceof dev.langchain4j.exception.LangChain4jException)) {
      return r; // not a model failure (a listener's, an argument's): the caller's own
    }
    return new NonRetriableBackendException(name, status, message, cause);
  }

  @Override
  public void close() {
    // The LangChain4j models belong to the caller.
  }

  @Override
  public String toString() {
    return "LangChain4jBackend[" + name + "]";
  }

  /** Builds a {@link LangChain4jBackend}. Not thread-safe. */
  public static final class Builder {
    private String name;
    private ChatModel chatModel;
    private StreamingChatModel streamingModel;
    private Executor executor = ForkJoinPool.commonPool();

    private Builder() {}

    /** The model's name for pricing and routing decisions (the cost model needs a price for it). Required. */
    public Builder name(String value) {
      Objects.requireNonNull(value, "name");
      if (value.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + value + "'");
      }
      this.name = value;
      return this;
    }

    /** The model answering whole requests. At least one of this and {@link #streamingModel} is required. */
    public Builder chatModel(ChatModel value) {
      this.chatModel = Objects.requireNonNull(value, "chatModel");
      return this;
    }

    /** The model answering streamed requests (and whole ones when no chat model is given). */
    public Builder streamingModel(StreamingChatModel value) {
      this.streamingModel = Objects.requireNonNull(value, "streamingModel");
      return this;
    }

    /** Where {@link ModelBackend#chatAsync} runs the blocking call. Default: the common fork-join pool. */
    public Builder executor(Executor value) {
      this.executor = Objects.requireNonNull(value, "executor");
      return this;
    }

    /**
     * Builds the backend.
     *
     * @throws IllegalStateException when the name or both models are missing
     */
    public LangChain4jBackend build() {
      if (name == null) {
        throw new IllegalStateException("name is required: call name(model name used for prices and decisions)");
      }
      if (chatModel == null && streamingModel == null) {
        throw new IllegalStateException("a chat model or a streaming model is required for '" + name + "'");
      }
      return new LangChain4jBackend(this);
    }
  }
}
