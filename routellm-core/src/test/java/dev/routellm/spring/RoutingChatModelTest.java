package dev.routellm.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.cost.CostModel;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.Router;
import dev.routellm.testing.LoopbackModel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.tool.annotation.Tool;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Spring AI's ChatClient over a routed model, tools included, with two loopback models. */
class RoutingChatModelTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final LoopbackModel strongModel = new LoopbackModel("big");
  private final LoopbackModel weakModel = new LoopbackModel("small");

  @AfterEach
  void close() {
    strongModel.close();
    weakModel.close();
  }

  static final class Weather {
    final List<String> cities = new CopyOnWriteArrayList<>();

    @Tool(description = "Current temperature of a city, in degrees Celsius")
    int temperature(String city) {
      cities.add(city);
      return 21;
    }
  }

  private RoutingChatModel model() {
    return new RoutingChatModel(Router.builder()
        .strong(strongModel.backend()).weak(weakModel.backend())
        .predictor(WinRatePredictor.of("length", p -> p.length() > 20 ? 0.9 : 0.1)).threshold(0.5)
        .costModel(CostModel.builder().price("big", 10, 30).price("small", 1, 2).build())
        .build());
  }

  @Test
  void chatClient_toolCall_springAiRunsTheToolAndTheRouterAnswersTheFollowUp() {
    strongModel.callsTool("call_1", "temperature", "{\"city\":\"Paris\"}", 70, 12);
    strongModel.answers("It is 21 degrees in Paris.", 110, 9);
    Weather weather = new Weather();

    ChatResponse response = ChatClient.create(model()).prompt()
        .user("What is the temperature in Paris right now?").tools(weather).call().chatResponse();

    assertThat(response.getResult().getOutput().getText()).isEqualTo("It is 21 degrees in Paris.");
    assertThat(weather.cities).containsExactly("Paris");
    assertThat(RoutingChatModel.decision(response).orElseThrow().model()).isEqualTo("big");
    JsonNode first = JSON.readTree(strongModel.takeRequestBody());
    assertThat(first.get("tools").get(0).get("function").get("name").asString()).isEqualTo("temperature");
    assertThat(first.get("tools").get(0).get("function").get("parameters").get("properties").has("city")).isTrue();
    JsonNode second = JSON.readTree(strongModel.takeRequestBody());
    JsonNode tool = second.get("messages").get(2);
    assertThat(tool.get("role").asString()).isEqualTo("tool");
    assertThat(tool.get("tool_call_id").asString()).isEqualTo("call_1");
    assertThat(tool.get("content").asString()).isEqualTo("21");
  }

  @Test
  void chatClient_plainQuestion_answerWithDecisionAndCost() {
    weakModel.answers("Bonjour !", 8, 3);

    ChatResponse response = ChatClient.create(model()).prompt().user("Hello?").call().chatResponse();

    assertThat(response.getResult().getOutput().getText()).isEqualTo("Bonjour !");
    assertThat(response.getMetadata().<String>get(RoutingChatModel.ANSWERED_BY)).isEqualTo("small");
    assertThat(response.getMetadata().<Double>get(RoutingChatModel.COST)).isEqualTo((8 * 1 + 3 * 2) / 1e6);
  }
}
