package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cascade.AnswerExtractor;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.prediction.QualityPredictor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A pool of three OpenAI-compatible servers on loopback: N-way routing, cascades that check answers (agreement and a
 * verifier), limits and the fallback order, end to end over HTTP.
 */
class PoolOverHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AnswerExtractor LAST_NUMBER = (q, a) -> {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+(?:\\.\\d+)?").matcher(a);
    String last = null;
    while (m.find()) {
      last = m.group();
    }
    return Optional.ofNullable(last);
  };

  private final MockWebServer flashServer = new MockWebServer();
  private final MockWebServer miniServer = new MockWebServer();
  private final MockWebServer gpt4oServer = new MockWebServer();
  private OpenAiBackend flash;
  private OpenAiBackend mini;
  private OpenAiBackend gpt4o;

  @BeforeEach
  void start() throws Exception {
    flashServer.start();
    miniServer.start();
    gpt4oServer.start();
    // flash declares no tools: a request with tools must never reach its server.
    flash = backend(flashServer, "gemini-1.5-flash", Capabilities.ALL.withTools(false));
    mini = backend(miniServer, "gpt-4o-mini", Capabilities.ALL);
    gpt4o = backend(gpt4oServer, "gpt-4o", Capabilities.ALL);
  }

  @AfterEach
  void stop() {
    flash.close();
    mini.close();
    gpt4o.close();
    flashServer.close();
    miniServer.close();
    gpt4oServer.close();
  }

  private static OpenAiBackend backend(MockWebServer server, String model, Capabilities caps) {
    return OpenAiBackend.builder().baseUrl(server.url("/v1").toString()).noApiKey().model(model)
        .capabilities(caps).readTimeout(Duration.ofSeconds(10)).build();
  }

  private ModelPool pool() {
    return ModelPool.of(PoolModel.of(flash, 0.075, 0.30), PoolModel.of(mini, 0.15, 0.60),
        PoolModel.of(gpt4o, 2.50, 10.00));
  }

  private Router agreement() {
    Cascade chain = Cascade.builder().step(StepCheck.agreement(LAST_NUMBER), "gemini-1.5-flash", "gpt-4o-mini")
        .then("gpt-4o").build();
    return Router.builder().pool(pool()).policy(RoutingPolicy.cascade(chain)).build();
  }

  @Test
  void cascade_answersThatAgree_areKeptAndBothCheapCallsPaid() throws Exception {
    flashServer.enqueue(json(answer("16 - 3 = 13. The answer is 13.", 40, 12)));
    miniServer.enqueue(json(answer("Janet has 13 eggs left.", 40, 8)));

    RoutedResponse r = agreement().chat(ChatRequest.of("Janet has 16 eggs and eats 3. How many are left?"));

    assertThat(r.answeredBy()).isEqualTo("gemini-1.5-flash");
    assertThat(r.decision().reason()).contains("agree on '13'");
    assertThat(gpt4oServer.getRequestCount()).isZero();
    double flashCost = (40 * 0.075 + 12 * 0.30) / 1e6;
    double miniCost = (40 * 0.15 + 8 * 0.60) / 1e6;
    assertThat(r.cost()).isEqualTo(flashCost + miniCost);
  }

  @Test
  void cascade_answersThatDisagree_escalateToTheStrongModel() throws Exception {
    flashServer.enqueue(json(answer("The answer is 12.", 40, 5)));
    miniServer.enqueue(json(answer("13", 40, 1)));
    gpt4oServer.enqueue(json(answer("13 eggs.", 40, 3)));

    RoutedResponse r = agreement().chat(ChatRequest.of("Janet has 16 eggs and eats 3. How many are left?"));

    assertThat(r.response().text()).isEqualTo("13 eggs.");
    assertThat(r.decision().model()).isEqualTo("gpt-4o");
    assertThat(r.decision().reason()).contains("answers differ");
    assertThat(r.calls()).hasSize(3);
  }

  @Test
  void cascade_verifierSaysNo_escalates() throws Exception {
    Cascade chain = Cascade.builder().step(StepCheck.verifier("gpt-4o-mini", 0.5), "gemini-1.5-flash")
        .then("gpt-4o").build();
    Router router = Router.builder().pool(pool()).policy(RoutingPolicy.cascade(chain)).build();
    flashServer.enqueue(json(answer("12", 40, 1)));
    miniServer.enqueue(json(answer("No", 90, 1)));
    gpt4oServer.enqueue(json(answer("13", 40, 1)));

    RoutedResponse r = router.chat(ChatRequest.of("Janet has 16 eggs and eats 3. How many are left?"));

    assertThat(r.response().text()).isEqualTo("13");
    RecordedRequest asked = miniServer.takeRequest();
    JsonNode body = JSON.readTree(asked.getBody().utf8());
    assertThat(body.at("/messages/1/content").asString()).contains("Proposed answer:\n12");
    assertThat(body.at("/logprobs").asBoolean()).isTrue();
    assertThat(r.calls()).extracting(ModelCall::role)
        .containsExactly(ModelCall.Role.ANSWER, ModelCall.Role.VERIFY, ModelCall.Role.ANSWER);
  }

  @Test
  void qualityCost_toolRequest_skipsTheModelWithoutToolsAndFallsBackInRankingOrder() throws Exception {
    QualityPredictor flat = new QualityPredictor() {
      @Override
      public String name() {
        return "flat";
      }

      @Override
      public List<String> models() {
        return List.of("gemini-1.5-flash", "gpt-4o-mini", "gpt-4o");
      }

      @Override
      public double[] predict(String prompt) {
        return new double[] {0.9, 0.9, 0.9};
      }
    };
    Router router = Router.builder().pool(pool()).policy(RoutingPolicy.qualityCost(flat, 1.0)).build();
    miniServer.enqueue(new MockResponse.Builder().code(503).body("{\"error\":{\"message\":\"overloaded\"}}").build());
    miniServer.enqueue(new MockResponse.Builder().code(503).body("{\"error\":{\"message\":\"overloaded\"}}").build());
    miniServer.enqueue(new MockResponse.Builder().code(503).body("{\"error\":{\"message\":\"overloaded\"}}").build());
    gpt4oServer.enqueue(json(answer("ok", 40, 1)));
    ChatRequest withTools = ChatRequest.builder().user("What's the weather?")
        .extra("tools", List.of(Map.of("type", "function", "function", Map.of("name", "weather")))).build();

    RoutedResponse r = router.chat(withTools);

    assertThat(flashServer.getRequestCount()).isZero();
    assertThat(r.decision().model()).isEqualTo("gpt-4o-mini");
    assertThat(r.answeredBy()).isEqualTo("gpt-4o");
    assertThat(r.fellBack()).isTrue();
    JsonNode sent = JSON.readTree(gpt4oServer.takeRequest().getBody().utf8());
    assertThat(sent.at("/tools/0/function/name").asString()).isEqualTo("weather");
  }

  private static String answer(String text, int promptTokens, int completionTokens) {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":" + JSON.writeValueAsString(text) + "},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":"
        + completionTokens + "}}";
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
  }
}
