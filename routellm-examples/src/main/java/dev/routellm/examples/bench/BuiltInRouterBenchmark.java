package dev.routellm.examples.bench;

import dev.routellm.calibration.ThresholdCalibrator;
import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.Outcome;
import dev.routellm.data.QualityUnit;
import dev.routellm.data.RouteLlmBenchmarks;
import dev.routellm.embedding.CachingEmbedder;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.Evaluation;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxEmbedder;
import dev.routellm.prediction.EmbeddingPredictor;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.LinearRegressionScorer;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.routing.Tier;
import dev.routellm.training.TrainingSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built-in router: how it is made, and how well routing carries from one benchmark to another. Every permissively
 * licensed source of {@code ../shared/data}: RouteLLM's MMLU, GSM8K and MT-Bench (GPT-4 against Mixtral), ZeroEval's
 * GSM8K and MATH level 5 (41 and 38 models) and LLMRouter's fourteen tasks (9 open models).
 *
 * <p>The built-in router is a {@link LinearRegressionScorer} on MiniLM embeddings and prompt length predicting a
 * prompt's difficulty: the share of the source's models that fail it (for RouteLLM's two models, the mean of their
 * failures; MT-Bench scores divided by 10), each source weighing the same. Its threshold sends half of a sample of up
 * to {@value #CALIBRATION_PER_SOURCE} prompts per source to the strong model.
 *
 * <p>Cross-benchmark figures: for each held-out source (RouteLLM's and ZeroEval's files, and each LLMRouter task where
 * the strong model beats the weak one), train on every other source, leaving out every prompt of the same benchmark
 * wherever it appears (GSM8K is in three sources), and report the APGR on the held-out source for its own pair:
 * GPT-4-1106 against Mixtral (RouteLLM), gpt-4o-2024-08-06 against Llama-3.1-8B (ZeroEval), Nemotron-51B against
 * Mistral-7B (LLMRouter).
 *
 * <pre>
 * java -cp routellm-examples/target/routellm.jar dev.routellm.examples.bench.BuiltInRouterBenchmark \
 *     [--data ../shared/data] [--cache .cache/embeddings] [--write FILE] [--no-eval]
 * </pre>
 */
public final class BuiltInRouterBenchmark {
  /** Prompts per source in the sample the threshold is calibrated on. */
  static final int CALIBRATION_PER_SOURCE = 500;
  static final long SEED = 42;
  static final String ZEROEVAL_STRONG = "gpt-4o-2024-08-06";
  static final String ZEROEVAL_WEAK = "Meta-Llama-3.1-8B-Instruct";
  static final String LLMROUTER_STRONG = "llama-3.1-nemotron-51b-instruct";
  static final String LLMROUTER_WEAK = "mistral-7b-instruct-v0.3";
  /** LLMRouter tasks that are another source's benchmark, or share one family. */
  static final Map<String, String> FAMILIES = Map.of("mbpp", "code", "human_eval", "code", "agentverse-mgsm", "gsm8k",
      "math", "math", "mmlu", "mmlu", "gsm8k", "gsm8k");

  /**
   * One prompt of one source.
   *
   * @param source where it comes from ({@code routellm-mmlu}, {@code llmrouter-gpqa})
   * @param family its benchmark, shared by sources holding the same questions
   * @param group a topic for the topic-centroid baseline (an MMLU subject, the source)
   * @param strong the source's strong model's outcome
   * @param weak the source's weak model's outcome
   * @param difficulty the share of the source's models that fail it
   * @param tierGain the best third of the source's models' mean outcome less the worst third's (for RouteLLM's two
   *     models, strong less weak)
   */
  record Item(String source, String family, String group, String prompt, double strong, double weak,
      double difficulty, double tierGain) {}

  private BuiltInRouterBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of("..", "shared", "data");
    Path cache = Path.of(".cache", "embeddings");
    Path write = null;
    boolean evaluate = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--cache" -> cache = Path.of(args[++i]);
        case "--write" -> write = Path.of(args[++i]);
        case "--no-eval" -> evaluate = false;
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; expected --data DIR,"
            + " --cache DIR, --write FILE, --no-eval");
      }
    }
    List<Item> items = load(data);
    try (OnnxEmbedder model = OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).build();
        CachingEmbedder embedder = CachingEmbedder.open(model, Files.createDirectories(cache))) {
      List<float[]> embeddings = embed(embedder, items);
      if (evaluate) {
        crossBenchmark(items, embeddings);
      }
      if (write != null) {
        TrainedRouter router = builtIn(items, embeddings, model);
        router.save(write);
        System.out.printf(Locale.ROOT, "%nWrote %s (%,d bytes): %s on %,d prompts of %d sources, threshold %.6f.%n",
            write, Files.size(write), router.predictor().scorer().kind(), items.size(), sources(items).size(),
            router.threshold().orElseThrow());
      }
    }
  }

  /** The built-in router trained on every item. */
  static TrainedRouter builtIn(List<Item> items, List<float[]> embeddings, Embedder embedder) {
    LinearRegressionScorer scorer = difficulty(items, embeddings, all(items.size()));
    List<Integer> sample = new ArrayList<>();
    Random random = new Random(SEED);
    for (String source : sources(items)) {
      List<Integer> of = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).source.equals(source)) {
          of.add(i);
        }
      }
      Collections.shuffle(of, random);
      sample.addAll(of.subList(0, Math.min(CALIBRATION_PER_SOURCE, of.size())));
    }
    double[] scores = new double[sample.size()];
    for (int k = 0; k < scores.length; k++) {
      scores[k] = scorer.score(items.get(sample.get(k)).prompt, embeddings.get(sample.get(k)));
    }
    double threshold = ThresholdCalibrator.of(scores).forStrongShare(0.5).threshold();
    return new TrainedRouter(EmbeddingPredictor.of(embedder, scorer).named("topics"), "strong", "weak",
        OptionalDouble.of(threshold));
  }

  /** The difficulty regression on the given items, each source weighing the same. */
  static LinearRegressionScorer difficulty(List<Item> items, List<float[]> embeddings, List<Integer> train) {
    return linear(items, embeddings, train, Item::difficulty);
  }

  /** A regression of {@code target} on the given items, each source weighing the same. */
  static LinearRegressionScorer linear(List<Item> items, List<float[]> embeddings, List<Integer> train,
      ToDoubleFunction<Item> target) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i : train) {
      counts.merge(items.get(i).source, 1, Integer::sum);
    }
    List<String> prompts = new ArrayList<>(train.size());
    List<float[]> e = new ArrayList<>(train.size());
    double[] targets = new double[train.size()];
    double[] weights = new double[train.size()];
    for (int k = 0; k < train.size(); k++) {
      Item it = items.get(train.get(k));
      prompts.add(it.prompt);
      e.add(embeddings.get(train.get(k)));
      targets[k] = target.applyAsDouble(it);
      weights[k] = 1.0 / counts.get(it.source);
    }
    return LinearRegressionScorer.fit(prompts, e, targets, weights, LinearRegressionScorer.DEFAULT_PENALTY);
  }

  /** Leave-one-source-out APGR of the built-in recipe and two alternatives. */
  static void crossBenchmark(List<Item> items, List<float[]> embeddings) {
    List<String> units = new ArrayList<>();
    for (String s : sources(items)) {
      Dataset d = dataset(items, indices(items, s));
      if (d.quality(Tier.STRONG) - d.quality(Tier.WEAK) > 0.02 * d.unit().scale()) {
        units.add(s);
      } else {
        System.out.printf(Locale.ROOT, "(%s left out: the weak model is not worse, %.1f against %.1f)%n", s,
            d.quality(Tier.WEAK), d.quality(Tier.STRONG));
      }
    }
    String[] methods = {"linear, difficulty (built-in)", "linear, tier gain", "linear, pair win rate",
        "topic centroids, pair win rate"};
    Map<String, List<Double>> results = new LinkedHashMap<>();
    System.out.println("| held-out source (its pair) | prompts | " + String.join(" | ", methods) + " |");
    System.out.println("|---|---:|" + "---:|".repeat(methods.length));
    for (String unit : units) {
      List<Integer> test = indices(items, unit);
      String family = items.get(test.get(0)).family;
      List<Integer> train = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (!items.get(i).family.equals(family) && !items.get(i).source.equals(unit)) {
          train.add(i);
        }
      }
      Dataset held = dataset(items, test);
      StringBuilder row = new StringBuilder("| " + unit + " | " + test.size() + " |");
      for (String method : methods) {
        EmbeddingScorer scorer = switch (method) {
          case "linear, difficulty (built-in)" -> difficulty(items, embeddings, train);
          case "linear, pair win rate" -> linear(items, embeddings, train, it -> (1 + it.strong - it.weak) / 2);
          case "linear, tier gain" -> linear(items, embeddings, train, it -> (1 + it.tierGain) / 2);
          default -> centroids(items, embeddings, train);
        };
        double[] scores = new double[test.size()];
        for (int k = 0; k < scores.length; k++) {
          scores[k] = scorer.score(items.get(test.get(k)).prompt, embeddings.get(test.get(k)));
        }
        double apgr = Evaluation.ofScores(held, method, scores).metrics().apgr();
        results.computeIfAbsent(method, m -> new ArrayList<>()).add(apgr);
        row.append(String.format(Locale.ROOT, " %.3f |", apgr));
      }
      System.out.println(row);
    }
    StringBuilder mean = new StringBuilder("| **mean of " + units.size() + "** | |");
    for (String method : methods) {
      mean.append(String.format(Locale.ROOT, " **%.3f** |",
          results.get(method).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
    }
    System.out.println(mean);
  }

  private static EmbeddingScorer centroids(List<Item> items, List<float[]> embeddings, List<Integer> train) {
    List<String> prompts = new ArrayList<>();
    List<float[]> e = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    double[] strong = new double[train.size()];
    double[] weak = new double[train.size()];
    for (int k = 0; k < train.size(); k++) {
      Item it = items.get(train.get(k));
      prompts.add(it.prompt);
      e.add(embeddings.get(train.get(k)));
      groups.add(it.group);
      strong[k] = it.strong;
      weak[k] = it.weak;
    }
    return TrainingSet.of(prompts, e, strong, weak, groups, "strong", "weak").groupCentroids(3);
  }

  private static Dataset dataset(List<Item> items, List<Integer> indices) {
    List<Example> examples = new ArrayList<>();
    for (int k = 0; k < indices.size(); k++) {
      Item it = items.get(indices.get(k));
      examples.add(Example.builder().id(Integer.toString(k)).prompt(it.prompt).strong(Outcome.judged(it.strong))
          .weak(Outcome.judged(it.weak)).build());
    }
    return Dataset.builder().name(items.get(indices.get(0)).source).unit(new QualityUnit("mean outcome %", 100))
        .strongModel("strong").weakModel("weak").examples(examples).build();
  }

  private static List<Integer> indices(List<Item> items, String source) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).source.equals(source)) {
        out.add(i);
      }
    }
    return out;
  }

  private static List<Integer> all(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  private static List<String> sources(List<Item> items) {
    return items.stream().map(Item::source).distinct().toList();
  }

  static List<float[]> embed(Embedder embedder, List<Item> items) {
    List<float[]> out = new ArrayList<>(items.size());
    for (int from = 0; from < items.size(); from += 512) {
      out.addAll(embedder.embedAll(items.subList(from, Math.min(items.size(), from + 512)).stream()
          .map(Item::prompt).toList()));
      System.err.printf(Locale.ROOT, "\rembedding %,d of %,d prompts", out.size(), items.size());
    }
    System.err.println();
    return out;
  }

  /** Every source's items. */
  static List<Item> load(Path data) {
    List<Item> items = new ArrayList<>();
    Path routellm = data.resolve("routellm");
    for (String b : RouteLlmBenchmarks.NAMES) {
      Dataset d = RouteLlmBenchmarks.load(b, routellm);
      double scale = b.equals(RouteLlmBenchmarks.MT_BENCH) ? 10 : 1;
      for (Example e : d.examples()) {
        double s = e.strong().score() / scale;
        double w = e.weak().score() / scale;
        items.add(new Item("routellm-" + b, b, b.equals(RouteLlmBenchmarks.MMLU) ? e.group().orElse(b) : b,
            e.prompt(), s, w, 1 - (s + w) / 2, s - w));
      }
    }
    Path nway = data.resolve("nway");
    for (String f : List.of("gsm8k", "math-l5")) {
      String family = f.equals("gsm8k") ? "gsm8k" : "math";
      List<JsonNode> rows = readJsonLines(nway.resolve("zeroeval").resolve(f + ".jsonl"));
      List<String>[] tiers = tiers(rows);
      rows.forEach(n -> items.add(item("zeroeval-" + f, family, n, ZEROEVAL_STRONG, ZEROEVAL_WEAK, tiers)));
    }
    List<JsonNode> rows = readJsonLines(nway.resolve("llmrouter").resolve("llmrouter.jsonl"));
    List<String>[] tiers = tiers(rows);
    for (JsonNode n : rows) {
      String task = n.get("task").asString();
      items.add(item("llmrouter-" + task, FAMILIES.getOrDefault(task, task), n, LLMROUTER_STRONG, LLMROUTER_WEAK,
          tiers));
    }
    return items;
  }

  private static Item item(String source, String family, JsonNode n, String strong, String weak,
      List<String>[] tiers) {
    JsonNode outcomes = n.get("outcomes");
    double sum = 0;
    int count = 0;
    for (JsonNode v : outcomes) {
      sum += v.asDouble();
      count++;
    }
    return new Item(source, family, source, n.get("prompt").asString(), outcomes.get(strong).asDouble(),
        outcomes.get(weak).asDouble(), 1 - sum / count, mean(outcomes, tiers[0]) - mean(outcomes, tiers[1]));
  }

  private static double mean(JsonNode outcomes, List<String> models) {
    double sum = 0;
    for (String m : models) {
      sum += outcomes.get(m).asDouble();
    }
    return sum / models.size();
  }

  /** The best third and the worst third of a file's models by mean outcome. */
  @SuppressWarnings("unchecked")
  private static List<String>[] tiers(List<JsonNode> rows) {
    Map<String, Double> sums = new HashMap<>();
    for (JsonNode n : rows) {
      n.get("outcomes").properties().forEach(e -> sums.merge(e.getKey(), e.getValue().asDouble(), Double::sum));
    }
    List<String> ranked = new ArrayList<>(sums.keySet());
    ranked.sort((a, b) -> Double.compare(sums.get(b), sums.get(a)));
    int third = Math.max(1, ranked.size() / 3);
    return new List[] {ranked.subList(0, third), ranked.subList(ranked.size() - third, ranked.size())};
  }

  static List<JsonNode> readJsonLines(Path file) {
    JsonMapper json = JsonMapper.builder().build();
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(json.readTree(line));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
