package dev.routellm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.TokenStream;
import dev.routellm.cost.CostModel;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.Router;
import dev.routellm.testing.LoopbackModel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** LangChain4j AI Services over a routed model, end to end over HTTP: two loopback models behind the router. */
class RoutingChatModelTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final LoopbackModel strongModel = new LoopbackModel("big");
  private final LoopbackModel weakModel = new LoopbackModel("small");

  interface Assistant {
    Result<String> chat(String message);
  }

  interface StreamingAssistant {
    TokenStream chat(String message);
  }

  static final class Calculator {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Tool("Multiplies two integers")
    long multiply(@P(name = "a", value = "first factor") long a,
        @P(name = "b", value = "second factor") long b) {
      calls.add(a + "*" + b);
      return a * b;
    }
  }

  @AfterEach
  void close() {
    strongModel.close();
    weakModel.close();
  }

  private Router router() {
    return Router.builder()
        .strong(strongModel.backend()).weak(weakModel.backend())
        .predictor(WinRatePredictor.of("length", p -> p.length() > 20 ? 0.9 : 0.1)).threshold(0.5)
        .costModel(CostModel.builder().price("big", 10, 30).price("small", 1, 2).build())
        .build();
  }

  @Test
  void aiService_shortQuestion_answeredByWeakModelWithDecisionInMetadata() {
    weakModel.answers("Hello there", 12, 3);
    Assistant assistant = AiServices.builder(Assistant.class).chatModel(RoutingChatModel.of(router())).build();

    Result<String> result = assistant.chat("Hi!");

    assertThat(result.content()).isEqualTo("Hello there");
    RoutedChatResponseMetadata routing = RoutingChatModel.routing(result.finalResponse()).orElseThrow();
    assertThat(routing.decision().model()).isEqualTo("small");
    assertThat(routing.decision().router()).isEqualTo("length");
    assertThat(routing.cost()).isEqualTo((12 * 1 + 3 * 2) / 1e6);
    assertThat(result.tokenUsage().inputTokenCount()).isEqualTo(12);
    assertThat(result.finalResponse().metadata().modelName()).isEqualTo("small");
    assertThat(strongModel.requestCount()).isZero();
  }

  @Test
  void aiService_toolCall_routedModelCallsTheToolAndAnswersWithItsResult() {
    strongModel.callsTool("call_1", "multiply", "{\"a\":12,\"b\":34}", 80, 20);
    strongModel.answers("12 times 34 is 408", 120, 10);
    Calculator calculator = new Calculator();
    Assistant assistant = AiServices.builder(Assistant.class).chatModel(RoutingChatModel.of(router()))
        .tools(calculator).build();

    Result<String> result = assistant.chat("What is 12 multiplied by 34? Use the tool.");

    assertThat(result.content()).isEqualTo("12 times 34 is 408");
    assertThat(calculator.calls).containsExactly("12*34");
    assertThat(result.toolExecutions()).singleElement().satisfies(e -> assertThat(e.result()).isEqualTo("408"));
    JsonNode first = JSON.readTree(strongModel.takeRequestBody());
    assertThat(first.get("tools").get(0).get("function").get("name").asString()).isEqualTo("multiply");
    assertThat(first.get("tools").get(0).get("function").get("parameters").get("properties").has("a")).isTrue();
    JsonNode second = JSON.readTree(strongModel.takeRequestBody());
    JsonNode messages = second.get("messages");
    assertThat(messages.get(1).get("tool_calls").get(0).get("id").asString()).isEqualTo("call_1");
    assertThat(messages.get(2).get("role").asString()).isEqualTo("tool");
    assertThat(messages.get(2).get("tool_call_id").asString()).isEqualTo("call_1");
    assertThat(messages.get(2).get("content").asString()).isEqualTo("408");
    assertThat(RoutingChatModel.routing(result.finalResponse()).orElseThrow().decision().model()).isEqualTo("big");
  }

  @Test
  void aiService_streaming_partialTextThenCompleteResponseWithDecision() throws Exception {
    weakModel.streams(9, 2, "Hel", "lo");
    StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class)
        .streamingChatModel(RoutingStreamingChatModel.of(router())).build();
    List<String> partial = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    assistant.chat("Hi!").onPartialResponse(partial::add).onCompleteResponse(done::complete)
        .onError(done::completeExceptionally).start();
    ChatResponse response = done.get(10, TimeUnit.SECONDS);

    assertThat(partial).containsExactly("Hel", "lo");
    assertThat(response.aiMessage().text()).isEqualTo("Hello");
    assertThat(RoutingChatModel.routing(response).orElseThrow().decision().model()).isEqualTo("small");
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(2);
  }

  @Test
  void aiService_streamingToolCall_toolRunsAndTheSecondAnswerStreams() throws Exception {
    strongModel.streamsToolCall("call_7", "multiply", "{\"a\":6,\"b\":7}");
    strongModel.streams(50, 4, "It is ", "42");
    Calculator calculator = new Calculator();
    StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class)
        .streamingChatModel(RoutingStreamingChatModel.of(router())).tools(calculator).build();
    List<String> partial = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    assistant.chat("What is six multiplied by seven? Use the tool.").onPartialResponse(partial::add)
        .onCompleteResponse(done::complete).onError(done::completeExceptionally).start();
    ChatResponse response = done.get(10, TimeUnit.SECONDS);

    assertThat(calculator.calls).containsExactly("6*7");
    assertThat(String.join("", partial)).isEqualTo("It is 42");
    assertThat(response.aiMessage().text()).isEqualTo("It is 42");
    strongModel.takeRequestBody();
    JsonNode second = JSON.readTree(strongModel.takeRequestBody());
    assertThat(second.get("stream").asBoolean()).isTrue();
    assertThat(second.get("messages").get(2).get("content").asString()).isEqualTo("42");
  }

  @Test
  void streaming_blankPrompt_libraryRuleReachesTheHandler() throws Exception {
    CompletableFuture<Throwable> error = new CompletableFuture<>();
    RoutingStreamingChatModel.of(router()).chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
            .messages(dev.langchain4j.data.message.UserMessage.from(" ")).build(),
        new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
          @Override
          public void onCompleteResponse(ChatResponse response) {
            error.complete(null);
          }

          @Override
          public void onError(Throwable e) {
            error.complete(e);
          }
        });
    assertThat(error.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the last user message is empty or whitespace only");
    assertThat(weakModel.requestCount() + strongModel.requestCount()).isZero();
  }
}
