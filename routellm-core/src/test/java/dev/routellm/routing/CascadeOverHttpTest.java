package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.NonRetriableBackendException;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.cascade.LogprobConfidenceModel;
import dev.routellm.cascade.LogprobFeature;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cascade end to end over HTTP: OpenAI-compatible backends on loopback answer in both log-probability wire shapes,
 * and the confidence, the decision, the accounting and the stream follow from what the servers sent.
 */
class CascadeOverHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final CostModel PRICES =
      CostModel.builder().price("llama-3-8b", 0.07, 0.07).price("llama-3-70b", 0.80, 0.80).build();
  private static final ChatRequest REQUEST = ChatRequest.of("Janet has 16 eggs and eats 3. How many are left?");

  private final MockWebServer weakServer = new MockWebServer();
  private final MockWebServer strongServer = new MockWebServer();
  private OpenAiBackend weak;
  private OpenAiBackend strong;

  @BeforeEach
  void start() throws Exception {
    weakServer.start();
    strongServer.start();
    weak = backend(weakServer, "meta-llama/Meta-Llama-3-8B-Instruct", "llama-3-8b");
    strong = backend(strongServer, "meta-llama/Meta-Llama-3-70B-Instruct", "llama-3-70b");
  }

  @AfterEach
  void stop() {
    weak.close();
    strong.close();
    weakServer.close();
    strongServer.close();
  }

  private static OpenAiBackend backend(MockWebServer server, String model, String name) {
    return OpenAiBackend.builder()
        .baseUrl(server.url("/v1").toString())
        .noApiKey()
        .model(model)
        .name(name)
        .readTimeout(Duration.ofSeconds(10))
        .build();
  }

  private Router cascade(ConfidenceModel model) {
    return Router.builder().strong(strong).weak(weak).cascade(model).threshold(0.8).costModel(PRICES).build();
  }

  @Test
  void chat_chatShapeLogprobsSummingToMinus20_keepsTheWeakAnswer() throws Exception {
    // logprobs.content[]: four tokens of -5.0, sum -20: Alamere confidence 0.8129
    weakServer.enqueue(json(chatShape("13 eggs are left.", -5.0, -5.0, -5.0, -5.0)));

    RoutedResponse r = cascade(ConfidenceModel.alamere()).chat(REQUEST);

    assertThat(r.decision().score()).isCloseTo(0.8129, within(5e-5));
    assertThat(r.answeredBy()).isEqualTo("llama-3-8b");
    assertThat(r.response().text()).isEqualTo("13 eggs are left.");
    assertThat(r.cost()).isCloseTo((40 + 4) * 0.07 / 1e6, within(1e-15));
    JsonNode sent = body(weakServer.takeRequest());
    assertThat(sent.get("logprobs").asBoolean()).isTrue();
    assertThat(sent.get("top_logprobs").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(strongServer.getRequestCount()).isZero();
  }

  @Test
  void stream_legacyShapeLogprobsSummingToMinus21_1_escalatesAndStreamsTheStrongAnswer() throws Exception {
    // tokens / token_logprobs arrays (Together, older vLLM): sum -21.1, Alamere confidence 0.7999
    weakServer.enqueue(json(legacyShape("14 eggs.", -10.0, -11.1)));
    strongServer.enqueue(eventStream("16", " - 3", " = 13"));
    List<String> events = new ArrayList<>();

    RoutedResponse r =
        cascade(ConfidenceModel.alamere())
            .stream(
                REQUEST,
                new RoutedStreamListener() {
                  @Override
                  public void onDecision(RoutingDecision decision) {
                    events.add("decision " + decision.model());
                  }

                  @Override
                  public void onText(String delta) {
                    events.add(delta);
                  }
                });

    assertThat(r.decision().score()).isCloseTo(0.7999, within(5e-5));
    assertThat(events).containsExactly("decision llama-3-70b", "16", " - 3", " = 13");
    assertThat(r.response().text()).isEqualTo("16 - 3 = 13");
    assertThat(r.calls()).extracting(ModelCall::model).containsExactly("llama-3-8b", "llama-3-70b");
    double weakCost = (40 + 2) * 0.07 / 1e6;
    double strongCost = (40 + 3) * 0.80 / 1e6;
    assertThat(r.cost()).isCloseTo(weakCost + strongCost, within(1e-15));
    JsonNode toStrong = body(strongServer.takeRequest());
    assertThat(toStrong.has("logprobs") && toStrong.get("logprobs").asBoolean()).isFalse();
    assertThat(toStrong.get("stream").asBoolean()).isTrue();
  }

  @Test
  void chat_legacyShapeWithNullsAndMinusInfinity_clampsAndEscalates() {
    weakServer.enqueue(json(
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"13\"},\"logprobs\":{\"tokens\":[\"1\",null,\"3\"],"
            + "\"token_logprobs\":[-0.1,-0.2,-Infinity],\"top_logprobs\":null,\"text_offset\":[0,1,1]},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":3}}"));
    strongServer.enqueue(json(chatShape("13", -0.01)));

    RoutedResponse r = cascade(ConfidenceModel.alamere()).chat(REQUEST);

    // -0.1 + clamped -9999: confidence far below zero (the unclipped OLS line)
    assertThat(r.decision().score()).isCloseTo(0.01186387 * (-0.1 - 9999.0) + 1.05021634, within(1e-9));
    assertThat(r.answeredBy()).isEqualTo("llama-3-70b");
  }

  @Test
  void chat_marginModelOverChatShape_requestsTwoAlternativesAndReadsThem() throws Exception {
    weakServer.enqueue(json(
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"13\"},\"logprobs\":{\"content\":[{\"token\":\"13\","
            + "\"logprob\":-0.1,\"top_logprobs\":[{\"token\":\"13\",\"logprob\":-0.1},{\"token\":\"12\","
            + "\"logprob\":-2.6}]}]},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":1}}"));
    LogprobConfidenceModel margin = LogprobConfidenceModel.logistic(List.of(LogprobFeature.MARGIN_MIN), -1.0, 1.0);

    RoutedResponse r = cascade(margin).chat(REQUEST);

    assertThat(body(weakServer.takeRequest()).get("top_logprobs").asInt()).isEqualTo(2);
    assertThat(r.decision().score()).isCloseTo(1 / (1 + Math.exp(-(2.5 - 1.0))), within(1e-12));
  }

  @Test
  void chat_serverIgnoresLogprobs_failsByDefaultNamingTheWeakModel() {
    weakServer.enqueue(json(
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"13\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":1}}"));
    Router router = cascade(ConfidenceModel.alamere());

    assertThatThrownBy(() -> router.chat(REQUEST))
        .isInstanceOf(NonRetriableBackendException.class)
        .hasMessageContaining("model 'llama-3-8b' answered without")
        .hasMessageContaining("log-probabilities");
    assertThat(strongServer.getRequestCount()).isZero();
  }

  @Test
  void build_weakBackendWithoutLogprobCapability_isRejectedUnlessEscalating() {
    OpenAiBackend noLogprobs =
        weak.toBuilder().capabilities(new dev.routellm.chat.Capabilities(false, true)).build();
    try (noLogprobs) {
      Router.Builder b =
          Router.builder().strong(strong).weak(noLogprobs).cascade(ConfidenceModel.alamere()).threshold(0.8)
              .costModel(PRICES);

      assertThatThrownBy(b::build)
          .isInstanceOf(dev.routellm.ConfigurationException.class)
          .hasMessageContaining("the backend of 'llama-3-8b' declares none");
      assertThat(b.missingLogprobs(MissingLogprobsPolicy.ESCALATE).build().name()).isEqualTo("cascade");
    }
  }

  private static String chatShape(String text, double... logprobs) {
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < logprobs.length; i++) {
      content.append(i == 0 ? "" : ",").append("{\"token\":\"t").append(i).append("\",\"logprob\":")
          .append(logprobs[i]).append(",\"top_logprobs\":[]}");
    }
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"logprobs\":{\"content\":[" + content
        + "]},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":" + logprobs.length
        + "}}";
  }

  private static String legacyShape(String text, double... logprobs) {
    StringBuilder tokens = new StringBuilder();
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < logprobs.length; i++) {
      tokens.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
      values.append(i == 0 ? "" : ",").append(logprobs[i]);
    }
    return "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"logprobs\":{\"tokens\":[" + tokens
        + "],\"token_logprobs\":[" + values + "],\"top_logprobs\":null,\"text_offset\":[]},\"finish_reason\":\"eos\"}],"
        + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":" + logprobs.length + "}}";
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
  }

  private static MockResponse eventStream(String... deltas) {
    StringBuilder sse = new StringBuilder();
    for (String d : deltas) {
      sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
          + "\"delta\":{\"content\":").append(JSON.writeValueAsString(d)).append("},\"finish_reason\":null}]}\n\n");
    }
    sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[],"
        + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":3}}\n\n");
    sse.append("data: [DONE]\n\n");
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(sse.toString()).build();
  }

  private static JsonNode body(RecordedRequest request) {
    return JSON.readTree(request.getBody().utf8());
  }
}
