package dev.routellm.examples.server;

import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.ToolCall;
import dev.routellm.chat.Usage;
import dev.routellm.routing.Candidate;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.RoutingDecision;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI chat-completions wire format as the routing server speaks it: requests in, responses and stream chunks
 * out. Stateless and thread-safe.
 */
final class OpenAiWire {
  static final ObjectMapper JSON = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
  /** Reads requests: decimals stay {@link java.math.BigDecimal}, so pass-through numbers keep their digits. */
  static final ObjectMapper REQUESTS =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

  /** Decimal places of dollar amounts on the wire: a millionth of a cent, far below any real price difference. */
  static final int DOLLAR_DECIMALS = 12;

  private OpenAiWire() {}

  /** A parsed incoming request. */
  record Incoming(String model, ChatRequest request, boolean stream, boolean includeUsage) {}

  /**
   * A request the server cannot take, with the request field at fault ({@code param} in OpenAI's error shape) when
   * there is one.
   */
  static final class InvalidRequest extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final transient String param;
    final transient String code;

    InvalidRequest(String message, String param, String code) {
      super(message);
      this.param = param;
      this.code = code;
    }

    InvalidRequest(String message, String param) {
      this(message, param, null);
    }
  }

  /**
   * Parses a chat-completions body. A field the server reads (temperature, token limit, stop, log-probabilities,
   * stream) set to {@code null} counts as absent, as OpenAI's API takes it; every other field, {@code null} or not,
   * passes through untouched (numbers keep their digits). {@code max_tokens} and {@code max_completion_tokens} reach
   * the model under the name the client used. Tool calling passes through: {@code tools}, {@code tool_choice} and
   * {@code parallel_tool_calls} travel untouched as extra fields, assistant {@code tool_calls} and {@code tool}
   * messages as {@link ChatMessage}s. Legacy function calling ({@code functions}, {@code function_call}, role {@code
   * function}) is refused.
   *
   * @throws InvalidRequest naming the field at fault
   */
  static Incoming parse(String body) {
    JsonNode root;
    try {
      root = REQUESTS.readTree(body);
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      throw new InvalidRequest("request body is not valid JSON" + (at == null || at.getLineNr() < 0 ? ""
          : " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), null, "invalid_json");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidRequest("request body must be a JSON object", null);
    }
    String model = requiredString(root, "model");
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new InvalidRequest("'messages' must be a non-empty array", "messages");
    }
    ChatRequest.Builder b = ChatRequest.builder();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String where = "messages[" + i + "]";
      if (!m.isObject()) {
        throw new InvalidRequest("'" + where + "' must be an object", where);
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isString() || role.asString().isBlank()) {
        throw new InvalidRequest("'" + where + ".role' must be a non-empty string", where + ".role");
      }
      if (role.asString().equals("function") || present(m, "function_call")) {
        throw new InvalidRequest("'" + where + "' is part of a legacy function call; " + NO_FUNCTIONS, where);
      }
      b.message(message(m, role.asString(), where));
    }
    checkPrompt(messages);
    boolean stream = false;
    boolean includeUsage = false;
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      if (v.isNull() && TYPED.contains(name)) {
        continue;
      }
      try {
        switch (name) {
          case "model", "messages" -> {}
          case "temperature" -> b.temperature(number(v, name));
          case "max_tokens" -> {
            if (present(root, ChatRequest.MAX_COMPLETION_TOKENS)) {
              throw new InvalidRequest("give 'max_completion_tokens' or 'max_tokens', not both", name);
            }
            b.maxTokens(integer(v, name));
          }
          case ChatRequest.MAX_COMPLETION_TOKENS -> b.maxCompletionTokens(integer(v, name));
          case "stop" -> b.stop(stops(v));
          case "logprobs" -> b.logprobs(bool(v, name));
          case "top_logprobs" -> b.topLogprobs(integer(v, name));
          case "stream" -> stream = bool(v, name);
          case "stream_options" -> {
            if (!v.isObject()) {
              throw new InvalidRequest("'stream_options' must be an object but was " + v, name);
            }
            JsonNode usage = v.path("include_usage");
            includeUsage = !usage.isMissingNode() && !usage.isNull() && bool(usage, "stream_options.include_usage");
          }
          case "n" -> {
            if (integer(v, name) != 1) {
              throw new InvalidRequest("'n' must be 1: the router returns one answer", name);
            }
          }
          case "functions", "function_call" -> {
            if (!(v.isArray() && v.isEmpty())) {
              throw new InvalidRequest("'" + name + "': " + NO_FUNCTIONS, name);
            }
          }
          case "tools" -> {
            if (!(v.isArray() && v.isEmpty())) { // an empty list means no tools; OpenAI itself rejects []
              b.extra(name, REQUESTS.treeToValue(v, Object.class));
            }
          }
          default -> b.extra(name, REQUESTS.treeToValue(v, Object.class));
        }
      } catch (InvalidRequest e) {
        throw e;
      } catch (IllegalArgumentException e) {
        // the ChatRequest builder's range checks: same message, with the field named for OpenAI's error shape
        throw new InvalidRequest("'" + name + "': " + e.getMessage(), name);
      }
    }
    return new Incoming(model, b.build(), stream, includeUsage);
  }

  /**
   * Refuses a request whose prompt (the last user message, else the last message: {@link ChatRequest}'s rule) is
   * empty or whitespace only, as the library does, naming that message's content.
   */
  private static void checkPrompt(JsonNode messages) {
    int prompt = messages.size() - 1;
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (ChatMessage.USER.equals(messages.get(i).path("role").asString(""))) {
        prompt = i;
        break;
      }
    }
    String field = "messages[" + prompt + "].content";
    JsonNode content = messages.get(prompt).get("content");
    if (content == null || content.isNull() || content(content, "messages[" + prompt + "]").isBlank()) {
      throw new InvalidRequest("'" + field + "' is empty or whitespace only, but it is the prompt (the last user"
          + " message): there is nothing to answer or route", field);
    }
  }


  /** Fields read here, which count as absent when {@code null}; every other field passes through as sent. */
  private static final java.util.Set<String> TYPED = java.util.Set.of("temperature", "max_tokens",
      ChatRequest.MAX_COMPLETION_TOKENS, "stop", "logprobs", "top_logprobs", "stream", "stream_options", "n",
      "functions", "function_call");

  private static final String NO_FUNCTIONS =
      "legacy function calling ('functions', 'function_call', role 'function', 'function_call' on a message) is not"
          + " supported by this routing server; use 'tools' and 'tool_choice'";

  /**
   * One message: text, and for tool calling an assistant's {@code tool_calls} or a tool result's
   * {@code tool_call_id} (required for role {@code tool}, as OpenAI requires it), with the optional {@code name}.
   */
  private static ChatMessage message(JsonNode m, String role, String where) {
    String content = content(m.get("content"), where);
    List<ToolCall> calls = List.of();
    JsonNode toolCalls = m.get("tool_calls");
    if (toolCalls != null && !toolCalls.isNull()) {
      if (!role.equals(ChatMessage.ASSISTANT)) {
        throw new InvalidRequest("'" + where + ".tool_calls' is only allowed on an assistant message but the role"
            + " was '" + role + "'", where + ".tool_calls");
      }
      calls = toolCalls(toolCalls, where + ".tool_calls");
    }
    String toolCallId = null;
    if (role.equals(ChatMessage.TOOL)) {
      JsonNode id = m.get("tool_call_id");
      if (id == null || !id.isString() || id.asString().isBlank()) {
        throw new InvalidRequest("'" + where + ".tool_call_id' must be a non-empty string for a tool message but was "
            + id, where + ".tool_call_id");
      }
      toolCallId = id.asString();
    }
    JsonNode name = m.get("name");
    String speaker = name != null && name.isString() && !name.asString().isBlank() ? name.asString() : null;
    try {
      return new ChatMessage(role, content, calls, toolCallId, speaker);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequest("'" + where + "': " + e.getMessage(), where);
    }
  }

  private static List<ToolCall> toolCalls(JsonNode calls, String where) {
    if (!calls.isArray()) {
      throw new InvalidRequest("'" + where + "' must be an array but was " + calls, where);
    }
    List<ToolCall> out = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      JsonNode c = calls.get(i);
      String at = where + "[" + i + "]";
      JsonNode id = c.path("id");
      JsonNode fn = c.path("function");
      JsonNode name = fn.path("name");
      JsonNode arguments = fn.path("arguments");
      if (!id.isString() || id.asString().isBlank()) {
        throw new InvalidRequest("'" + at + ".id' must be a non-empty string but was " + id, at + ".id");
      }
      if (!name.isString() || name.asString().isBlank()) {
        throw new InvalidRequest("'" + at + ".function.name' must be a non-empty string but was " + name,
            at + ".function.name");
      }
      if (!arguments.isString()) {
        throw new InvalidRequest("'" + at + ".function.arguments' must be a string (JSON text) but was " + arguments,
            at + ".function.arguments");
      }
      String type = c.path("type").isString() ? c.path("type").asString() : ToolCall.FUNCTION;
      out.add(new ToolCall(id.asString(), type, name.asString(), arguments.asString()));
    }
    return out;
  }

  private static boolean present(JsonNode object, String field) {
    JsonNode v = object.get(field);
    return v != null && !v.isNull() && !(v.isArray() && v.isEmpty());
  }

  private static String content(JsonNode content, String where) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isString()) {
      return content.asString();
    }
    if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content) {
        if (!"text".equals(part.path("type").asString(""))) {
          throw new InvalidRequest(
              "'" + where + ".content' has a part of type '" + part.path("type").asString("?")
                  + "'; only text parts are supported", where + ".content");
        }
        text.append(part.path("text").asString(""));
      }
      return text.toString();
    }
    throw new InvalidRequest("'" + where + ".content' must be a string or an array of text parts", where + ".content");
  }

  private static String requiredString(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || !v.isString() || v.asString().isBlank()) {
      throw new InvalidRequest("'" + field + "' must be a non-empty string", field);
    }
    return v.asString();
  }

  private static double number(JsonNode v, String field) {
    if (!v.isNumber()) {
      throw new InvalidRequest("'" + field + "' must be a number but was " + v, field);
    }
    return v.asDouble();
  }

  private static int integer(JsonNode v, String field) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new InvalidRequest("'" + field + "' must be a whole number (32-bit) but was " + v, field);
    }
    return v.asInt();
  }

  private static boolean bool(JsonNode v, String field) {
    if (!v.isBoolean()) {
      throw new InvalidRequest("'" + field + "' must be true or false but was " + v, field);
    }
    return v.asBoolean();
  }

  private static List<String> stops(JsonNode v) {
    if (v.isNull()) {
      return List.of();
    }
    if (v.isString()) {
      return List.of(v.asString());
    }
    if (v.isArray()) {
      List<String> out = new ArrayList<>();
      for (JsonNode s : v) {
        if (!s.isString()) {
          throw new InvalidRequest("'stop' must be a string or an array of strings but was " + v, "stop");
        }
        out.add(s.asString());
      }
      return out;
    }
    throw new InvalidRequest("'stop' must be a string or an array of strings but was " + v, "stop");
  }

  /** A complete chat.completion object, with the routing decision under {@code routing}. */
  static ObjectNode completion(String id, long created, RoutedResponse routed) {
    ChatResponse r = routed.response();
    ObjectNode root = JSON.createObjectNode();
    root.put("id", id);
    root.put("object", "chat.completion");
    root.put("created", created);
    root.put("model", routed.answeredBy()); // the pool's name, as in streamed chunks; the upstream's id is in routing
    upstreamFields(root, r);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", ChatMessage.ASSISTANT);
    if (r.hasToolCalls() && r.text().isEmpty()) {
      message.putNull("content");
      toolCalls(message.putArray("tool_calls"), r.toolCalls(), false);
    } else {
      message.put("content", r.text());
      if (r.hasToolCalls()) {
        toolCalls(message.putArray("tool_calls"), r.toolCalls(), false);
      }
    }
    message.put("refusal", r.refusal().orElse(null));
    if (r.hasLogprobs()) {
      logprobs(choice.putObject("logprobs"), r.logprobs());
    } else {
      choice.putNull("logprobs");
    }
    choice.put("finish_reason", r.finishReason().orElse("stop"));
    usage(root.putObject("usage"), r.usage());
    routing(root.putObject("routing"), routed);
    return root;
  }

  /** OpenAI's {@code system_fingerprint} and {@code service_tier}, when the model's server sent them. */
  private static void upstreamFields(ObjectNode root, ChatResponse r) {
    r.systemFingerprint().ifPresent(f -> root.put("system_fingerprint", f));
    r.serviceTier().ifPresent(t -> root.put("service_tier", t));
  }

  /** A streamed chunk carrying a piece of text (or only the role, when {@code text} is null). */
  static ObjectNode chunk(String id, long created, String model, String text) {
    ObjectNode root = chunkBase(id, created, model);
    ObjectNode delta = ((ObjectNode) root.get("choices").get(0)).putObject("delta");
    if (text == null) {
      delta.put("role", ChatMessage.ASSISTANT);
    } else {
      delta.put("content", text);
    }
    return root;
  }

  /**
   * A streamed chunk carrying the answer's tool calls, complete, each with its {@code index}: OpenAI streams them in
   * fragments, but a delta holding whole calls is valid and clients accumulate it the same way.
   */
  static ObjectNode toolCallsChunk(String id, long created, String model, List<ToolCall> calls) {
    ObjectNode root = chunkBase(id, created, model);
    ObjectNode delta = ((ObjectNode) root.get("choices").get(0)).putObject("delta");
    toolCalls(delta.putArray("tool_calls"), calls, true);
    return root;
  }

  /** Tool calls in OpenAI's shape, with {@code index} when {@code indexed} (stream deltas). */
  private static void toolCalls(ArrayNode array, List<ToolCall> calls, boolean indexed) {
    for (int i = 0; i < calls.size(); i++) {
      ToolCall c = calls.get(i);
      ObjectNode call = array.addObject();
      if (indexed) {
        call.put("index", i);
      }
      call.put("id", c.id()).put("type", c.type());
      call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
    }
  }

  /**
   * The chunk that ends the answer: the finish reason, the answer's log-probabilities when it has them (clients
   * append each chunk's {@code logprobs.content}, so they arrive whole here), its refusal in the delta when it
   * refused, and {@code system_fingerprint}/{@code service_tier} when the model's server sent them. Carries the
   * routing decision unless a usage chunk follows ({@link #usageChunk}), which then carries it.
   *
   * @param model the model named on every chunk of this stream
   */
  static ObjectNode finishChunk(String id, long created, String model, RoutedResponse routed, boolean usageFollows) {
    ChatResponse r = routed.response();
    ObjectNode root = chunkBase(id, created, model);
    upstreamFields(root, r);
    ObjectNode choice = (ObjectNode) root.get("choices").get(0);
    ObjectNode delta = choice.putObject("delta");
    r.refusal().ifPresent(refusal -> delta.put("refusal", refusal));
    if (r.hasLogprobs()) {
      logprobs(choice.putObject("logprobs"), r.logprobs());
    }
    choice.put("finish_reason", r.finishReason().orElse("stop"));
    if (!usageFollows) {
      routing(root.putObject("routing"), routed);
    }
    return root;
  }

  /**
   * The last chunk when the client asked for {@code stream_options.include_usage}: as OpenAI sends it, empty
   * {@code choices} and the usage of the whole answer; the routing decision too.
   */
  static ObjectNode usageChunk(String id, long created, String model, RoutedResponse routed) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", id);
    root.put("object", "chat.completion.chunk");
    root.put("created", created);
    root.put("model", model);
    upstreamFields(root, routed.response());
    root.putArray("choices");
    usage(root.putObject("usage"), routed.response().usage());
    routing(root.putObject("routing"), routed);
    return root;
  }

  private static ObjectNode chunkBase(String id, long created, String model) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", id);
    root.put("object", "chat.completion.chunk");
    root.put("created", created);
    root.put("model", model);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putNull("finish_reason");
    return root;
  }

  /**
   * An error body that both kinds of client read: OpenAI's {@code {"error":{"message","type","param","code"}}}, which
   * the official SDKs parse (the JavaScript one reads nothing else), and, beside it, the same fields at the top level
   * with {@code "object":"error"}, RouteLLM's and vLLM's shape. Also sent as an event when a stream fails after it
   * started: the SDKs raise an error for an event with an {@code error} field.
   *
   * @param param the request field at fault, or null
   * @param code a machine-readable code ({@code model_not_found}, {@code invalid_api_key}, ...), or null
   */
  static ObjectNode error(String message, String type, String param, String code) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    for (ObjectNode n : List.of(error, root)) {
      n.put("message", message);
      n.put("type", type);
      n.put("param", param);
      n.put("code", code);
    }
    root.put("object", "error");
    return root;
  }

  /** {@link #error(String, String, String, String)} without param and code. */
  static ObjectNode error(String message, String type) {
    return error(message, type, null, null);
  }

  /**
   * A dollar amount as a plain decimal number rounded to {@value #DOLLAR_DECIMALS} places: {@code 0.0002256}, not the
   * binary artefact {@code 2.2559999999999998E-4}.
   *
   * @throws IllegalArgumentException when {@code value} is not finite
   */
  static BigDecimal dollars(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("a dollar amount must be finite but was " + value);
    }
    BigDecimal d = BigDecimal.valueOf(value).setScale(DOLLAR_DECIMALS, RoundingMode.HALF_EVEN).stripTrailingZeros();
    return d.signum() == 0 ? BigDecimal.ZERO : d;
  }

  private static void usage(ObjectNode node, Usage usage) {
    node.put("prompt_tokens", usage.promptTokens());
    node.put("completion_tokens", usage.completionTokens());
    node.put("total_tokens", usage.totalTokens());
    if (usage.estimated()) {
      node.put("estimated", true);
    }
  }

  private static void logprobs(ObjectNode node, List<TokenLogprob> tokens) {
    ArrayNode content = node.putArray("content");
    for (TokenLogprob t : tokens) {
      ObjectNode e = content.addObject();
      e.put("token", t.token());
      e.put("logprob", t.logprob());
      bytes(e, t.bytes());
      ArrayNode top = e.putArray("top_logprobs");
      for (TokenLogprob.Alternative a : t.alternatives()) {
        bytes(top.addObject().put("token", a.token()).put("logprob", a.logprob()), a.bytes());
      }
    }
    node.putNull("refusal");
  }

  /** OpenAI's {@code bytes}: the list, or {@code null} when the model's server sent none. */
  private static void bytes(ObjectNode entry, List<Integer> bytes) {
    if (bytes.isEmpty()) {
      entry.putNull("bytes");
    } else {
      ArrayNode array = entry.putArray("bytes");
      bytes.forEach(array::add);
    }
  }

  /**
   * {@code "strong"} when the answering model is the most expensive candidate for this request, else {@code "weak"}:
   * the two-model reading, which the chat page colours by.
   */
  static String tier(RoutedResponse routed) {
    String priciest = routed.decision().candidates().stream()
        .max(java.util.Comparator.comparingDouble(Candidate::expectedCost))
        .map(Candidate::model).orElse(routed.answeredBy());
    return routed.answeredBy().equals(priciest) ? "strong" : "weak";
  }

  static void routing(ObjectNode node, RoutedResponse routed) {
    RoutingDecision d = routed.decision();
    node.put("router", d.router());
    node.put("chosen_model", d.model());
    // the pool's name, as chosen_model, the candidates and the answer's "model"; upstream_model is the id the
    // upstream itself reported (a dated version, say), absent when it reported none
    node.put("answered_by", routed.answeredBy());
    String upstream = routed.response().model();
    if (upstream != null && !upstream.isEmpty()) {
      node.put("upstream_model", upstream);
    }
    node.put("tier", tier(routed));
    node.put("rule", d.rule());
    if (Double.isFinite(d.score())) {
      node.put("score", d.score());
    } else {
      node.putNull("score"); // a cascade's provisional decision has none; NaN is no JSON number
    }
    if (Double.isFinite(d.threshold())) {
      node.put("threshold", d.threshold());
    } else {
      node.putNull("threshold"); // quality-cost compares no threshold
    }
    node.put("reason", d.reason());
    node.put("fell_back", routed.fellBack());
    node.put("cost_usd", dollars(routed.cost()));
    node.put("decision_ms", d.decisionTime().toNanos() / 1e6);
    ArrayNode candidates = node.putArray("candidates");
    for (Candidate c : d.candidates()) { // the models considered, with what each was expected to cost
      ObjectNode n = candidates.addObject().put("model", c.model());
      if (Double.isFinite(c.predictedQuality())) {
        n.put("predicted_quality", c.predictedQuality());
      } else {
        n.putNull("predicted_quality");
      }
      n.put("expected_cost_usd", dollars(c.expectedCost()));
      n.put("excluded", c.excluded().orElse(null));
    }
    ArrayNode calls = node.putArray("calls");
    for (ModelCall c : routed.calls()) { // what each model call cost; a failure without its internal details
      calls.addObject()
          .put("model", c.model())
          .put("role", c.role().name().toLowerCase(java.util.Locale.ROOT))
          .put("succeeded", c.succeeded())
          .put("prompt_tokens", c.usage().promptTokens())
          .put("completion_tokens", c.usage().completionTokens())
          .put("cost_usd", dollars(c.cost()))
          .put("latency_ms", c.latency().toNanos() / 1e6);
    }
  }
}
