package dev.routellm;

import java.util.Objects;

/**
 * The error object an OpenAI-compatible server answered with: OpenAI's {@code {"error": {"message", "type", "param",
 * "code"}}}, or vLLM's flat {@code {"object": "error", "message", "type", "param", "code"}}. Kept on a {@link
 * BackendException} so that a proxy can pass a client's mistake (HTTP 400, such as a context length exceeded) back
 * with the server's own type and code. Immutable.
 *
 * @param message the server's message; never null
 * @param type the error type ({@code invalid_request_error}, ...), or null
 * @param code the machine-readable code ({@code context_length_exceeded}, ...), or null; a numeric code is kept as
 *     its text
 * @param param the request field at fault, or null
 */
public record ServerError(String message, String type, String code, String param) {
  public ServerError {
    Objects.requireNonNull(message, "message");
  }
}
