package dev.routellm.chat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A chat completion request, independent of which model will answer it. Immutable and thread-safe; build one with
 * {@link #builder()} or {@link #of(String)}, derive variants with {@link #toBuilder()}.
 *
 * <p>Every request has a prompt: the last user message (or, without one, the last message) is never empty or
 * whitespace only; {@link #of(String)} and {@link Builder#build()} reject such a request.
 *
 * <p>Fields the library does not model (for example {@code seed}, {@code response_format}, {@code user}) travel in
 * {@link #extra()} and are sent to the backend untouched. The model name is not part of the request: the router or
 * backend sets it.
 */
public final class ChatRequest {
  /** JSON fields that have typed accessors here, or that the backend sets itself; they may not appear in extra. */
  public static final Set<String> RESERVED_FIELDS =
      Set.of(
          "model", "messages", "temperature", "max_tokens", "max_completion_tokens", "stop", "logprobs",
          "top_logprobs", "stream", "stream_options");

  /** The wire name OpenAI's newer models require for the token limit; see {@link Builder#maxCompletionTokens}. */
  public static final String MAX_COMPLETION_TOKENS = "max_completion_tokens";

  /** The most alternatives per token that OpenAI accepts for {@code top_logprobs}. */
  public static final int MAX_TOP_LOGPROBS = 20;

  private final List<ChatMessage> messages;
  private final Double temperature;
  private final Integer maxTokens;
  private final String maxTokensField;
  private final List<String> stop;
  private final boolean logprobs;
  private final int topLogprobs;
  private final Map<String, Object> extra;

  private ChatRequest(Builder b) {
    if (b.messages.isEmpty()) {
      throw new IllegalStateException("a chat request needs at least one message");
    }
    if (lastUserMessage(b.messages).isBlank()) {
      throw new IllegalStateException("the last user message is empty or whitespace only: there is nothing to answer"
          + " or route (a request needs a prompt)");
    }
    this.messages = List.copyOf(b.messages);
    this.temperature = b.temperature;
    this.maxTokens = b.maxTokens;
    this.maxTokensField = b.maxTokensField;
    this.stop = List.copyOf(b.stop);
    this.logprobs = b.logprobs || b.topLogprobs > 0;
    this.topLogprobs = b.topLogprobs;
    this.extra = Collections.unmodifiableMap(new LinkedHashMap<>(b.extra));
  }

  /**
   * A deep, unmodifiable copy of a JSON-like extra value, so that the caller's later changes to a list or map do not
   * reach the request.
   *
   * @throws IllegalArgumentException naming {@code path} and the type when the value is not JSON-like
   */
  private static Object jsonCopy(Object value, String path) {
    if (value == null || value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("extra field '" + path + "' must be a finite number but was " + d);
      }
      return value;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger || value instanceof BigDecimal) {
      return value;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        copy.add(jsonCopy(list.get(i), path + "[" + i + "]"));
      }
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "extra field '" + path + "' has a map key that is not a string: " + e.getKey()
                  + (e.getKey() == null ? "" : " (" + e.getKey().getClass().getName() + ")"));
        }
        copy.put(key, jsonCopy(e.getValue(), path + "." + key));
      }
      return Collections.unmodifiableMap(copy);
    }
    throw new IllegalArgumentException(
        "extra field '" + path + "' holds a " + value.getClass().getName()
            + ", which is not JSON-like (null, String, Boolean, a finite Integer, Long, Short, Byte, Double, Float,"
            + " BigInteger or BigDecimal, or a List or Map of such values)");
  }

  /**
   * A request holding a single user message.
   *
   * @throws IllegalArgumentException when {@code userMessage} is empty or whitespace only
   */
  public static ChatRequest of(String userMessage) {
    Objects.requireNonNull(userMessage, "userMessage");
    if (userMessage.isBlank()) {
      throw new IllegalArgumentException("userMessage must not be empty or whitespace only but was '" + userMessage
          + "': there is nothing to answer or route");
    }
    return builder().user(userMessage).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this request's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.messages.addAll(messages);
    b.temperature = temperature;
    b.maxTokens = maxTokens;
    b.maxTokensField = maxTokensField;
    b.stop.addAll(stop);
    b.logprobs = logprobs;
    b.topLogprobs = topLogprobs;
    b.extra.putAll(extra);
    return b;
  }

  /** The conversation, oldest first; never empty. */
  public List<ChatMessage> messages() {
    return messages;
  }

  /**
   * The content of the last message whose role is {@code user}, or of the last message when there is none. Never
   * blank: a request whose prompt would be blank cannot be built.
   */
  public String lastUserMessage() {
    return lastUserMessage(messages);
  }

  private static String lastUserMessage(List<ChatMessage> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (ChatMessage.USER.equals(messages.get(i).role())) {
        return messages.get(i).content();
      }
    }
    return messages.get(messages.size() - 1).content();
  }

  /** Sampling temperature, when set. */
  public OptionalDouble temperature() {
    return temperature == null ? OptionalDouble.empty() : OptionalDouble.of(temperature);
  }

  /** Most tokens to generate, when set. */
  public OptionalInt maxTokens() {
    return maxTokens == null ? OptionalInt.empty() : OptionalInt.of(maxTokens);
  }

  /**
   * The wire name the token limit must be sent under, when the caller fixed it ({@value #MAX_COMPLETION_TOKENS} after
   * {@link Builder#maxCompletionTokens}); empty when the backend chooses ({@link Builder#maxTokens}).
   */
  public Optional<String> maxTokensField() {
    return Optional.ofNullable(maxTokensField);
  }

  /** Stop sequences; empty when none. */
  public List<String> stop() {
    return stop;
  }

  /** Whether token log-probabilities are requested. */
  public boolean logprobs() {
    return logprobs;
  }

  /** How many alternatives per token are requested, 0 to {@link #MAX_TOP_LOGPROBS}. */
  public int topLogprobs() {
    return topLogprobs;
  }

  /** Further JSON fields passed to the backend untouched, in insertion order. */
  public Map<String, Object> extra() {
    return extra;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChatRequest r
        && messages.equals(r.messages)
        && Objects.equals(temperature, r.temperature)
        && Objects.equals(maxTokens, r.maxTokens)
        && Objects.equals(maxTokensField, r.maxTokensField)
        && stop.equals(r.stop)
        && logprobs == r.logprobs
        && topLogprobs == r.topLogprobs
        && extra.equals(r.extra);
  }

  @Override
  public int hashCode() {
    return Objects.hash(messages, temperature, maxTokens, maxTokensField, stop, logprobs, topLogprobs, extra);
  }

  @Override
  public String toString() {
    return "ChatRequest{messages=" + messages.size() + ", temperature=" + temperature + ", maxTokens=" + maxTokens
        + ", logprobs=" + logprobs + ", topLogprobs=" + topLogprobs + ", extra=" + extra.keySet() + "}";
  }

  /** Builds a {@link ChatRequest}. Not thread-safe. Each setter validates its argument at once. */
  public static final class Builder {
    private final List<ChatMessage> messages = new ArrayList<>();
    private Double temperature;
    private Integer maxTokens;
    private String maxTokensField;
    private final List<String> stop = new ArrayList<>();
    private boolean logprobs;
    private int topLogprobs;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    /** Appends a message. */
    public Builder message(ChatMessage message) {
      messages.add(Objects.requireNonNull(message, "message"));
      return this;
    }

    /** Replaces the conversation. */
    public Builder messages(List<ChatMessage> conversation) {
      Objects.requireNonNull(conversation, "messages");
      messages.clear();
      conversation.forEach(this::message);
      return this;
    }

    public Builder system(String content) {
      return message(ChatMessage.system(content));
    }

    public Builder user(String content) {
      return message(ChatMessage.user(content));
    }

    public Builder assistant(String content) {
      return message(ChatMessage.assistant(content));
    }

    /** Sampling temperature in [0, 2]. */
    public Builder temperature(double value) {
      if (!(value >= 0.0 && value <= 2.0)) {
        throw new IllegalArgumentException("temperature must be in [0, 2] but was " + value);
      }
      this.temperature = value;
      return this;
    }

    /**
     * Most tokens to generate, {@code > 0}, sent under the name the backend is configured with ({@code max_tokens}
     * by default).
     */
    public Builder maxTokens(int value) {
      if (value <= 0) {
        throw new IllegalArgumentException("maxTokens must be > 0 but was " + value);
      }
      this.maxTokens = value;
      this.maxTokensField = null;
      return this;
    }

    /**
     * Most tokens to generate, {@code > 0}, always sent as {@value ChatRequest#MAX_COMPLETION_TOKENS} whatever the
     * backend's setting: OpenAI's reasoning models reject {@code max_tokens}. A routing server forwarding a client's
     * field uses this to keep the name the client sent.
     */
    public Builder maxCompletionTokens(int value) {
      if (value <= 0) {
        throw new IllegalArgumentException("maxCompletionTokens must be > 0 but was " + value);
      }
      this.maxTokens = value;
      this.maxTokensField = MAX_COMPLETION_TOKENS;
      return this;
    }

    /** Stop sequences (at most 4, none empty). */
    public Builder stop(List<String> sequences) {
      Objects.requireNonNull(sequences, "stop");
      if (sequences.size() > 4) {
        throw new IllegalArgumentException("stop takes at most 4 sequences but was given " + sequences.size());
      }
      for (String s : sequences) {
        if (s == null || s.isEmpty()) {
          throw new IllegalArgumentException("stop sequences must not be null or empty but were " + sequences);
        }
      }
      stop.clear();
      stop.addAll(sequences);
      return this;
    }

    /** Requests token log-probabilities. */
    public Builder logprobs(boolean value) {
      this.logprobs = value;
      return this;
    }

    /**
     * Requests {@code k} alternatives per token (0 to {@value ChatRequest#MAX_TOP_LOGPROBS}); {@code k > 0} implies
     * {@link #logprobs(boolean) logprobs(true)}.
     */
    public Builder topLogprobs(int k) {
      if (k < 0 || k > MAX_TOP_LOGPROBS) {
        throw new IllegalArgumentException("topLogprobs must be in [0, " + MAX_TOP_LOGPROBS + "] but was " + k);
      }
      this.topLogprobs = k;
      return this;
    }

    /**
     * Adds a JSON field that is sent to the backend as is. The value must be JSON-like: {@code null}, a
     * {@link String}, {@link Boolean}, a finite {@link Integer}, {@link Long}, {@link Short}, {@link Byte}, {@link
     * Double}, {@link Float}, {@link java.math.BigInteger} or {@link java.math.BigDecimal}, or a {@link List} or
     * {@link Map} (string keys) of such values. The value is deep-copied here into unmodifiable lists and maps, so
     * changing the caller's list or map afterwards does not change the request.
     *
     * @throws IllegalArgumentException when {@code name} is blank or one of {@link ChatRequest#RESERVED_FIELDS}, or
     *     when the value (or a value nested in it) is not JSON-like; the message names the field and the type
     */
    public Builder extra(String name, Object value) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("extra field name must not be blank but was '" + name + "'");
      }
      if (RESERVED_FIELDS.contains(name)) {
        throw new IllegalArgumentException(
            "extra field '" + name + "' is set by a typed method or by the backend; use that instead");
      }
      extra.put(name, jsonCopy(value, name));
      return this;
    }

    /** Removes a previously added extra field. */
    public Builder removeExtra(String name) {
      extra.remove(name);
      return this;
    }

    /**
     * Builds the request.
     *
     * @throws IllegalStateException when no message was added, or when the prompt is blank: the last user message
     *     (the last message when none is a user's) is empty or whitespace only. The library, the command line and
     *     the routing server apply this one rule, so an empty prompt fails alike everywhere instead of reaching a
     *     predictor that may or may not score it
     */
    public ChatRequest build() {
      return new ChatRequest(this);
    }
  }
}
