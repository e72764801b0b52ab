package dev.routellm.spring;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code routellm.*} properties {@link RouteLlmAutoConfiguration} builds a router from. Immutable (bound through
 * the constructor). For example:
 *
 * <pre>
 * routellm.models[0].name=gpt-4o
 * routellm.models[0].price=2.50,10.00
 * routellm.models[1].name=llama3.1:8b
 * routellm.models[1].base-url=http://localhost:11434/v1
 * routellm.models[1].api-key-env=none
 * routellm.models[1].price=0
 * routellm.router-file=/etc/routellm/router.safetensors   # needs an Embedder bean (routellm-onnx)
 * routellm.strong-share=0.3                               # or routellm.threshold=0.35
 * routellm.calibration-prompts=/etc/routellm/traffic.txt  # for strong-share: one prompt per line
 * </pre>
 *
 * @param models the two models, strong first; each needs a price
 * @param routerFile a router file from {@code routellm train}; without one, a {@link
 *     dev.routellm.prediction.WinRatePredictor} bean decides, else the seeded random predictor
 * @param threshold prompts scoring at or above it go to the strong model; default: the router file's calibrated
 *     threshold, else 0.5
 * @param strongShare instead of a threshold: the share of {@code calibrationPrompts} to send to the strong model
 * @param calibrationPrompts a text file of representative prompts, one per line, for {@code strongShare}
 * @param seed the random predictor's seed (default 42)
 * @param name the router's name in decisions and metrics (default: the predictor's)
 */
@ConfigurationProperties("routellm")
public record RouteLlmProperties(
    List<Model> models,
    Path routerFile,
    Double threshold,
    Double strongShare,
    Path calibrationPrompts,
    @DefaultValue("42") long seed,
    String name) {

  /** The prefix of every property. */
  public static final String PREFIX = "routellm";

  public RouteLlmProperties {
    models = models == null ? List.of() : List.copyOf(models);
  }

  /**
   * One model endpoint.
   *
   * @param name the model name sent to the endpoint, used for prices and decisions
   * @param baseUrl an OpenAI-compatible base URL (default OpenAI's)
   * @param apiKeyEnv the environment variable holding the key, or {@code none} for a local server (default {@code
   *     OPENAI_API_KEY})
   * @param price {@code IN,OUT} dollars per million input and output tokens, or one number for both; required
   */
  public record Model(
      String name,
      @DefaultValue("https://api.openai.com/v1") String baseUrl,
      @DefaultValue("OPENAI_API_KEY") String apiKeyEnv,
      String price) {}
}
