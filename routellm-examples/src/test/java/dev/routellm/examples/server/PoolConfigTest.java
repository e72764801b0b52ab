package dev.routellm.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.MockModel;
import dev.routellm.examples.cli.ServeCommandAccess;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingPolicy;
import dev.routellm.routing.ThresholdSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class PoolConfigTest {
  @TempDir Path dir;

  private Path write(String json) throws IOException {
    Path file = dir.resolve("pool.json");
    Files.writeString(file, json);
    return file;
  }

  private static String pool(String strong, String weak) {
    return "{\"models\":[" + strong + "," + weak + "]}";
  }

  @Test
  void read_twoModels_defaultsStrongToThePriciestAndFillsDefaults() throws IOException {
    PoolConfig config = PoolConfig.read(write(pool(
        "{\"name\":\"small\",\"base_url\":\"http://127.0.0.1:1/v1\",\"model\":\"llama3.1:8b\",\"key_env\":\"none\","
            + "\"price\":0,\"capabilities\":{\"tools\":false,\"context_tokens\":8192},\"expected_output_tokens\":300}",
        "{\"name\":\"big\",\"base_url\":\"https://api.example.com/v1\",\"price\":[2.5,10]}")));

    assertThat(config.strong()).isEqualTo("big");
    assertThat(config.weak()).isEqualTo("small");
    PoolConfig.Model small = config.models().get(0);
    assertThat(small.serverModel()).isEqualTo("llama3.1:8b");
    assertThat(small.capabilities().tools()).isFalse();
    assertThat(small.capabilities().contextTokens()).isEqualTo(8192);
    assertThat(small.expectedOutputTokens()).isEqualTo(300);
    assertThat(config.models().get(1).serverModel()).as("defaults to the name").isEqualTo("big");
    assertThat(config.models().get(1).price().outputPerMillion()).isEqualTo(10.0);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"models\":[]} | field 'models' must be an array of two models or more but was 0 model(s)",
      "{\"models\":[{\"name\":\"a\",\"base_url\":\"http://x/v1\",\"price\":1},{\"name\":\"b\",\"base_url\":"
          + "\"http://x/v1\"}]} | field 'models[1].price' is required",
      "{\"models\":[{\"name\":\"a\",\"base_url\":\"http://x/v1\",\"price\":1},{\"name\":\"a\",\"base_url\":"
          + "\"http://x/v1\",\"price\":2}]} | field 'models[1].name' must be unique but 'a' appears twice",
      "{\"models\":[{\"name\":\"a\",\"base_url\":\"x\",\"price\":1},{\"name\":\"b\",\"base_url\":\"http://x/v1\","
          + "\"price\":2}]} | field 'models[0].base_url' must be an http:// or https:// URL but was 'x'",
      "{\"models\":[{\"name\":\"a\",\"base_url\":\"http://x/v1\",\"price\":[1]},{\"name\":\"b\",\"base_url\":"
          + "\"http://x/v1\",\"price\":2}]} | field 'models[0].price' must be [IN, OUT] dollars per million tokens",
      "{\"models\":[{\"name\":\"a\",\"base_url\":\"http://x/v1\",\"price\":1,\"prize\":2},{\"name\":\"b\","
          + "\"base_url\":\"http://x/v1\",\"price\":2}]} | field 'models[0].prize' is not a field of a pool file",
      "{\"models\":[{\"name\":\"a\",\"base_url\":\"http://x/v1\",\"price\":1,\"capabilities\":{\"tools\":\"yes\"}},"
          + "{\"name\":\"b\",\"base_url\":\"http://x/v1\",\"price\":2}]} | field 'models[0].capabilities.tools' must"
          + " be true or false but was \"yes\"",
      "{\"models\":[{\"name\":\"a\",\"base_url\":\"http://x/v1\",\"price\":1},{\"name\":\"b\",\"base_url\":"
          + "\"http://x/v1\",\"price\":2}],\"strong\":\"c\"} | field 'strong' must name a model of the pool (a, b)"
          + " but was 'c'"})
  void read_badFile_namesTheFileAndTheField(String json, String message) throws IOException {
    Path file = write(json);

    assertThatThrownBy(() -> PoolConfig.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file + ": " + message);
  }

  @Test
  void read_notJson_namesTheLine() throws IOException {
    Path file = write("{\n\"models\": [\n}");

    assertThatThrownBy(() -> PoolConfig.read(file)).isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file + " line 3: not valid JSON");
  }

  @Test
  void open_keyVariableUnset_failsNamingIt() throws IOException {
    PoolConfig config = PoolConfig.read(write(pool(
        "{\"name\":\"a\",\"base_url\":\"http://127.0.0.1:1/v1\",\"key_env\":\"A_KEY\",\"price\":1}",
        "{\"name\":\"b\",\"base_url\":\"http://127.0.0.1:1/v1\",\"key_env\":\"none\",\"price\":2}")));

    assertThatThrownBy(() -> config.open(new OkHttpClient(), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageEndingWith("model 'a': key_env names A_KEY, which is not set");
  }

  @Test
  void open_openAisApiWithoutAnyKey_failsAtStartButALocalServerNeedsNone() throws IOException {
    PoolConfig config = PoolConfig.read(write(pool(
        "{\"name\":\"mini\",\"base_url\":\"https://API.openai.com/v1/\",\"model\":\"gpt-4o-mini\",\"price\":1}",
        "{\"name\":\"local\",\"base_url\":\"http://127.0.0.1:1/v1\",\"price\":0}")));

    assertThatThrownBy(() -> config.open(new OkHttpClient(), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageEndingWith("model 'mini' at https://API.openai.com/v1/: OPENAI_API_KEY is not set and key_env names"
            + " no other variable; set it, or give key_env");
    try (PoolConfig.Opened opened = config.open(new OkHttpClient(), Map.of("OPENAI_API_KEY", "sk-test"))) {
      assertThat(opened).isNotNull();
    }
  }

  @Test
  void served_routesBetweenThePoolsModelsWithTheirPricesAndShowsCandidates() throws Exception {
    try (MockModel big = new MockModel("big-upstream"); MockModel small = new MockModel("small-upstream")) {
      small.answers("From the small one.", 1000, 100);
      PoolConfig config = PoolConfig.read(write(pool(
          "{\"name\":\"big\",\"base_url\":\"" + big.baseUrl() + "\",\"model\":\"big-upstream\",\"key_env\":"
              + "\"BIG_KEY\",\"price\":[10,30]}",
          "{\"name\":\"small\",\"base_url\":\"" + small.baseUrl() + "\",\"model\":\"small-upstream\",\"key_env\":"
              + "\"none\",\"price\":[0.5,1]}")));
      OkHttpClient http = ServeCommandAccess.httpClient(8);
      CostTracker totals = new CostTracker();
      try (PoolConfig.Opened opened = config.open(http, Map.of("BIG_KEY", "big-secret"));
          RoutingServer server = RoutingServer.builder()
              .routers("random", (t, listener) -> Router.builder().pool(opened.pool())
                  .policy(RoutingPolicy.threshold(RandomPredictor.withSeed(1), ThresholdSource.fixed(t),
                      config.strong(), config.weak()))
                  .costTracker(totals).listener(listener).build(), totals)
              .defaultThreshold(1.0).log(line -> {}).port(0).start()) {
        try (Response r = new OkHttpClient().newCall(new Request.Builder()
            .url("http://127.0.0.1:" + server.port() + "/v1/chat/completions")
            .post(RequestBody.create("{\"model\":\"router-random\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hi\"}]}", MediaType.get("application/json"))).build()).execute()) {
          assertThat(r.code()).isEqualTo(200);
          JsonNode body = OpenAiWire.JSON.readTree(r.body().string());
          assertThat(body.at("/choices/0/message/content").asString()).isEqualTo("From the small one.");
          assertThat(body.at("/routing/chosen_model").asString()).isEqualTo("small");
          assertThat(body.at("/routing/tier").asString()).isEqualTo("weak");
          assertThat(body.at("/routing/cost_usd").decimalValue()).isEqualByComparingTo("0.0006"); // 1000*0.5+100*1
          assertThat(body.at("/routing/candidates")).extracting(c -> c.get("model").asString())
              .containsExactlyInAnyOrder("big", "small");
        }
        assertThat(small.server().takeRequest().getBody().utf8()).contains("\"model\":\"small-upstream\"");
        assertThat(big.server().getRequestCount()).isZero();
      } finally {
        http.dispatcher().executorService().shutdown();
      }
    }
  }

  private static final String TWO = "\"models\":[{\"name\":\"a\",\"base_url\":\"http://x/v1\",\"price\":1},"
      + "{\"name\":\"b\",\"base_url\":\"http://x/v1\",\"price\":2}]";

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "[{\"name\":\"v\",\"policy\":\"best\"}] | field 'routers[0].policy' must be one of quality-cost,"
          + " cheapest-reaching, cascade but was 'best'",
      "[{\"name\":\"v\",\"policy\":\"quality-cost\",\"predictor\":\"p.safetensors\"}]"
          + " | field 'routers[0].lambda' is required",
      "[{\"name\":\"v\",\"policy\":\"quality-cost\",\"predictor\":\"missing.safetensors\",\"lambda\":0.1}]"
          + " | field 'routers[0].predictor' must name a readable file",
      "[{\"name\":\"v\",\"policy\":\"cheapest-reaching\",\"predictor\":\"p.safetensors\",\"target\":2}]"
          + " | field 'routers[0].target' must be a number in [0, 1] but was 2",
      "[{\"name\":\"v\",\"policy\":\"quality-cost\",\"predictor\":\"p.safetensors\",\"lambda\":0.1,"
          + "\"target\":0.5}] | field 'routers[0].target' is not a field of a pool file",
      "[{\"name\":\"bad name\",\"policy\":\"cascade\"}] | field 'routers[0].name' must be letters",
      "[{\"name\":\"c\",\"policy\":\"cascade\",\"steps\":[{\"models\":[\"a\"]},{\"models\":[\"b\"]}]}]"
          + " | field 'routers[0].steps' must have at least one step with a 'check'",
      "[{\"name\":\"c\",\"policy\":\"cascade\",\"steps\":[{\"models\":[\"a\",\"z\"],\"check\":"
          + "\"agreement\",\"extractor\":\"number\"}]}] | field 'routers[0].steps[0].models[1]' must name a model"
          + " of the pool (a, b) but was \"z\"",
      "[{\"name\":\"c\",\"policy\":\"cascade\",\"steps\":[{\"models\":[\"a\"],\"check\":\"agreement\","
          + "\"extractor\":\"number\"}]}] | field 'routers[0].steps[0].models' must name two models or more for an"
          + " agreement check",
      "[{\"name\":\"c\",\"policy\":\"cascade\",\"steps\":[{\"models\":[\"a\",\"b\"],\"check\":"
          + "\"agreement\",\"extractor\":\"roman\"}]}] | field 'routers[0].steps[0].extractor' must be one of"
          + " number, math, choice-letter, code, text but was 'roman'",
      "[{\"name\":\"c\",\"policy\":\"cascade\",\"steps\":[{\"models\":[\"a\"],\"check\":\"verifier\","
          + "\"verifier\":\"b\",\"threshold\":0.5,\"extractor\":\"number\"}]}] | field"
          + " 'routers[0].steps[0].extractor' does not belong to a step checked by verifier",
      "[{\"name\":\"c\",\"policy\":\"cascade\",\"steps\":[{\"models\":[\"a\"],\"check\":\"verifier\","
          + "\"verifier\":\"q\",\"threshold\":0.5}]}] | field 'routers[0].steps[0].verifier' must name a model"
          + " of the pool",
      "[{\"name\":\"c\",\"policy\":\"cascade\",\"steps\":[{\"models\":[\"a\"],\"check\":\"confidence\","
          + "\"confidence_model\":\"alamere\"}]}] | field 'routers[0].steps[0].threshold' is required",
      "[{\"name\":\"v\",\"policy\":\"quality-cost\",\"predictor\":\"p.safetensors\",\"lambda\":0.1},"
          + "{\"name\":\"v\",\"policy\":\"quality-cost\",\"predictor\":\"p.safetensors\",\"lambda\":0.2}]"
          + " | field 'routers[1].name' must be unique but 'v' appears twice"})
  void read_badRouter_namesTheFileAndTheField(String routers, String message) throws IOException {
    Files.writeString(dir.resolve("p.safetensors"), "not read before open");
    Path file = write("{" + TWO + ",\"routers\":" + routers + "}");

    assertThatThrownBy(() -> PoolConfig.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file + ": " + message);
  }

  @Test
  void policies_predictorNotAnNwayFile_namesThePoolFileAndTheField() throws IOException {
    Files.writeString(dir.resolve("p.safetensors"), "garbage");
    Path file = write("{" + TWO + ",\"routers\":[{\"name\":\"v\",\"policy\":\"quality-cost\",\"predictor\":"
        + "\"p.safetensors\",\"lambda\":0.1}]}");
    PoolConfig config = PoolConfig.read(file);
    try (PoolConfig.Opened opened = config.open(new OkHttpClient(), Map.of())) {
      assertThatThrownBy(() -> config.policies(opened.pool(), id -> {
        throw new AssertionError("no embedder needed");
      })).isInstanceOf(InvalidFileException.class)
          .hasMessageStartingWith(file + ": field 'routers[0].predictor' cannot be used: ");
    }
  }

  @Test
  void policies_predictorMissingAPoolModel_namesTheRouter() throws IOException {
    dev.routellm.prediction.QualityPredictors.save(dev.routellm.prediction.LexicalQualityNeighbors.fit(
        java.util.List.of("a", "other"), java.util.List.of("one prompt", "another prompt"),
        new double[][] {{1, 0}, {0, 1}}, 1, 0), dir.resolve("p.safetensors"));
    Path file = write("{" + TWO + ",\"routers\":[{\"name\":\"v\",\"policy\":\"quality-cost\",\"predictor\":"
        + "\"p.safetensors\",\"lambda\":0.1}]}");
    PoolConfig config = PoolConfig.read(file);
    try (PoolConfig.Opened opened = config.open(new OkHttpClient(), Map.of())) {
      assertThatThrownBy(() -> config.policies(opened.pool(), id -> null))
          .isInstanceOf(InvalidFileException.class)
          .hasMessageStartingWith(file + ": field 'routers[0]' cannot work with the pool: ")
          .hasMessageContaining("'b'");
    }
  }

  @Test
  void policies_builtinPredictor_knowsModelsByNameOrServerIdAndRoutesByIt() throws IOException {
    Path file = write("{\"models\":["
        + "{\"name\":\"gpt-4o\",\"base_url\":\"http://x/v1\",\"key_env\":\"none\",\"price\":[2.5,10]},"
        + "{\"name\":\"local\",\"model\":\"llama-3.1-8b\",\"base_url\":\"http://y/v1\",\"key_env\":\"none\","
        + "\"price\":0.05}],"
        + "\"routers\":[{\"name\":\"v\",\"policy\":\"quality-cost\",\"predictor\":\"builtin\",\"lambda\":0.0}]}");
    PoolConfig config = PoolConfig.read(file);
    try (PoolConfig.Opened opened = config.open(new OkHttpClient(), Map.of());
        dev.routellm.onnx.OnnxEmbedder miniLm = dev.routellm.onnx.OnnxEmbedder.allMiniLmL6V2()) {
      dev.routellm.routing.RoutingPolicy policy = config.policies(opened.pool(), id -> miniLm).get("v");
      dev.routellm.routing.Router router = dev.routellm.routing.Router.builder().pool(opened.pool()).policy(policy)
          .build();

      dev.routellm.routing.RoutingDecision d = router.route(dev.routellm.chat.ChatRequest.of(
          "Find all real x such that x^4 - 5x^2 + 4 < 0 and prove the answer is complete."));

      assertThat(d.model()).as("lambda 0: the best predicted quality").isEqualTo("gpt-4o");
      assertThat(d.candidate("local").orElseThrow().predictedQuality())
          .isLessThan(d.candidate("gpt-4o").orElseThrow().predictedQuality());
    }
  }

  @Test
  void read_builtinPredictorWithAnUnknownModel_namesTheFieldAndTheModel() throws IOException {
    Path file = write("{" + TWO + ",\"routers\":[{\"name\":\"v\",\"policy\":\"quality-cost\",\"predictor\":"
        + "\"builtin\",\"lambda\":0.1}]}");
    PoolConfig config = PoolConfig.read(file);
    try (PoolConfig.Opened opened = config.open(new OkHttpClient(), Map.of())) {
      assertThatThrownBy(() -> config.policies(opened.pool(), id -> {
        throw new AssertionError("the names are checked before any embedder is opened");
      })).isInstanceOf(InvalidFileException.class)
          .hasMessageStartingWith(file + ": field 'routers[0].predictor' is 'builtin', which does not know model 'a'");
    }
  }
}
