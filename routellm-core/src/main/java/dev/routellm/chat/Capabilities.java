package dev.routellm.chat;

/**
 * What a {@link ModelBackend} supports.
 *
 * @param logprobs the endpoint returns token log-probabilities when asked
 * @param streamingUsage the endpoint reports token usage at the end of a stream ({@code stream_options.include_usage})
 */
public record Capabilities(boolean logprobs, boolean streamingUsage) {
  /** An OpenAI-compatible server with both features (OpenAI, vLLM, llama.cpp's server). */
  public static final Capabilities ALL = new Capabilities(true, true);
}
