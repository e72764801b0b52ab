package dev.routellm.chat;

/**
 * A feature a request may need from the model that answers it. A router infers what a request needs (tools when it
 * carries tool definitions, JSON mode when it sets {@code response_format}, log-probabilities when it asks for them)
 * and a caller may require more per request.
 */
public enum Capability {
  /** Tool (function) definitions and tool calls. */
  TOOLS,
  /** Token log-probabilities. */
  LOGPROBS,
  /** {@code response_format}: JSON mode or a JSON schema. */
  JSON_MODE
}
