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
      "{\"models\":[]} | field 'models' must be an array of exactly two models",
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
}
