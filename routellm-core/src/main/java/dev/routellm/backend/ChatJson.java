package dev.routellm.backend;

import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ToolCall;
import dev.routellm.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Maps {@link ChatRequest} to the chat completions JSON body and the JSON answer back to {@link ChatResponse}. */
final class ChatJson {
  private ChatJson() {}

  /** How a request is sent: the server's model name and what the server supports. */
  record Wire(String model, boolean logprobsSupported, boolean streamingUsage, boolean maxCompletionTokens) {}

  /** The JSON body of a chat completions request. */
  static ObjectNode requestBody(ChatRequest request, Wire wire, boolean stream) {
    ObjectNode body = OpenAiHttp.MAPPER.createObjectNode();
    body.put("model", wire.model());
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage m : request.messages()) {
      message(messages.addObject(), m);
    }
    request.temperature().ifPresent(t -> body.put("temperature", t));
    String maxTokensField = request.maxTokensField()
        .orElse(wire.maxCompletionTokens() ? ChatRequest.MAX_COMPLETION_TOKENS : "max_tokens");
    request.maxTokens().ifPresent(n -> body.put(maxTokensField, n));
    if (!request.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop");
      request.stop().forEach(stop::add);
    }
    if (request.logprobs() && wire.logprobsSupported()) {
      body.put("logprobs", true);
      if (request.topLogprobs() > 0) { // only when asked: callers that need alternatives (a cascade) ask for them
        body.put("top_logprobs", request.topLogprobs());
      }
    }
    request.extra().forEach((name, value) -> body.set(name, toJson(value, name)));
    if (stream) {
      body.put("stream", true);
      if (wire.streamingUsage()) {
        body.putObject("stream_options").put("include_usage", true);
      }
    }
    return body;
  }

  /**
   * One message as OpenAI's wire format has it: an assistant message holding only tool calls has {@code content:
   * null}, as OpenAI sends it; {@code tool_calls}, {@code tool_call_id} and {@code name} only when present.
   */
  static ObjectNode message(ObjectNode node, ChatMessage m) {
    node.put("role", m.role());
    if (m.hasToolCalls() && m.content().isEmpty()) {
      node.putNull("content");
    } else {
      node.put("content", m.content());
    }
    if (m.hasToolCalls()) {
      toolCalls(node.putArray("tool_calls"), m.toolCalls(), false);
    }
    if (m.toolCallId() != null) {
      node.put("tool_call_id", m.toolCallId());
    }
    if (m.name() != null) {
      node.put("name", m.name());
    }
    return node;
  }

  /**
   * Tool calls as OpenAI's {@code tool_calls[]}: {@code {id, type, function: {name, arguments}}}, each with its
   * {@code index} first when {@code indexed} (the shape of a streamed {@code delta.tool_calls}).
   */
  static ArrayNode toolCalls(ArrayNode array, List<ToolCall> calls, boolean indexed) {
    for (int i = 0; i < calls.size(); i++) {
      ToolCall c = calls.get(i);
      ObjectNode call = array.addObject();
      if (indexed) {
        call.put("index", i);
      }
      call.put("id", c.id()).put("type", c.type());
      call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
    }
    return array;
  }

  /**
   * Reads {@code message.tool_calls}: a missing or null field is no calls. Arguments sent as a JSON object rather than
   * a string (Ollama's native shape) are kept as their JSON text.
   *
   * @throws ResponseFormatException when a call has no id or no function name
   */
  static List<ToolCall> parseToolCalls(JsonNode calls) {
    if (calls.isMissingNode() || calls.isNull()) {
      return List.of();
    }
    if (!calls.isArray()) {
      throw new ResponseFormatException(
          "expected tool_calls to be an array but was " + OpenAiHttp.quote(calls.toString(), 200));
    }
    List<ToolCall> out = new ArrayList<>(calls.size());
    for (int i = 0; i < calls.size(); i++) {
      JsonNode call = calls.get(i);
      String id = text(call.path("id"));
      String type = text(call.path("type"));
      String name = text(call.path("function").path("name"));
      if (id == null || name == null) {
        throw new ResponseFormatException("tool_calls[" + i + "] needs an id and a function name but was "
            + OpenAiHttp.quote(call.toString(), 200));
      }
      out.add(new ToolCall(id, type == null ? ToolCall.FUNCTION : type, name, arguments(call.path("function")
          .path("arguments"))));
    }
    return out;
  }

  /** A call's arguments as text: the string itself, a JSON object's text, or empty when absent. */
  static String arguments(JsonNode arguments) {
    if (arguments.isString()) {
      return arguments.stringValue();
    }
    return arguments.isMissingNode() || arguments.isNull() ? "" : arguments.toString();
  }

  /** What a model wrote: the text and the tool calls' names and arguments, for estimating usage. */
  static String answerText(String text, List<ToolCall> calls) {
    if (calls.isEmpty()) {
      return text;
    }
    StringBuilder s = new StringBuilder(text);
    for (ToolCall c : calls) {
      s.append('\n').append(c.name()).append(' ').append(c.arguments());
    }
    return s.toString();
  }

  /**
   * A JSON-like value ({@code null}, {@link String}, {@link Number}, {@link Boolean}, {@link List}, {@link Map} with
   * string keys, or a Jackson {@link JsonNode}) as a tree. Anything else is refused rather than serialised as a bean.
   *
   * @param path where the value sits, for the message
   */
  static JsonNode toJson(Object value, String path) {
    JsonNodeFactory f = OpenAiHttp.MAPPER.getNodeFactory();
    if (value == null) {
      return f.nullNode();
    }
    if (value instanceof JsonNode node) {
      return node;
    }
    if (value instanceof String s) {
      return f.stringNode(s);
    }
    if (value instanceof Boolean b) {
      return f.booleanNode(b);
    }
    if (value instanceof Number n) {
      return OpenAiHttp.MAPPER.valueToTree(n);
    }
    if (value instanceof List<?> list) {
      ArrayNode array = f.arrayNode();
      for (int i = 0; i < list.size(); i++) {
        array.add(toJson(list.get(i), path + "[" + i + "]"));
      }
      return array;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = f.objectNode();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "extra field '" + path + "' has a map key that is not a string: " + e.getKey());
        }
        object.set(key, toJson(e.getValue(), path + "." + key));
      }
      return object;
    }
    throw new IllegalArgumentException(
        "extra field '" + path + "' holds a " + value.getClass().getName()
            + ", which is not JSON-like (null, String, Number, Boolean, List, Map or JsonNode)");
  }

  /** The whole prompt as text, for estimating usage when the server reports none. */
  static String promptText(ChatRequest request) {
    return request.messages().stream()
        .map(m -> answerText(m.content(), m.toolCalls()))
        .collect(Collectors.joining("\n"));
  }

  /**
   * Reads a (non-streamed) chat completion.
   *
   * @param fallbackModel the model named when the answer does not say
   * @throws ResponseFormatException when there is no {@code choices[0].message}
   */
  static ChatResponse response(JsonNode root, ChatRequest request, String fallbackModel) {
    if (!root.isObject()) {
      throw new ResponseFormatException("answer is JSON but not an object: " + OpenAiHttp.quote(root.toString(), 200));
    }
    if (root.path("error").isObject() || root.path("error").isString()) {
      throw new ResponseFormatException("answer is an error: " + OpenAiHttp.serverMessage(root.toString()));
    }
    JsonNode choice = root.path("choices").path(0);
    JsonNode message = choice.path("message");
    if (!message.isObject()) {
      throw new ResponseFormatException(
          "answer has no choices[0].message; it was: " + OpenAiHttp.quote(root.toString(), 300));
    }
    String text = message.path("content").isString() ? message.path("content").stringValue() : "";
    List<ToolCall> calls = parseToolCalls(message.path("tool_calls"));
    ChatResponse.Builder b =
        ChatResponse.builder()
            .id(text(root.path("id")))
            .model(text(root.path("model")) != null ? text(root.path("model")) : fallbackModel)
            .text(text)
            .toolCalls(calls)
            .finishReason(text(choice.path("finish_reason")))
            .usage(usage(root.path("usage"), request, answerText(text, calls)))
            .systemFingerprint(text(root.path("system_fingerprint")))
            .serviceTier(text(root.path("service_tier")))
            .refusal(message.path("refusal").isString() ? message.path("refusal").stringValue() : null);
    JsonNode logprobs = choice.path("logprobs");
    if (logprobs.isMissingNode() || logprobs.isNull()) {
      logprobs = root.path("logprobs"); // Ollama's native shape
    }
    Logprobs.parse(logprobs, request.topLogprobs() > 0).ifPresent(b::logprobs);
    return b.build();
  }

  /** Reported usage, or an estimate from the texts when the server sent none. */
  static Usage usage(JsonNode usage, ChatRequest request, String answer) {
    JsonNode prompt = usage.path("prompt_tokens");
    JsonNode completion = usage.path("completion_tokens");
    if (prompt.canConvertToLong() && completion.canConvertToLong() && prompt.longValue() >= 0
        && completion.longValue() >= 0) {
      return Usage.of(prompt.longValue(), completion.longValue());
    }
    return Usage.estimate(promptText(request), answer);
  }

  /** A non-blank string value, or null. */
  static String text(JsonNode n) {
    return n.isString() && !n.stringValue().isBlank() ? n.stringValue() : null;
  }
}
