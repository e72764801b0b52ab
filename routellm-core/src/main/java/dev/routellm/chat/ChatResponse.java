package dev.routellm.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One model's answer to a {@link ChatRequest}. Immutable and thread-safe.
 *
 * <p>{@link #usage()} is always present: when the server sent no token counts (some streaming servers) it is an
 * {@linkplain Usage#estimated() estimate}. {@link #logprobs()} is empty unless log-probabilities were requested and
 * the server returned them.
 *
 * <p>An answer may ask for {@linkplain #toolCalls() tool calls} instead of, or beside, text: its {@link #text()} is
 * then empty (OpenAI sends {@code content: null}) and {@link #finishReason()} is normally {@code tool_calls}.
 * {@link #asMessage()} gives the assistant message to send back with the tools' results.
 *
 * <p>What OpenAI adds about the answer is kept when the server sent it: {@link #systemFingerprint()}, {@link
 * #serviceTier()} and the model's {@link #refusal()}, so that a proxy can pass them on.
 */
public final class ChatResponse {
  private final String id;
  private final String model;
  private final String text;
  private final String finishReason;
  private final Usage usage;
  private final List<TokenLogprob> logprobs;
  private final boolean logprobsReturned;
  private final List<ToolCall> toolCalls;
  private final String systemFingerprint;
  private final String serviceTier;
  private final String refusal;

  private ChatResponse(Builder b) {
    this.id = b.id;
    this.model = Objects.requireNonNull(b.model, "model");
    this.text = Objects.requireNonNull(b.text, "text");
    this.finishReason = b.finishReason;
    this.usage = Objects.requireNonNull(b.usage, "usage");
    this.logprobs = List.copyOf(b.logprobs);
    this.logprobsReturned = b.logprobsReturned;
    this.toolCalls = List.copyOf(b.toolCalls);
    this.systemFingerprint = b.systemFingerprint;
    this.serviceTier = b.serviceTier;
    this.refusal = b.refusal;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder().id(id).model(model).text(text).finishReason(finishReason).usage(usage);
    b.logprobs.addAll(logprobs);
    b.logprobsReturned = logprobsReturned;
    b.toolCalls.addAll(toolCalls);
    return b.systemFingerprint(systemFingerprint).serviceTier(serviceTier).refusal(refusal);
  }

  /** The server's id for the completion, when it sent one. */
  public Optional<String> id() {
    return Optional.ofNullable(id);
  }

  /** The model that answered, as the server reported it (or as configured when the server did not say). */
  public String model() {
    return model;
  }

  /**
   * The answer's text; never {@code null}, empty when the model produced none (as when it only asked for
   * {@linkplain #toolCalls() tool calls}).
   */
  public String text() {
    return text;
  }

  /** Why generation stopped ({@code stop}, {@code length}, {@code tool_calls}, ...), when the server said. */
  public Optional<String> finishReason() {
    return Optional.ofNullable(finishReason);
  }

  public Usage usage() {
    return usage;
  }

  /** Per-token log-probabilities of the answer, in order; empty when not returned. */
  public List<TokenLogprob> logprobs() {
    return logprobs;
  }

  /** Whether the server returned log-probabilities (an empty answer has none even when they were returned). */
  public boolean hasLogprobs() {
    return logprobsReturned;
  }

  /** The tool calls the model asked for, in order; empty when it asked for none. Unmodifiable. */
  public List<ToolCall> toolCalls() {
    return toolCalls;
  }

  /** Whether the model asked for tool calls. */
  public boolean hasToolCalls() {
    return !toolCalls.isEmpty();
  }

  /** OpenAI's {@code system_fingerprint}: the backend configuration that produced the answer, when sent. */
  public Optional<String> systemFingerprint() {
    return Optional.ofNullable(systemFingerprint);
  }

  /** OpenAI's {@code service_tier} that processed the request ({@code default}, {@code flex}, ...), when sent. */
  public Optional<String> serviceTier() {
    return Optional.ofNullable(serviceTier);
  }

  /** The model's refusal message ({@code message.refusal}), when it refused; {@link #text()} is then usually empty. */
  public Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  /**
   * This answer as the assistant message of a follow-up request: its text and, when there are any, its tool calls.
   */
  public ChatMessage asMessage() {
    return new ChatMessage(ChatMessage.ASSISTANT, text, toolCalls, null, null);
  }

  @Override
  public String toString() {
    return "ChatResponse{model=" + model + ", finishReason=" + finishReason + ", usage=" + usage + ", logprobTokens="
        + logprobs.size() + (toolCalls.isEmpty() ? "" : ", toolCalls=" + toolCalls) + ", text="
        + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "}";
  }

  /** Builds a {@link ChatResponse}. Not thread-safe. */
  public static final class Builder {
    private String id;
    private String model;
    private String text = "";
    private String finishReason;
    private Usage usage;
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private boolean logprobsReturned;
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private String systemFingerprint;
    private String serviceTier;
    private String refusal;

    private Builder() {}

    /** OpenAI's {@code system_fingerprint}, or null for none. */
    public Builder systemFingerprint(String value) {
      this.systemFingerprint = value;
      return this;
    }

    /** OpenAI's {@code service_tier}, or null for none. */
    public Builder serviceTier(String value) {
      this.serviceTier = value;
      return this;
    }

    /** The model's refusal message, or null for none. */
    public Builder refusal(String value) {
      this.refusal = value;
      return this;
    }

    public Builder id(String value) {
      this.id = value;
      return this;
    }

    public Builder model(String value) {
      this.model = Objects.requireNonNull(value, "model");
      return this;
    }

    public Builder text(String value) {
      this.text = Objects.requireNonNull(value, "text");
      return this;
    }

    public Builder finishReason(String value) {
      this.finishReason = value;
      return this;
    }

    public Builder usage(Usage value) {
      this.usage = Objects.requireNonNull(value, "usage");
      return this;
    }

    /** Sets the token log-probabilities and marks them as returned. */
    public Builder logprobs(List<TokenLogprob> values) {
      Objects.requireNonNull(values, "logprobs");
      logprobs.clear();
      logprobs.addAll(values);
      logprobsReturned = true;
      return this;
    }

    /** Sets the tool calls the model asked for (replacing any set before). */
    public Builder toolCalls(List<ToolCall> values) {
      Objects.requireNonNull(values, "toolCalls");
      List<ToolCall> copy = List.copyOf(values); // rejects null elements before anything changes
      toolCalls.clear();
      toolCalls.addAll(copy);
      return this;
    }

    /** @throws NullPointerException when model or usage is missing */
    public ChatResponse build() {
      return new ChatResponse(this);
    }
  }
}
