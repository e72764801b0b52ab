package dev.routellm.chat;

import java.util.Objects;

/**
 * One call of a tool that a model asked for, as in OpenAI's {@code tool_calls[]}: an id that the tool's result refers
 * to ({@link ChatMessage#tool(String, String)}), the call's type ({@value #FUNCTION}, the only one OpenAI defines for
 * chat completions), the function's name and its arguments. Immutable and thread-safe.
 *
 * <p>The arguments are the raw JSON text the model wrote, not parsed: models do write invalid JSON, and the
 * application that runs the tool is the one to decide what to do then.
 *
 * @param id the call's id ({@code call_...}); never blank
 * @param type the kind of tool; never blank, {@value #FUNCTION} for function calls
 * @param name the function's name; never blank
 * @param arguments the arguments as the model wrote them, normally a JSON object; never {@code null}, may be empty
 */
public record ToolCall(String id, String type, String name, String arguments) {
  /** The type of a function call, the only tool type of OpenAI's chat completions. */
  public static final String FUNCTION = "function";

  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arguments, "arguments");
    if (id.isBlank()) {
      throw new IllegalArgumentException("tool call id must not be blank but was '" + id + "'");
    }
    if (type.isBlank()) {
      throw new IllegalArgumentException("tool call type must not be blank but was '" + type + "'");
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("tool call '" + id + "' must name a function but the name was '" + name
          + "'");
    }
  }

  /** A call of the function {@code name} with {@code arguments} (raw JSON text). */
  public static ToolCall function(String id, String name, String arguments) {
    return new ToolCall(id, FUNCTION, name, arguments);
  }
}
