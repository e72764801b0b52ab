package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.Usage;
import dev.routellm.data.PoolDataset;
import dev.routellm.data.PoolDatasetFiles;
import dev.routellm.prediction.QualityPredictor;
import dev.routellm.routing.Candidate;
import dev.routellm.routing.ModelPool;
import dev.routellm.routing.PoolModel;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import dev.routellm.routing.RoutingPolicy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BuiltInQualityPredictorTest {
  static final Path ZEROEVAL = Path.of(System.getProperty("routellm.nway.data", "../../shared/data/nway"), "zeroeval");
  static final List<String> POOL = List.of("gpt-4o", "gpt-4o-mini", "llama-3-8b");
  /** Real questions: the first 12 of ZeroEval's GSM8K and of its MATH level 5. */
  static final int PER_SET = 12;

  static BuiltInRouter builtIn;

  @BeforeAll
  static void load() {
    builtIn = BuiltInRouter.topics();
  }

  @AfterAll
  static void close() {
    builtIn.close();
  }

  static List<String> prompts(String benchmark) {
    PoolDataset data = PoolDatasetFiles.read(ZEROEVAL.resolve(benchmark + ".jsonl"));
    return data.prompts().subList(0, PER_SET);
  }

  @Test
  void shipped_loadsFromTheJarAsAFewKilobytesForTheModelsOfTheData() throws Exception {
    try (var in = BuiltInQualityPredictor.class.getResourceAsStream(BuiltInQualityPredictor.RESOURCE)) {
      assertThat(in.readAllBytes().length).as("bytes").isLessThan(4096);
    }
    assertThat(BuiltInQualityPredictor.knownModels())
        .contains("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "claude-3-haiku-20240307", "gemini-1.5-flash",
            "llama-3.1-8b-instruct", "llama-3.1-70b-instruct", "llama-3.1-405b-instruct", "qwen2.5-72b-instruct",
            "mistral-7b-instruct-v0.3", "llama-3.1-nemotron-51b-instruct", "codegemma-7b", "gpt-4-1106-preview",
            "mixtral-8x7b-instruct-v0.1")
        .hasSizeGreaterThan(50)
        .isSorted();
  }

  @Test
  void resolve_aliasesCaseProviderAndVendorSpellings_giveTheKnownName() {
    assertThat(BuiltInQualityPredictor.resolve("GPT-4o")).hasValue("gpt-4o-2024-08-06");
    assertThat(BuiltInQualityPredictor.resolve("gpt-4o-2024-05-13")).hasValue("gpt-4o-2024-05-13");
    assertThat(BuiltInQualityPredictor.resolve("meta-llama/Meta-Llama-3.1-8B-Instruct"))
        .hasValue("llama-3.1-8b-instruct");
    assertThat(BuiltInQualityPredictor.resolve("gemma-2-27b-it@together")).hasValue("gemma-2-27b-it");
    assertThat(BuiltInQualityPredictor.resolve("Llama-3.1-405B-Instruct-Turbo")).hasValue("llama-3.1-405b-instruct");
    assertThat(BuiltInQualityPredictor.resolve("mistralai/Mixtral-8x7B-Instruct-v0.1"))
        .hasValue("mixtral-8x7b-instruct-v0.1");
    assertThat(BuiltInQualityPredictor.resolve("gpt-5")).isEmpty();
    assertThat(BuiltInQualityPredictor.aliases().values())
        .as("every alias names a known model")
        .allMatch(known -> BuiltInQualityPredictor.knownModels().contains(known));
  }

  @Test
  void qualityPredictor_unknownModel_throwsListingTheKnownNames() {
    assertThatThrownBy(() -> builtIn.qualityPredictor(List.of("gpt-4o", "my-finetune", "gpt-5")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("the built-in quality predictor does not know 'my-finetune', 'gpt-5'; it knows ")
        .hasMessageContaining("gpt-4o-2024-08-06, gpt-4o-mini-2024-07-18")
        .hasMessageContaining("llama-3.1-8b");
    assertThatThrownBy(() -> builtIn.qualityPredictor(Map.of("llama3.1:8b", "llama-9")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'llama-9' (for 'llama3.1:8b')");
  }

  @Test
  void qualityPredictor_emptyOrDuplicateModels_throwsNamingThem() {
    assertThatThrownBy(() -> builtIn.qualityPredictor(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("models must not be empty");
    assertThatThrownBy(() -> builtIn.qualityPredictor(List.of("gpt-4o", "gpt-4o")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("models must be distinct but 'gpt-4o' appears twice in [gpt-4o, gpt-4o]");
    assertThatThrownBy(() -> builtIn.qualityPredictor(List.of(" ")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be blank");
  }

  @Test
  void predict_realPrompts_inUnitIntervalUnderTheGivenNamesAndTheSameInBulk() {
    QualityPredictor q = builtIn.qualityPredictor(POOL);
    assertThat(q.name()).isEqualTo("builtin");
    assertThat(q.models()).isEqualTo(POOL);
    List<String> prompts = prompts("math-l5");
    double[][] bulk = q.predictAll(prompts);
    for (int i = 0; i < prompts.size(); i++) {
      assertThat(bulk[i]).hasSize(3);
      assertThat(java.util.Arrays.stream(bulk[i]).boxed().toList()).allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
      assertThat(q.predict(prompts.get(i))).containsExactly(bulk[i], within(1e-12));
    }
  }

  @Test
  void predict_hardMathAgainstGradeSchoolMath_smallModelsLoseMoreThanGpt4o() {
    List<String> models = List.of("gpt-4o", "llama-3-8b", "llama-3.1-8b", "gemini-1.5-flash", "claude-3-haiku");
    QualityPredictor q = builtIn.qualityPredictor(models);
    double[] easy = mean(q.predictAll(prompts("gsm8k")));
    double[] hard = mean(q.predictAll(prompts("math-l5")));
    for (int m = 0; m < models.size(); m++) {
      assertThat(hard[m]).as(models.get(m) + " on MATH-L5 against GSM8K").isLessThan(easy[m]);
    }
    double gpt4oDrop = easy[0] - hard[0];
    for (int m = 1; m < models.size(); m++) {
      assertThat(easy[m] - hard[m]).as(models.get(m) + "'s drop against gpt-4o's").isGreaterThan(gpt4oDrop);
      assertThat(hard[m]).as(models.get(m) + " on MATH-L5 against gpt-4o").isLessThan(hard[0]);
    }
  }

  @Test
  void qualityPredictor_poolNamesMappedToKnownModels_predictsAsTheKnownModels() {
    Map<String, String> names = new LinkedHashMap<>();
    names.put("llama3.1:8b", "llama-3.1-8b");
    names.put("big", "gpt-4o-2024-08-06");
    QualityPredictor mapped = builtIn.qualityPredictor(names);
    QualityPredictor known = builtIn.qualityPredictor(List.of("llama-3.1-8b-instruct", "gpt-4o"));
    String prompt = prompts("gsm8k").get(0);

    assertThat(mapped.models()).containsExactly("llama3.1:8b", "big");
    assertThat(mapped.predict(prompt)).containsExactly(known.predict(prompt), within(0.0));
  }

  @Test
  void withEmbedder_theRoutersOwnMiniLm_predictsAsTheRouterAndRejectsAnotherEmbedder() {
    Map<String, String> names = new LinkedHashMap<>();
    names.put("llama3.1:8b", "llama-3.1-8b");
    names.put("gpt-4o", "gpt-4o");
    String prompt = prompts("math-l5").get(1);
    try (OnnxEmbedder miniLm = OnnxEmbedder.allMiniLmL6V2()) {
      assertThat(miniLm.id()).isEqualTo(BuiltInQualityPredictor.embedderId());
      assertThat(BuiltInQualityPredictor.withEmbedder(miniLm, names).predict(prompt))
          .containsExactly(builtIn.qualityPredictor(names).predict(prompt), within(1e-6));
      assertThat(BuiltInQualityPredictor.withEmbedder(miniLm, List.of("gpt-4o")).models()).containsExactly("gpt-4o");
    }
    dev.routellm.embedding.Embedder other = new dev.routellm.embedding.Embedder() {
      @Override
      public String id() {
        return "other";
      }

      @Override
      public int dimension() {
        return 384;
      }

      @Override
      public float[] embed(String text) {
        return new float[384];
      }
    };
    assertThatThrownBy(() -> BuiltInQualityPredictor.withEmbedder(other, List.of("gpt-4o")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("'other'");
  }

  @Test
  void router_qualityCostOverFakes_callsTheModelWithTheBestUtilityOfTheBuiltInPredictions() {
    QualityPredictor q = builtIn.qualityPredictor(POOL);
    ModelPool pool = ModelPool.builder()
        .model(PoolModel.of(new Answering("gpt-4o"), 2.50, 10.00))
        .model(PoolModel.of(new Answering("gpt-4o-mini"), 0.15, 0.60))
        .model(PoolModel.of(new Answering("llama-3-8b"), 0.07, 0.07))
        .build();
    for (double lambda : new double[] {0.0, 0.05, 1.0}) {
      Router router = Router.builder().pool(pool).policy(RoutingPolicy.qualityCost(q, lambda)).build();
      for (String prompt : List.of(prompts("gsm8k").get(0), prompts("math-l5").get(0), "Hi! How are you today?")) {
        RoutedResponse r = router.chat(ChatRequest.builder().user(prompt).build());
        RoutingDecision d = r.decision();
        double[] predicted = q.predict(prompt);
        double reference = d.candidate("gpt-4o").orElseThrow().expectedCost();
        String best = null;
        double bestUtility = Double.NEGATIVE_INFINITY;
        for (int m = 0; m < POOL.size(); m++) {
          Candidate c = d.candidate(POOL.get(m)).orElseThrow();
          assertThat(c.predictedQuality()).isEqualTo(predicted[m]);
          double u = RoutingPolicy.utility(c.predictedQuality(), c.expectedCost(), reference, lambda);
          if (u > bestUtility) {
            bestUtility = u;
            best = c.model();
          }
        }
        assertThat(d.rule()).isEqualTo(RoutingDecision.QUALITY_COST);
        assertThat(d.model()).as("lambda %s, %s", lambda, prompt).isEqualTo(best);
        assertThat(r.answeredBy()).isEqualTo(best);
        assertThat(r.response().text()).isEqualTo(best + " answers");
        if (lambda == 0.0) {
          assertThat(best).as("lambda 0: the best predicted quality").isEqualTo("gpt-4o");
        }
        if (lambda == 1.0) {
          assertThat(best).as("lambda 1: gpt-4o's whole price outweighs any gain").isNotEqualTo("gpt-4o");
        }
      }
    }
  }

  private static double[] mean(double[][] rows) {
    double[] out = new double[rows[0].length];
    for (double[] row : rows) {
      for (int m = 0; m < out.length; m++) {
        out[m] += row[m] / rows.length;
      }
    }
    return out;
  }

  /** Answers every call with "MODEL answers", 10 prompt and 20 completion tokens. */
  private record Answering(String model) implements ModelBackend {
    @Override
    public Capabilities capabilities() {
      return Capabilities.ALL;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      return ChatResponse.builder().model(model).text(model + " answers").finishReason("stop")
          .usage(new Usage(10, 20, true)).build();
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      return CompletableFuture.completedFuture(chat(request));
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      throw new UnsupportedOperationException("not streamed in this test");
    }

    @Override
    public void close() {}
  }
}
