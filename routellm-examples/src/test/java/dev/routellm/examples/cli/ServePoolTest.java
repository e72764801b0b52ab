package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.examples.MockModel;
import dev.routellm.prediction.LexicalQualityNeighbors;
import dev.routellm.prediction.QualityPredictors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code routellm serve --pool FILE} as a real process serving a pool file's N-way routers: a quality-cost router
 * whose lexical predictor tells math prompts (only the big model gets them right) from small talk, and a cascade
 * whose two cheap models answer first and are kept when their numbers agree.
 */
class ServePoolTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final List<String> MODELS = List.of("big", "small", "small2");

  @TempDir Path dir;

  /** A lexical quality predictor: math prompts only the big model answers right; small talk every model does. */
  private Path trainPredictor() {
    List<String> prompts = new ArrayList<>();
    List<double[]> outcomes = new ArrayList<>();
    String[] math = {"solve the integral of x squared", "prove the derivative of sine is cosine",
        "solve the quadratic equation x squared minus four", "compute the integral of the exponential",
        "prove that the square root of two is irrational", "find the derivative of a polynomial equation"};
    String[] talk = {"hello how are you today", "what a lovely weather today", "hello friend nice to meet you",
        "tell me how your day was", "good morning how are you", "nice weather for a walk today"};
    for (String p : math) {
      prompts.add(p);
      outcomes.add(new double[] {1, 0, 0});
    }
    for (String p : talk) {
      prompts.add(p);
      outcomes.add(new double[] {1, 1, 1});
    }
    Path file = dir.resolve("pool-lexical.safetensors");
    QualityPredictors.save(LexicalQualityNeighbors.fit(MODELS, prompts, outcomes.toArray(double[][]::new), 3, 0.5)
        .named("lexical"), file);
    return file;
  }

  private static String model(String name, MockModel endpoint, String price) {
    return "{\"name\":\"" + name + "\",\"base_url\":\"" + endpoint.baseUrl() + "\",\"model\":\"" + name
        + "-upstream\",\"key_env\":\"none\",\"price\":" + price + "}";
  }

  @Test
  void servePool_qualityCostChoosesByPrompt_cascadeKeepsAgreeingCheapAnswersAndEscalatesOtherwise() throws Exception {
    trainPredictor();
    try (MockModel big = new MockModel("big-upstream"); MockModel small = new MockModel("small-upstream");
        MockModel small2 = new MockModel("small2-upstream")) {
      Path pool = dir.resolve("pool.json");
      Files.writeString(pool, "{\"models\":[" + model("big", big, "[10,30]") + "," + model("small", small, "[0.5,1]")
          + "," + model("small2", small2, "[0.6,1.2]") + "],"
          + "\"routers\":["
          + "{\"name\":\"value\",\"policy\":\"quality-cost\",\"predictor\":\"pool-lexical.safetensors\","
          + "\"lambda\":0.2},"
          + "{\"name\":\"agree\",\"policy\":\"cascade\",\"steps\":[{\"models\":[\"small\",\"small2\"],\"check\":"
          + "\"agreement\",\"extractor\":\"number\"},{\"models\":[\"big\"]}]}]}");
      Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), RouteLlmCommand.class.getName(), "serve", "--router",
          "random", "--port", "0", "--json", "--pool", pool.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        JsonNode started = JSON.readTree(out.readLine());
        assertThat(started.get("routers")).extracting(JsonNode::asString)
            .containsExactly("router-value", "router-agree");
        String base = "http://127.0.0.1:" + started.get("port").asInt();
        OkHttpClient client = new OkHttpClient();

        big.answers("The integral is x cubed over three.", 20, 30);
        JsonNode hard = chat(client, base, "router-value", "solve the integral of x cubed");
        assertThat(hard.get("model").asString()).as("the pool's name").isEqualTo("big");
        assertThat(hard.at("/routing/upstream_model").asString()).as("the upstream's own id")
            .isEqualTo("big-upstream");
        assertThat(hard.at("/routing/answered_by").asString()).isEqualTo("big");
        assertThat(hard.at("/routing/rule").asString()).isEqualTo("quality-cost");
        assertThat(hard.at("/routing/threshold").isNull()).isTrue();
        assertThat(hard.at("/routing/candidates")).hasSize(3).allSatisfy(c -> {
          assertThat(c.get("predicted_quality").asDouble()).isBetween(0.0, 1.0);
          assertThat(c.get("expected_cost_usd").asDouble()).isPositive();
        });

        small.answers("I am fine, thanks!", 10, 5);
        JsonNode easy = chat(client, base, "router-value", "hello how are you this morning");
        assertThat(easy.at("/routing/answered_by").asString()).isEqualTo("small");

        small.answers("6 times 7 is 42.", 15, 8);
        small2.answers("The answer is 42", 15, 4);
        JsonNode agreed = chat(client, base, "router-agree", "What is 6 times 7?");
        assertThat(agreed.at("/choices/0/message/content").asString()).isEqualTo("6 times 7 is 42.");
        assertThat(agreed.at("/routing/rule").asString()).isEqualTo("cascade");
        assertThat(agreed.at("/routing/calls")).extracting(c -> c.get("model").asString())
            .containsExactlyInAnyOrder("small", "small2");

        small.answers("It is 41.", 15, 4);
        small2.answers("It is 42.", 15, 4);
        big.answers("42", 15, 1);
        JsonNode escalated = chat(client, base, "router-agree", "What is 6 times 7?");
        assertThat(escalated.at("/routing/answered_by").asString()).isEqualTo("big");
        assertThat(escalated.at("/routing/calls")).hasSize(3);

        assertThat(big.server().getRequestCount()).isEqualTo(2);
        try (Response models = client.newCall(new Request.Builder().url(base + "/v1/models").build()).execute()) {
          assertThat(JSON.readTree(models.body().string()).get("data")).extracting(m -> m.get("id").asString())
              .contains("router-random", "router-value", "router-agree");
        }
        try (Response metrics = client.newCall(new Request.Builder().url(base + "/metrics").build()).execute()) {
          assertThat(metrics.body().string()).contains("routellm_decisions_total{model=\"big\",router=\"value\","
              + "rule=\"quality-cost\"} 1.0");
        }
      } finally {
        serve.destroy();
        serve.waitFor();
      }
    }
  }

  private static JsonNode chat(OkHttpClient client, String base, String model, String prompt) throws IOException {
    String body = JSON.writeValueAsString(java.util.Map.of("model", model, "messages",
        List.of(java.util.Map.of("role", "user", "content", prompt))));
    try (Response r = client.newCall(new Request.Builder().url(base + "/v1/chat/completions")
        .post(RequestBody.create(body, MediaType.get("application/json"))).build()).execute()) {
      String text = r.body().string();
      assertThat(r.code()).as(text).isEqualTo(200);
      return JSON.readTree(text);
    }
  }
}
