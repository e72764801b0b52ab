package dev.routellm.spring;

import dev.routellm.ConfigurationException;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.calibration.ThresholdCalibrator;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.ModelPrice;
import dev.routellm.embedding.Embedder;
import dev.routellm.micrometer.RouterMetrics;
import dev.routellm.opentelemetry.RouterTracing;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.Router;
import dev.routellm.routing.RouterListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot auto-configuration: when {@code routellm.models[0].name} is set, builds the models ({@link
 * OpenAiBackend}s), a two-model {@link Router} (strong first) and, with Spring AI on the class path, a {@link
 * RoutingChatModel} bean, from the {@linkplain RouteLlmProperties routellm.* properties}. With Micrometer's
 * {@code MeterRegistry} bean the router reports {@link RouterMetrics} (breaker gauges included); with an {@code
 * OpenTelemetry} bean, {@link RouterTracing} spans; any other {@link RouterListener} bean is added too.
 *
 * <p>The predictor: a router file ({@code routellm.router-file}, with the {@link Embedder} bean it was trained with,
 * for example an {@code OnnxEmbedder} from routellm-onnx), else a {@link WinRatePredictor} bean, else the seeded
 * random predictor. The threshold: {@code routellm.threshold}, or {@code routellm.strong-share} calibrated on {@code
 * routellm.calibration-prompts}, else the router file's calibrated one, else 0.5. Each of your own beans of these
 * types replaces the one built here.
 *
 * <p>Bad properties fail the application's start with a {@link ConfigurationException} naming the property.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration"})
@ConditionalOnProperty(prefix = RouteLlmProperties.PREFIX, name = "models[0].name")
@EnableConfigurationProperties(RouteLlmProperties.class)
public class RouteLlmAutoConfiguration {
  /** The threshold when nothing else sets one. */
  public static final double DEFAULT_THRESHOLD = 0.5;

  /** The models of {@code routellm.models}, opened; closed with the context. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public RouteLlmModels routeLlmModels(RouteLlmProperties properties) {
    List<RouteLlmProperties.Model> models = properties.models();
    if (models.size() != 2) {
      throw new ConfigurationException("routellm.models must list 2 models (strong first, then weak) but lists "
          + models.size());
    }
    Set<String> names = new HashSet<>();
    List<OpenAiBackend> backends = new ArrayList<>();
    CostModel.Builder prices = CostModel.builder();
    try {
      for (int i = 0; i < models.size(); i++) {
        RouteLlmProperties.Model m = models.get(i);
        String at = "routellm.models[" + i + "]";
        if (m.name() == null || m.name().isBlank()) {
          throw new ConfigurationException(at + ".name is required");
        }
        if (!names.add(m.name())) {
          throw new ConfigurationException(at + ".name '" + m.name() + "' is listed twice");
        }
        if (m.price() == null) {
          throw new ConfigurationException(at + ".price is required for model '" + m.name() + "': IN,OUT dollars"
              + " per million tokens, 0 for a model you host");
        }
        try {
          prices.price(m.name(), ModelPrice.parse(m.price()));
        } catch (IllegalArgumentException e) {
          throw new ConfigurationException(at + ".price: " + e.getMessage());
        }
        OpenAiBackend.Builder b = OpenAiBackend.builder().baseUrl(m.baseUrl()).model(m.name());
        if ("none".equals(m.apiKeyEnv())) {
          b.noApiKey();
        } else {
          b.apiKeyFromEnvironment(m.apiKeyEnv());
        }
        try {
          backends.add(b.build());
        } catch (RuntimeException e) {
          throw new ConfigurationException(at + ": " + e.getMessage());
        }
      }
    } catch (RuntimeException e) {
      backends.forEach(OpenAiBackend::close);
      throw e;
    }
    return new RouteLlmModels(backends.get(0), backends.get(1), prices.build());
  }

  /** The router. */
  @Bean
  @ConditionalOnMissingBean
  public Router routeLlmRouter(RouteLlmProperties properties, RouteLlmModels models,
      ObjectProvider<Embedder> embedder, ObjectProvider<WinRatePredictor> predictorBean,
      ObjectProvider<RouterListener> listeners) {
    WinRatePredictor predictor;
    Double fileThreshold = null;
    if (properties.routerFile() != null) {
      Embedder e = embedder.getIfAvailable();
      if (e == null) {
        throw new ConfigurationException("routellm.router-file " + properties.routerFile() + " needs the Embedder"
            + " bean it was trained with (for example an OnnxEmbedder from routellm-onnx), but there is none");
      }
      TrainedRouter trained = TrainedRouter.load(properties.routerFile(), e);
      trained.checkModels(models.strong().model(), models.weak().model(),
          dev.routellm.prediction.ModelPairPolicy.WARN);
      predictor = trained.predictor();
      fileThreshold = trained.threshold().isPresent() ? trained.threshold().getAsDouble() : null;
    } else {
      predictor = predictorBean.getIfAvailable(() -> RandomPredictor.withSeed(properties.seed()));
    }
    Router.Builder b = Router.builder().strong(models.strong()).weak(models.weak()).predictor(predictor)
        .threshold(threshold(properties, predictor, fileThreshold)).costModel(models.prices());
    if (properties.name() != null) {
      b.name(properties.name());
    }
    List<RouterListener> all = listeners.orderedStream().toList();
    all.forEach(b::listener);
    Router router = b.build();
    all.stream().filter(l -> l instanceof RouterMetrics).forEach(l -> ((RouterMetrics) l).bindHealth(router));
    return router;
  }

  private static double threshold(RouteLlmProperties p, WinRatePredictor predictor, Double fileThreshold) {
    if (p.threshold() != null && p.strongShare() != null) {
      throw new ConfigurationException("routellm.threshold and routellm.strong-share are exclusive: give one");
    }
    if (p.threshold() != null) {
      if (!(p.threshold() >= 0 && p.threshold() <= 1)) {
        throw new ConfigurationException("routellm.threshold must be in [0, 1] but was " + p.threshold());
      }
      return p.threshold();
    }
    if (p.strongShare() != null) {
      if (!(p.strongShare() >= 0 && p.strongShare() <= 1)) {
        throw new ConfigurationException("routellm.strong-share must be in [0, 1] but was " + p.strongShare());
      }
      if (p.calibrationPrompts() == null) {
        throw new ConfigurationException("routellm.strong-share needs routellm.calibration-prompts: a text file of"
            + " representative prompts, one per line");
      }
      List<String> prompts;
      try {
        prompts = Files.readAllLines(p.calibrationPrompts()).stream().filter(l -> !l.isBlank()).toList();
      } catch (IOException e) {
        throw new ConfigurationException("routellm.calibration-prompts: cannot read " + p.calibrationPrompts()
            + " (" + e.getMessage() + ")", e);
      }
      if (prompts.isEmpty()) {
        throw new ConfigurationException("routellm.calibration-prompts " + p.calibrationPrompts()
            + " holds no prompt");
      }
      return ThresholdCalibrator.of(predictor.scoreAll(prompts)).forStrongShare(p.strongShare()).threshold();
    }
    return fileThreshold != null ? fileThreshold : DEFAULT_THRESHOLD;
  }

  /** Spring AI's chat model, when Spring AI is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.ai.chat.model.ChatModel")
  static class SpringAi {
    @Bean
    @ConditionalOnMissingBean(org.springframework.ai.chat.model.ChatModel.class)
    RoutingChatModel routingChatModel(Router router) {
      return new RoutingChatModel(router);
    }
  }

  /** Micrometer meters, when a registry is there. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static class Metrics {
    @Bean
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnMissingBean
    RouterMetrics routeLlmMetrics(MeterRegistry registry) {
      return RouterMetrics.of(registry);
    }
  }

  /** OpenTelemetry spans, when an OpenTelemetry bean is there. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.opentelemetry.api.OpenTelemetry")
  static class Tracing {
    @Bean
    @ConditionalOnBean(OpenTelemetry.class)
    @ConditionalOnMissingBean
    RouterTracing routeLlmTracing(OpenTelemetry openTelemetry) {
      return RouterTracing.of(openTelemetry);
    }
  }

  /**
   * The two models the properties name, and their prices. Closing it closes the backends (they were opened here).
   *
   * @param strong the strong model
   * @param weak the weak model
   * @param prices both models' prices
   */
  public record RouteLlmModels(OpenAiBackend strong, OpenAiBackend weak, CostModel prices) implements AutoCloseable {
    @Override
    public void close() {
      try {
        strong.close();
      } finally {
        weak.close();
      }
    }
  }
}
