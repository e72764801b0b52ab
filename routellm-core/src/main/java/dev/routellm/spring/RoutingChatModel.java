package dev.routellm.spring;

import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ToolCall;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.DefaultToolExecutionEligibilityPredicate;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionEligibilityPredicate;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.tool.definition.ToolDefinition;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Spring AI {@link ChatModel} backed by a {@link Router}: {@code ChatClient.create(new RoutingChatModel(router))}
 * and every prompt is routed. The answer's metadata carries the routing under {@link #DECISION} (a {@link
 * RoutingDecision}), {@link #COST} (dollars, a {@code Double}) and {@link #ANSWERED_BY}; {@link
 * #decision(ChatResponse)} reads the first.
 *
 * <p>Prompts convert as for OpenAI: system, user (text), assistant (with tool calls) and tool-response messages;
 * temperature, max tokens, stop sequences, top-p and penalties from the options. The model name in the options is
 * ignored (the router chooses). Tools work as with Spring AI's own models: the tools of {@link ToolCallingChatOptions}
 * (for example {@code ChatClient...tools(new MyTools())}) are sent as function tools, and when the chosen model asks
 * for calls, {@link #call} runs them with Spring AI's {@link ToolCallingManager} and routes the follow-up (unless
 * internal tool execution is turned off in the options, when the calls come back in the assistant message).
 * Streaming ({@link #stream}) sends each piece of text as a response, then a last one with the usage and the routing
 * metadata; it does not run tools. Failures are the router's exceptions.
 *
 * <p>Thread-safe, as its router. Owns neither the router nor the executor.
 */
public final class RoutingChatModel implements ChatModel {
  /** Metadata key of the {@link RoutingDecision}. */
  public static final String DECISION = "routellm.decision";
  /** Metadata key of the request's cost in dollars. */
  public static final String COST = "routellm.cost";
  /** Metadata key of the model whose answer is returned. */
  public static final String ANSWERED_BY = "routellm.answered-by";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Router router;
  private final Executor executor;
  private final ToolCallingManager tools = ToolCallingManager.builder().build();
  private final ToolExecutionEligibilityPredicate toolsRequired = new DefaultToolExecutionEligibilityPredicate();

  /** A chat model over {@code router}, streaming on the common fork-join pool. */
  public RoutingChatModel(Router router) {
    this(router, ForkJoinPool.commonPool());
  }

  /** A chat model over {@code router}, streaming on {@code executor}. */
  public RoutingChatModel(Router router, Executor executor) {
    this.router = Objects.requireNonNull(router, "router");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** The routing decision behind an answer of this model; empty for another model's answer. */
  public static Optional<RoutingDecision> decision(ChatResponse response) {
    Objects.requireNonNull(response, "response");
    return response.getMetadata().get(DECISION) instanceof RoutingDecision d ? Optional.of(d) : Optional.empty();
  }

  /** The router behind this model. */
  public Router router() {
    return router;
  }

  /** Tool-calling options, so that a {@code ChatClient}'s tools reach this model. */
  @Override
  public ChatOptions getDefaultOptions() {
    return ToolCallingChatOptions.builder().build();
  }

  @Override
  public ChatResponse call(Prompt prompt) {
    ChatResponse response = response(router.chat(request(prompt)));
    if (prompt.getOptions() != null && toolsRequired.isToolExecutionRequired(prompt.getOptions(), response)) {
      ToolExecutionResult result = tools.executeToolCalls(prompt, response);
      if (result.returnDirect()) {
        return ChatResponse.builder().from(response).generations(ToolExecutionResult.buildGenerations(result))
            .build();
      }
      return call(new Prompt(result.conversationHistory(), prompt.getOptions()));
    }
    return response;
  }

  @Override
  public Flux<ChatResponse> stream(Prompt prompt) {
    ChatRequest request = request(prompt);
    return Flux.create(sink -> executor.execute(() -> {
      try {
        RoutedResponse routed = router.stream(request, delta -> sink.next(new ChatResponse(
            List.of(new Generation(new AssistantMessage(delta))))));
        sink.next(response(routed));
        sink.complete();
      } catch (RuntimeException e) {
        sink.error(e);
      }
    }));
  }

  ChatRequest request(Prompt prompt) {
    Objects.requireNonNull(prompt, "prompt");
    ChatRequest.Builder b = ChatRequest.builder();
    List<Message> messages = prompt.getInstructions();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (m instanceof SystemMessage s) {
        b.system(s.getText());
      } else if (m instanceof UserMessage u) {
        if (!u.getMedia().isEmpty()) {
          throw new IllegalArgumentException("message " + i + " is a user message with " + u.getMedia().size()
              + " media parts; the router sends text only");
        }
        b.user(u.getText());
      } else if (m instanceof AssistantMessage a) {
        String text = a.getText() == null ? "" : a.getText();
        if (a.hasToolCalls()) {
          List<ToolCall> calls = new ArrayList<>();
          for (AssistantMessage.ToolCall c : a.getToolCalls()) {
            calls.add(new ToolCall(c.id(), ToolCall.FUNCTION, c.name(), c.arguments()));
          }
          b.message(ChatMessage.assistant(text, calls));
        } else {
          b.assistant(text);
        }
      } else if (m instanceof ToolResponseMessage t) {
        for (ToolResponseMessage.ToolResponse r : t.getResponses()) {
          b.message(ChatMessage.tool(r.id(), r.name(), r.responseData()));
        }
      } else {
        throw new IllegalArgumentException("message " + i + " is a " + m.getMessageType() + " message, which the"
            + " router cannot send");
      }
    }
    ChatOptions o = prompt.getOptions();
    if (o != null) {
      if (o.getTemperature() != null) {
        b.temperature(o.getTemperature());
      }
      if (o.getMaxTokens() != null) {
        b.maxTokens(o.getMaxTokens());
      }
      if (o.getStopSequences() != null && !o.getStopSequences().isEmpty()) {
        b.stop(o.getStopSequences());
      }
      if (o.getTopP() != null) {
        b.extra("top_p", o.getTopP());
      }
      if (o.getFrequencyPenalty() != null) {
        b.extra("frequency_penalty", o.getFrequencyPenalty());
      }
      if (o.getPresencePenalty() != null) {
        b.extra("presence_penalty", o.getPresencePenalty());
      }
      if (o instanceof ToolCallingChatOptions t) {
        List<Object> functions = new ArrayList<>();
        for (ToolDefinition d : tools.resolveToolDefinitions(t)) {
          Map<String, Object> function = new LinkedHashMap<>();
          function.put("name", d.name());
          function.put("description", d.description());
          function.put("parameters", JSON.readValue(d.inputSchema(), Map.class));
          functions.add(Map.of("type", "function", "function", function));
        }
        if (!functions.isEmpty()) {
          b.extra("tools", functions);
        }
      }
    }
    return b.build();
  }

  static ChatResponse response(RoutedResponse routed) {
    dev.routellm.chat.ChatResponse r = routed.response();
    List<AssistantMessage.ToolCall> calls = new ArrayList<>();
    for (ToolCall c : r.toolCalls()) {
      calls.add(new AssistantMessage.ToolCall(c.id(), c.type(), c.name(), c.arguments()));
    }
    AssistantMessage message = AssistantMessage.builder().content(r.text()).toolCalls(calls).build();
    ChatGenerationMetadata generation = ChatGenerationMetadata.builder()
        .finishReason(r.finishReason().orElse(null)).build();
    ChatResponseMetadata metadata = ChatResponseMetadata.builder()
        .id(r.id().orElse(""))
        .model(r.model())
        .usage(new DefaultUsage(Math.toIntExact(r.usage().promptTokens()),
            Math.toIntExact(r.usage().completionTokens())))
        .keyValue(DECISION, routed.decision())
        .keyValue(COST, routed.cost())
        .keyValue(ANSWERED_BY, routed.answeredBy())
        .build();
    return new ChatResponse(List.of(new Generation(message, generation)), metadata);
  }

  @Override
  public String toString() {
    return "RoutingChatModel[" + router.name() + "]";
  }
}
