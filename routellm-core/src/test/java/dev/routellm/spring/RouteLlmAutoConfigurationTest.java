package dev.routellm.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.ConfigurationException;
import dev.routellm.micrometer.RouterMetrics;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import dev.routellm.testing.LoopbackModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Spring Boot auto-configuration from routellm.* properties, with two loopback models. */
class RouteLlmAutoConfigurationTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final LoopbackModel strongModel = new LoopbackModel("big");
  private final LoopbackModel weakModel = new LoopbackModel("small");
  @TempDir Path tmp;

  @AfterEach
  void close() {
    strongModel.close();
    weakModel.close();
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RouteLlmAutoConfiguration.class))
        .withPropertyValues(
            "routellm.models[0].name=big", "routellm.models[0].base-url=" + strongModel.baseUrl(),
            "routellm.models[0].api-key-env=none", "routellm.models[0].price=10,30",
            "routellm.models[1].name=small", "routellm.models[1].base-url=" + weakModel.baseUrl(),
            "routellm.models[1].api-key-env=none", "routellm.models[1].price=0.5");
  }

  @Test
  void properties_twoModelsAndAPredictorBean_routerAndSpringAiChatModelRouteOverHttp() {
    strongModel.answers("A careful proof", 40, 60);
    weakModel.answers("Hi!", 5, 2);
    runner()
        .withBean(WinRatePredictor.class, () -> WinRatePredictor.of("length", p -> p.length() > 20 ? 0.9 : 0.1))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("routellm.threshold=0.5", "routellm.name=app-router")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(Router.class).hasSingleBean(ChatModel.class);
          ChatModel chat = context.getBean(ChatModel.class);

          ChatResponse hard = chat.call(new Prompt("Prove that sqrt(2) is irrational",
              ChatOptions.builder().temperature(0.2).maxTokens(200).build()));
          ChatResponse easy = chat.call(new Prompt("Hello"));

          assertThat(hard.getResult().getOutput().getText()).isEqualTo("A careful proof");
          RoutingDecision decision = RoutingChatModel.decision(hard).orElseThrow();
          assertThat(decision.model()).isEqualTo("big");
          assertThat(decision.router()).isEqualTo("app-router");
          assertThat((Double) hard.getMetadata().get(RoutingChatModel.COST)).isEqualTo((40 * 10 + 60 * 30) / 1e6);
          assertThat(hard.getMetadata().getUsage().getPromptTokens()).isEqualTo(40);
          assertThat(RoutingChatModel.decision(easy).orElseThrow().model()).isEqualTo("small");
          JsonNode sent = JSON.readTree(strongModel.takeRequestBody());
          assertThat(sent.get("model").asString()).isEqualTo("big");
          assertThat(sent.get("max_tokens").asInt()).isEqualTo(200);

          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry.get(RouterMetrics.REQUESTS).tags("router", "app-router", "model", "small").counter()
              .count()).isEqualTo(1);
          assertThat(registry.get(RouterMetrics.BREAKER_STATE).tags("model", "big").gauges()).isNotEmpty();
        });
  }

  @Test
  void properties_strongShareOnCalibrationPrompts_thresholdSendsThatShare() throws Exception {
    Path prompts = tmp.resolve("traffic.txt");
    Files.write(prompts, List.of("a", "bb", "ccc", "dddd"));
    runner()
        .withBean(WinRatePredictor.class, () -> WinRatePredictor.of("len", p -> p.length() / 10.0))
        .withPropertyValues("routellm.strong-share=0.5", "routellm.calibration-prompts=" + prompts)
        .run(context -> {
          Router router = context.getBean(Router.class);
          assertThat(router.route(dev.routellm.chat.ChatRequest.of("ccc")).model()).isEqualTo("big");
          assertThat(router.route(dev.routellm.chat.ChatRequest.of("bb")).model()).isEqualTo("small");
        });
  }

  @Test
  void properties_noPredictorBean_seededRandomRouter() {
    runner().run(context -> assertThat(context.getBean(Router.class).route(dev.routellm.chat.ChatRequest.of("x"))
        .router()).isEqualTo("random"));
  }

  @Test
  void properties_badPrice_startFailsNamingTheProperty() {
    runner().withPropertyValues("routellm.models[1].price=cheap").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("routellm.models[1].price").hasMessageContaining("'cheap'");
    });
  }

  @Test
  void properties_thresholdAndStrongShare_startFailsSayingTheyAreExclusive() {
    runner().withPropertyValues("routellm.threshold=0.3", "routellm.strong-share=0.2").run(context ->
        assertThat(context.getStartupFailure()).rootCause()
            .hasMessageContaining("routellm.threshold and routellm.strong-share are exclusive"));
  }

  @Test
  void noModelsConfigured_nothingIsCreated() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RouteLlmAutoConfiguration.class))
        .run(context -> assertThat(context).doesNotHaveBean(Router.class).doesNotHaveBean(ChatModel.class));
  }

  @Test
  void stream_springAiFlux_piecesThenAFinalResponseWithTheDecision() {
    weakModel.streams(6, 2, "Hel", "lo");
    runner().run(context -> {
      List<ChatResponse> parts = context.getBean(ChatModel.class).stream(new Prompt("Hi")).collectList().block();
      assertThat(parts).hasSize(3);
      assertThat(parts.get(0).getResult().getOutput().getText()).isEqualTo("Hel");
      assertThat(parts.get(2).getResult().getOutput().getText()).isEqualTo("Hello");
      assertThat(RoutingChatModel.decision(parts.get(2))).isPresent();
    });
  }
}
