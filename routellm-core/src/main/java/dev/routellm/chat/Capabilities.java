package dev.routellm.chat;

/**
 * What a {@link ModelBackend} supports. A router never sends a request to a model whose capabilities cannot serve it
 * (a request with tools to a model without tools, a prompt longer than the model's context). Immutable.
 *
 * @param logprobs the endpoint returns token log-probabilities when asked
 * @param streamingUsage the endpoint reports token usage at the end of a stream ({@code stream_options.include_usage})
 * @param tools the model accepts tool (function) definitions and answers with tool calls
 * @param jsonMode the model accepts {@code response_format} (JSON mode or a JSON schema)
 * @param contextTokens the model's context length in tokens (prompt and answer together), {@code > 0};
 *     {@link #UNKNOWN_CONTEXT} when not known, in which case no prompt is refused for its length
 */
public record Capabilities(
    boolean logprobs, boolean streamingUsage, boolean tools, boolean jsonMode, int contextTokens) {
  /** Context length meaning "not known": no prompt is refused for its length. */
  public static final int UNKNOWN_CONTEXT = Integer.MAX_VALUE;

  /**
   * An OpenAI-compatible server with every feature and no declared context length (OpenAI, vLLM, llama.cpp's
   * server). Declare less with the {@code with...} methods when a model lacks a feature.
   */
  public static final Capabilities ALL = new Capabilities(true, true, true, true, UNKNOWN_CONTEXT);

  public Capabilities {
    if (contextTokens <= 0) {
      throw new IllegalArgumentException("contextTokens must be > 0 but was " + contextTokens);
    }
  }

  /**
   * Log-probability and streaming-usage support as given; tools and JSON mode assumed, context length unknown.
   */
  public Capabilities(boolean logprobs, boolean streamingUsage) {
    this(logprobs, streamingUsage, true, true, UNKNOWN_CONTEXT);
  }

  /** A copy with log-probability support set. */
  public Capabilities withLogprobs(boolean value) {
    return new Capabilities(value, streamingUsage, tools, jsonMode, contextTokens);
  }

  /** A copy with streaming-usage support set. */
  public Capabilities withStreamingUsage(boolean value) {
    return new Capabilities(logprobs, value, tools, jsonMode, contextTokens);
  }

  /** A copy with tool support set. */
  public Capabilities withTools(boolean value) {
    return new Capabilities(logprobs, streamingUsage, value, jsonMode, contextTokens);
  }

  /** A copy with JSON-mode support set. */
  public Capabilities withJsonMode(boolean value) {
    return new Capabilities(logprobs, streamingUsage, tools, value, contextTokens);
  }

  /**
   * A copy with the context length set.
   *
   * @throws IllegalArgumentException when {@code tokens} is not {@code > 0}
   */
  public Capabilities withContextTokens(int tokens) {
    return new Capabilities(logprobs, streamingUsage, tools, jsonMode, tokens);
  }

  /** Whether this has {@code capability}. */
  public boolean has(Capability capability) {
    return switch (capability) {
      case LOGPROBS -> logprobs;
      case TOOLS -> tools;
      case JSON_MODE -> jsonMode;
    };
  }
}
