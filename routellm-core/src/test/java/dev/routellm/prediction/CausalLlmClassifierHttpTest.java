package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.backend.OpenAiBackend;
import java.nio.file.Path;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The causal-LLM classifier against an OpenAI-compatible server on loopback, through the library's backend. */
class CausalLlmClassifierHttpTest {
  static final Path CHECKPOINT = CausalLlmClassifierTest.CHECKPOINT;

  private final MockWebServer server = new MockWebServer();
  private OpenAiBackend backend;

  @BeforeEach
  void start() throws Exception {
    server.start();
    backend = OpenAiBackend.builder().baseUrl(server.url("/v1").toString()).noApiKey().model("routellm-causal-llm")
        .readTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() {
    backend.close();
    server.close();
  }

  /** A vLLM-style answer: a space, then the grade token with the five grades among its alternatives. */
  static String answer(String grade, double p1, double p2, double p3, double p4, double p5) {
    String alternatives = String.format(java.util.Locale.ROOT,
        "[{\"token\":\"[[1]]\",\"logprob\":%s},{\"token\":\"[[2]]\",\"logprob\":%s},{\"token\":\"[[3]]\",\"logprob\":%s},"
            + "{\"token\":\"[[4]]\",\"logprob\":%s},{\"token\":\"[[5]]\",\"logprob\":%s},{\"token\":\"\\n\",\"logprob\":-6.0}]",
        Math.log(p1), Math.log(p2), Math.log(p3), Math.log(p4), Math.log(p5));
    double chosen = Math.log(switch (grade) {
      case "[[1]]" -> p1;
      case "[[2]]" -> p2;
      case "[[3]]" -> p3;
      case "[[4]]" -> p4;
      default -> p5;
    });
    return "{\"id\":\"cmpl-1\",\"object\":\"chat.completion\",\"model\":\"routellm-causal-llm\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\" " + grade + "\"},\"finish_reason\":\"stop\","
        + "\"logprobs\":{\"content\":[{\"token\":\" \",\"logprob\":-0.01,\"top_logprobs\":[{\"token\":\" \","
        + "\"logprob\":-0.01}]},{\"token\":\"" + grade + "\",\"logprob\":" + chosen + ",\"top_logprobs\":"
        + alternatives + "}]}}],\"usage\":{\"prompt_tokens\":250,\"completion_tokens\":2,\"total_tokens\":252}}";
  }

  @Test
  void score_overHttp_readsGradeProbabilitiesAndSendsRouteLlmRequest() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body(answer("[[4]]", 0.02, 0.08, 0.25, 0.40, 0.20)).build());
    CausalLlmClassifier classifier = CausalLlmClassifier.load(CHECKPOINT, backend);

    double s = classifier.score("Prove that the square root of 2 is irrational.");

    assertThat(s).isCloseTo(1 - 0.60 / 0.95, within(1e-9));
    RecordedRequest request = server.takeRequest();
    JsonNode body = JsonMapper.builder().build().readTree(request.getBody().utf8());
    assertThat(body.get("model").stringValue()).isEqualTo("routellm-causal-llm");
    assertThat(body.get("temperature").doubleValue()).isZero();
    assertThat(body.get("max_tokens").intValue()).isEqualTo(6);
    assertThat(body.get("logprobs").booleanValue()).isTrue();
    assertThat(body.get("top_logprobs").intValue()).isEqualTo(20);
    assertThat(body.get("messages").get(0).get("role").stringValue()).isEqualTo("system");
    assertThat(body.get("messages").get(1).get("content").stringValue())
        .isEqualTo("[Question]\nProve that the square root of 2 is irrational.\n\nPrediction:\n");
  }

  @Test
  void score_answerWithoutGradeToken_isOne() {
    server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body("{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Hard to say\"},\"finish_reason\":\"length\",\"logprobs\":{\"content\":[{\"token\":\"Hard\","
            + "\"logprob\":-0.5,\"top_logprobs\":[]},{\"token\":\" to\",\"logprob\":-0.1,\"top_logprobs\":[]},"
            + "{\"token\":\" say\",\"logprob\":-0.2,\"top_logprobs\":[]}]}}],\"usage\":{\"prompt_tokens\":9,"
            + "\"completion_tokens\":3}}")
        .build());

    assertThat(CausalLlmClassifier.load(CHECKPOINT, backend).score("hi")).isEqualTo(1.0);
  }
}
