package dev.routellm.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.internal.JsonSchemaElementJsonUtils;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ToolCall;
import dev.routellm.chat.Usage;
import dev.routellm.routing.RoutedResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Converts requests and answers between LangChain4j's types and the library's, in both directions. Tools travel as
 * OpenAI function tools ({@code tools}, {@code tool_choice} in {@link ChatRequest#extra()}). Stateless.
 */
final class Conversions {
  private Conversions() {}

  // ---- LangChain4j -> RouteLLM -------------------------------------------------------------------------------

  /**
   * The library's request for a LangChain4j request.
   *
   * @throws IllegalArgumentException naming the message when it is of a kind the library cannot send (a user message
   *     with images or other non-text parts, a custom message)
   */
  static ChatRequest toRouteLlm(dev.langchain4j.model.chat.request.ChatRequest request) {
    ChatRequest.Builder b = ChatRequest.builder();
    List<dev.langchain4j.data.message.ChatMessage> messages = request.messages();
    for (int i = 0; i < messages.size(); i++) {
      b.message(message(messages.get(i), i));
    }
    ChatRequestParameters p = request.parameters();
    if (p.temperature() != null) {
      b.temperature(p.temperature());
    }
    if (p.maxOutputTokens() != null) {
      b.maxTokens(p.maxOutputTokens());
    }
    if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
      b.stop(p.stopSequences());
    }
    if (p.topP() != null) {
      b.extra("top_p", p.topP());
    }
    if (p.frequencyPenalty() != null) {
      b.extra("frequency_penalty", p.frequencyPenalty());
    }
    if (p.presencePenalty() != null) {
      b.extra("presence_penalty", p.presencePenalty());
    }
    if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
      List<Object> tools = new ArrayList<>();
      for (ToolSpecification spec : p.toolSpecifications()) {
        tools.add(tool(spec));
      }
      b.extra("tools", tools);
      if (p.toolChoice() != null) {
        b.extra("tool_choice", p.toolChoice().name().toLowerCase(Locale.ROOT));
      }
    }
    ResponseFormat format = p.responseFormat();
    if (format != null && format.type() == ResponseFormatType.JSON) {
      if (format.jsonSchema() == null) {
        b.extra("response_format", Map.of("type", "json_object"));
      } else {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("name", format.jsonSchema().name() == null ? "answer" : format.jsonSchema().name());
        schema.put("schema", JsonSchemaElementJsonUtils.toMap(format.jsonSchema().rootElement()));
        b.extra("response_format", Map.of("type", "json_schema", "json_schema", schema));
      }
    }
    return b.build();
  }

  private static ChatMessage message(dev.langchain4j.data.message.ChatMessage m, int index) {
    if (m instanceof SystemMessage s) {
      return ChatMessage.system(s.text());
    }
    if (m instanceof UserMessage u) {
      if (!u.hasSingleText()) {
        throw new IllegalArgumentException("message " + index + " is a user message with " + u.contents().size()
            + " parts (images, audio or files); the router sends text only");
      }
      return u.name() == null ? ChatMessage.user(u.singleText())
          : new ChatMessage(ChatMessage.USER, u.singleText(), List.of(), null, u.name());
    }
    if (m instanceof AiMessage a) {
      String text = a.text() == null ? "" : a.text();
      if (!a.hasToolExecutionRequests()) {
        return ChatMessage.assistant(text);
      }
      List<ToolCall> calls = new ArrayList<>();
      for (ToolExecutionRequest r : a.toolExecutionRequests()) {
        calls.add(new ToolCall(r.id(), "function", r.name(), r.arguments()));
      }
      return ChatMessage.assistant(text, calls);
    }
    if (m instanceof ToolExecutionResultMessage t) {
      return ChatMessage.tool(t.id(), t.toolName(), t.text());
    }
    throw new IllegalArgumentException("message " + index + " is a " + m.type() + " message, which the router cannot"
        + " send (system, user, AI and tool-result messages only)");
  }

  private static Map<String, Object> tool(ToolSpecification spec) {
    Map<String, Object> function = new LinkedHashMap<>();
    function.put("name", spec.name());
    if (spec.description() != null) {
      function.put("description", spec.description());
    }
    function.put("parameters", spec.parameters() == null
        ? Map.of("type", "object", "properties", Map.of())
        : JsonSchemaElementJsonUtils.toMap(spec.parameters()));
    if (Boolean.TRUE.equals(spec.strict())) {
      function.put("strict", true);
    }
    return Map.of("type", "function", "function", function);
  }

  // ---- RouteLLM -> LangChain4j -------------------------------------------------------------------------------

  /** LangChain4j's response for a routed answer, with the decision, calls and cost in the metadata. */
  static dev.langchain4j.model.chat.response.ChatResponse toLangChain4j(RoutedResponse routed) {
    ChatResponse r = routed.response();
    RoutedChatResponseMetadata metadata = RoutedChatResponseMetadata.builder()
        .id(r.id().orElse(null))
        .modelName(r.model())
        .tokenUsage(tokenUsage(r.usage()))
        .finishReason(finishReason(r.finishReason().orElse(null)))
        .routed(routed)
        .build();
    return dev.langchain4j.model.chat.response.ChatResponse.builder().aiMessage(aiMessage(r)).metadata(metadata)
        .build();
  }

  static AiMessage aiMessage(ChatResponse r) {
    if (!r.hasToolCalls()) {
      return AiMessage.from(r.text());
    }
    List<ToolExecutionRequest> requests = new ArrayList<>();
    for (ToolCall c : r.toolCalls()) {
      requests.add(ToolExecutionRequest.builder().id(c.id()).name(c.name()).arguments(c.arguments()).build());
    }
    return r.text().isEmpty() ? AiMessage.from(requests) : AiMessage.from(r.text(), requests);
  }

  static TokenUsage tokenUsage(Usage usage) {
    return new TokenUsage(Math.toIntExact(usage.promptTokens()), Math.toIntExact(usage.completionTokens()));
  }

  static FinishReason finishReason(String reason) {
    if (reason == null) {
      return null;
    }
    return switch (reason) {
      case "stop" -> FinishReason.STOP;
      case "length" -> FinishReason.LENGTH;
      case "tool_calls", "function_call" -> FinishReason.TOOL_EXECUTION;
      case "content_filter" -> FinishReason.CONTENT_FILTER;
      default -> FinishReason.OTHER;
    };
  }

  // ---- for LangChain4jBackend: RouteLLM request -> LangChain4j request, LangChain4j answer -> RouteLLM answer ----

  /**
   * LangChain4j's request for the library's: messages, temperature, max tokens, stop sequences and function tools
   * ({@code tools} and {@code tool_choice} from the extra fields). Other extra fields have no LangChain4j equivalent
   * and are not sent.
   */
  static dev.langchain4j.model.chat.request.ChatRequest toLangChain4j(ChatRequest request) {
    List<dev.langchain4j.data.message.ChatMessage> messages = new ArrayList<>();
    for (ChatMessage m : request.messages()) {
      messages.add(switch (m.role()) {
        case ChatMessage.SYSTEM -> SystemMessage.from(m.content());
        case ChatMessage.USER -> m.name() == null ? UserMessage.from(m.content()) : UserMessage.from(m.name(),
            m.content());
        case ChatMessage.ASSISTANT -> m.hasToolCalls()
            ? (m.content().isEmpty() ? AiMessage.from(requests(m.toolCalls()))
                : AiMessage.from(m.content(), requests(m.toolCalls())))
            : AiMessage.from(m.content());
        case ChatMessage.TOOL -> ToolExecutionResultMessage.from(m.toolCallId(), m.name(), m.content());
        default -> throw new IllegalArgumentException("a message with role '" + m.role() + "' has no LangChain4j"
            + " equivalent");
      });
    }
    var p = dev.langchain4j.model.chat.request.ChatRequestParameters.builder();
    request.temperature().ifPresent(p::temperature);
    request.maxTokens().ifPresent(p::maxOutputTokens);
    if (!request.stop().isEmpty()) {
      p.stopSequences(request.stop());
    }
    Object tools = request.extra().get("tools");
    if (tools instanceof List<?> list && !list.isEmpty()) {
      List<ToolSpecification> specs = new ArrayList<>();
      for (Object t : list) {
        specs.add(toolSpecification(t));
      }
      p.toolSpecifications(specs);
      if (request.extra().get("tool_choice") instanceof String choice) {
        p.toolChoice(ToolChoice.valueOf(choice.toUpperCase(Locale.ROOT)));
      }
    }
    return dev.langchain4j.model.chat.request.ChatRequest.builder().messages(messages).parameters(p.build()).build();
  }

  private static List<ToolExecutionRequest> requests(List<ToolCall> calls) {
    List<ToolExecutionRequest> out = new ArrayList<>();
    for (ToolCall c : calls) {
      out.add(ToolExecutionRequest.builder().id(c.id()).name(c.name()).arguments(c.arguments()).build());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static ToolSpecification toolSpecification(Object tool) {
    if (!(tool instanceof Map<?, ?> t) || !(t.get("function") instanceof Map<?, ?> f)
        || !(f.get("name") instanceof String name)) {
      throw new IllegalArgumentException("extra field 'tools' must hold OpenAI function tools"
          + " ({\"type\": \"function\", \"function\": {\"name\": ...}}) but held " + tool);
    }
    ToolSpecification.Builder b = ToolSpecification.builder().name(name);
    if (f.get("description") instanceof String d) {
      b.description(d);
    }
    if (f.get("parameters") instanceof Map<?, ?> params) {
      JsonSchemaElement schema = JsonSchemaElementJsonUtils.fromMap((Map<String, Object>) params);
      if (schema instanceof JsonObjectSchema object) {
        b.parameters(object);
      }
    }
    return b.build();
  }

  /** The library's answer for LangChain4j's, named {@code model} unless the provider reported its model. */
  static ChatResponse toRouteLlm(dev.langchain4j.model.chat.response.ChatResponse r, String model,
      ChatRequest request) {
    AiMessage ai = r.aiMessage();
    String text = ai.text() == null ? "" : ai.text();
    TokenUsage t = r.tokenUsage();
    Usage usage = t == null || t.inputTokenCount() == null || t.outputTokenCount() == null
        ? Usage.estimate(request.lastUserMessage(), text)
        : Usage.of(t.inputTokenCount(), t.outputTokenCount());
    ChatResponse.Builder b = ChatResponse.builder().model(r.modelName() == null ? model : r.modelName()).text(text)
        .usage(usage).id(r.id()).finishReason(finishReason(r.finishReason()));
    if (ai.hasToolExecutionRequests()) {
      List<ToolCall> calls = new ArrayList<>();
      for (ToolExecutionRequest e : ai.toolExecutionRequests()) {
        calls.add(new ToolCall(e.id(), "function", e.name(), e.arguments()));
      }
      b.toolCalls(calls);
    }
    return b.build();
  }

  private static String finishReason(FinishReason reason) {
    if (reason == null) {
      return null;
    }
    return switch (reason) {
      case STOP -> "stop";
      case LENGTH -> "length";
      case TOOL_EXECUTION -> "tool_calls";
      case CONTENT_FILTER -> "content_filter";
      default -> reason.name().toLowerCase(Locale.ROOT);
    };
  }
}
