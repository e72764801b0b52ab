package dev.routellm.examples.server;

import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.Usage;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.RoutingDecision;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamWriteFeature;
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

  /** Decimal places of dollar amounts on the wire: a millionth of a cent, far below any real price difference. */
  static final int DOLLAR_DECIMALS = 12;

  private OpenAiWire() {}

  /** A parsed incoming request. */
  record Incoming(String model, ChatRequest request, boolean stream, boolean includeUsage) {}

  /**
   * Parses a chat-completions body.
   *
   * @throws IllegalArgumentException naming the field at fault
   */
  static Incoming parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("request body must be a JSON object");
    }
    String model = requiredString(root, "model");
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new IllegalArgumentException("'messages' must be a non-empty array");
    }
    ChatRequest.Builder b = ChatRequest.builder();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String where = "messages[" + i + "]";
      if (!m.isObject()) {
        throw new IllegalArgumentException("'" + where + "' must be an object");
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isString() || role.asString().isBlank()) {
        throw new IllegalArgumentException("'" + where + ".role' must be a non-empty string");
      }
      b.message(new ChatMessage(role.asString(), content(m.get("content"), where)));
    }
    boolean stream = false;
    boolean includeUsage = false;
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      switch (name) {
        case "model", "messages" -> {}
        case "temperature" -> b.temperature(number(v, name));
        case "max_tokens", "max_completion_tokens" -> b.maxTokens((int) number(v, name));
        case "stop" -> b.stop(stops(v));
        case "logprobs" -> b.logprobs(bool(v, name));
        case "top_logprobs" -> b.topLogprobs((int) number(v, name));
        case "stream" -> stream = bool(v, name);
        case "stream_options" -> includeUsage = v.isObject() && v.path("include_usage").asBoolean(false);
        case "n" -> {
          if (number(v, name) != 1) {
            throw new IllegalArgumentException("'n' must be 1: the router returns one answer");
          }
        }
        default -> b.extra(name, JSON.treeToValue(v, Object.class));
      }
    }
    return new Incoming(model, b.build(), stream, includeUsage);
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
          throw new IllegalArgumentException(
              "'" + where + ".content' has a part of type '" + part.path("type").asString("?")
                  + "'; only text parts are supported");
        }
        text.append(part.path("text").asString(""));
      }
      return text.toString();
    }
    throw new IllegalArgumentException("'" + where + ".content' must be a string or an array of text parts");
  }

  private static String requiredString(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || !v.isString() || v.asString().isBlank()) {
      throw new IllegalArgumentException("'" + field + "' must be a non-empty string");
    }
    return v.asString();
  }

  private static double number(JsonNode v, String field) {
    if (!v.isNumber()) {
      throw new IllegalArgumentException("'" + field + "' must be a number but was " + v);
    }
    return v.asDouble();
  }

  private static boolean bool(JsonNode v, String field) {
    if (!v.isBoolean()) {
      throw new IllegalArgumentException("'" + field + "' must be true or false but was " + v);
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
      v.forEach(s -> out.add(s.asString()));
      return out;
    }
    throw new IllegalArgumentException("'stop' must be a string or an array of strings but was " + v);
  }

  /** A complete chat.completion object, with the routing decision under {@code routing}. */
  static ObjectNode completion(String id, long created, RoutedResponse routed) {
    ChatResponse r = routed.response();
    ObjectNode root = JSON.createObjectNode();
    root.put("id", id);
    root.put("object", "chat.completion");
    root.put("created", created);
    root.put("model", r.model());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", ChatMessage.ASSISTANT);
    message.put("content", r.text());
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

  /** The last streamed chunk: finish reason, usage when asked for, and the routing decision. */
  static ObjectNode finalChunk(String id, long created, RoutedResponse routed, boolean includeUsage) {
    ObjectNode root = chunkBase(id, created, routed.response().model());
    ObjectNode choice = (ObjectNode) root.get("choices").get(0);
    choice.putObject("delta");
    choice.put("finish_reason", routed.response().finishReason().orElse("stop"));
    if (includeUsage) {
      usage(root.putObject("usage"), routed.response().usage());
    }
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

  /** RouteLLM's error shape: {@code {"object":"error","message":...}}. */
  static ObjectNode error(String message, String type) {
    ObjectNode root = JSON.createObjectNode();
    root.put("object", "error");
    root.put("message", message);
    root.put("type", type);
    return root;
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
      ArrayNode top = e.putArray("top_logprobs");
      for (TokenLogprob.Alternative a : t.alternatives()) {
        top.addObject().put("token", a.token()).put("logprob", a.logprob());
      }
    }
  }

  static void routing(ObjectNode node, RoutedResponse routed) {
    RoutingDecision d = routed.decision();
    node.put("router", d.router());
    node.put("chosen_model", d.model());
    node.put("answered_by", routed.response().model());
    node.put("tier", routed.answeredBy().name().toLowerCase(java.util.Locale.ROOT));
    node.put("score", d.score());
    node.put("threshold", d.threshold());
    node.put("reason", d.reason());
    node.put("fell_back", routed.fellBack());
    node.put("cost_usd", dollars(routed.cost()));
    node.put("decision_ms", d.decisionTime().toNanos() / 1e6);
  }
}
