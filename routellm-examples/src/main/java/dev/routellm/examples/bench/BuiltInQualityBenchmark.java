package dev.routellm.examples.bench;

import dev.routellm.cost.PriceTable;
import dev.routellm.data.PoolDataset;
import dev.routellm.data.PoolDatasetFiles;
import dev.routellm.data.PriceFile;
import dev.routellm.data.RouteLlmBenchmarks;
import dev.routellm.embedding.CachingEmbedder;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.FitContext;
import dev.routellm.evaluation.PoolCosts;
import dev.routellm.evaluation.PoolEvaluation;
import dev.routellm.evaluation.PoolEvaluator;
import dev.routellm.evaluation.PoolPolicies;
import dev.routellm.evaluation.QualityMethod;
import dev.routellm.evaluation.QualityMethods;
import dev.routellm.examples.bench.BuiltInRouterBenchmark.Item;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.BuiltInQualityPredictor;
import dev.routellm.onnx.BuiltInQualityPredictor.Curve;
import dev.routellm.onnx.BuiltInRouter;
import dev.routellm.onnx.OnnxEmbedder;
import dev.routellm.prediction.EmbeddingPredictor;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.LinearRegressionScorer;
import dev.routellm.prediction.QualityPredictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The built-in N-way quality predictor ({@link BuiltInQualityPredictor}): how its curves are made, and how well it
 * routes among priced models, held out and on benchmarks it never saw.
 *
 * <p>The curves: for every model of {@code ../shared/data} (RouteLLM's GPT-4 and Mixtral, ZeroEval's 41 and 38
 * models on GSM8K and MATH level 5, LLMRouter's 9 on 14 tasks; spellings of one model pooled by {@link
 * BuiltInQualityPredictor#normalize}), a weighted logistic regression of its outcomes (scores in [0, 1]; MT-Bench's
 * divided by 10) on the difficulty {@code d}, the logit of the built-in router's difficulty score
 * ({@link BuiltInRouterBenchmark}), each source weighing the same. {@code --write} fits them on every prompt with the
 * shipped difficulty regression and writes the resource.
 *
 * <p>Figures, with the protocol of {@code routellm eval --prices} (a {@link PoolEvaluator}, the quality-cost policy,
 * lambda swept, pools of the priced models, costs from the data's estimated tokens and list prices):
 *
 * <ul>
 *   <li><b>held out</b>: 5-fold cross-validation (seed 42) on ZeroEval GSM8K, MATH-L5 and LLMRouter; for each fold the
 *       difficulty regression and the curves are refitted on every prompt of every source except the fold's (by exact
 *       text, so GSM8K questions in RouteLLM's and LLMRouter's files leave too). Beside it, in the same run, the kNN
 *       predictors of {@code eval --prices} (MiniLM and lexical), trained on the four folds only.
 *   <li><b>cross-benchmark</b>: for ZeroEval GSM8K and MATH-L5, everything of the same benchmark family is left out
 *       (GSM8K also from RouteLLM and LLMRouter); for LLMRouter, each task's family in turn (leave-one-task-out). Pool
 *       models with no outcomes left (GSM8K-only models when GSM8K is held out) leave the pool; the frontier is that
 *       pool's.
 * </ul>
 *
 * <pre>
 * java -cp routellm-examples/target/routellm.jar dev.routellm.examples.bench.BuiltInQualityBenchmark \
 *     [--data ../shared/data] [--cache .cache/embeddings] [--write FILE] [--no-eval] [--folds 5] [--seed 42]
 * </pre>
 */
public final class BuiltInQualityBenchmark {
  /**
   * Strength of the prior on each slope, per unit of the model's total weight: the slope is pulled toward the median
   * slope of all models, so that a model graded on a narrow band of difficulty (GSM8K only) does not extrapolate a
   * flat curve to hard prompts.
   */
  static final double DEFAULT_SLOPE_PRIOR = 0.02;
  /** Fewest outcomes a model needs for a curve. */
  static final int MIN_OUTCOMES = 50;

  private BuiltInQualityBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of("..", "shared", "data");
    Path cache = Path.of(".cache", "embeddings");
    Path write = null;
    boolean evaluate = true;
    int folds = 5;
    long seed = 42;
    double prior = DEFAULT_SLOPE_PRIOR;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--cache" -> cache = Path.of(args[++i]);
        case "--write" -> write = Path.of(args[++i]);
        case "--no-eval" -> evaluate = false;
        case "--folds" -> folds = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--slope-prior" -> prior = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; expected --data DIR,"
            + " --cache DIR, --write FILE, --no-eval, --folds K, --seed N, --slope-prior P");
      }
    }
    List<Item> items = BuiltInRouterBenchmark.load(data);
    List<Map<String, Double>> outcomes = outcomes(data, items);
    try (OnnxEmbedder model = OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).build();
        CachingEmbedder embedder = CachingEmbedder.open(model, Files.createDirectories(cache))) {
      List<float[]> embeddings = BuiltInRouterBenchmark.embed(embedder, items);
      Corpus corpus = new Corpus(items, outcomes, embeddings, embedder, prior);
      if (write != null) {
        EmbeddingPredictor shipped = BuiltInRouter.withEmbedder(embedder).predictor();
        Map<String, Curve> curves = corpus.curves(shipped.scorer(), all(items.size()));
        BuiltInQualityPredictor.write(curves, write);
        printCurves(corpus, shipped.scorer(), curves);
        System.out.printf(Locale.ROOT, "%nWrote %s (%,d bytes): curves of %d models on %,d prompts of %d sources.%n",
            write, Files.size(write), curves.size(), items.size(),
            items.stream().map(Item::source).distinct().count());
      }
      if (evaluate) {
        Path nway = data.resolve("nway");
        List<Target> targets = List.of(
            new Target("ZeroEval GSM8K", PoolDatasetFiles.zeroEval(nway.resolve("zeroeval"), "gsm8k"),
                PriceFile.read(nway.resolve("zeroeval").resolve("prices.csv")), "zeroeval-gsm8k"),
            new Target("ZeroEval MATH-L5", PoolDatasetFiles.zeroEval(nway.resolve("zeroeval"), "math-l5"),
                PriceFile.read(nway.resolve("zeroeval").resolve("prices.csv")), "zeroeval-math-l5"),
            new Target("LLMRouter", PoolDatasetFiles.llmRouter(nway.resolve("llmrouter").resolve("llmrouter.jsonl")),
                PriceFile.read(nway.resolve("llmrouter").resolve("prices.csv")), "llmrouter-"));
        heldOut(corpus, targets, folds, seed);
        crossBenchmark(corpus, targets, folds, seed);
      }
    }
  }

  /** An N-model dataset to measure on, and the prefix of its items' sources. */
  record Target(String label, PoolDataset data, PriceTable prices, String sourcePrefix) {
    /** The data restricted to its priced models (and to {@code keep} among them when not null). */
    PoolCosts costs(Set<String> keep) {
      List<String> pool = data.models().stream()
          .filter(m -> prices.hasPrice(m) && (keep == null || keep.contains(m))).toList();
      return PoolCosts.of(data.withModels(pool), prices);
    }
  }

  /** Every prompt with its models' outcomes and its embedding. */
  record Corpus(List<Item> items, List<Map<String, Double>> outcomes, List<float[]> embeddings, Embedder embedder,
      double slopePrior) {
    /** A difficulty regression on the given items (the built-in recipe) and the curves on it. */
    BuiltInQualityPredictor fit(List<Integer> train, List<String> models) {
      LinearRegressionScorer difficulty = BuiltInRouterBenchmark.difficulty(items, embeddings, train);
      Map<String, Curve> curves = curves(difficulty, train);
      Map<String, Curve> pool = new LinkedHashMap<>();
      for (String m : models) {
        Curve c = curves.get(BuiltInQualityPredictor.normalize(m));
        if (c == null) {
          throw new IllegalStateException("no outcomes of '" + m + "' left to fit its curve on");
        }
        pool.put(m, c);
      }
      return BuiltInQualityPredictor.of(EmbeddingPredictor.of(embedder, difficulty), pool);
    }

    /** Each model's curve on the difficulty {@code scorer} gives, fitted on the given items. */
    Map<String, Curve> curves(EmbeddingScorer scorer, List<Integer> train) {
      // Each (model, source) weighs the same: weight 1 / the model's outcomes in that source.
      Map<String, Map<String, Integer>> counts = new HashMap<>();
      for (int i : train) {
        for (String m : outcomes.get(i).keySet()) {
          counts.computeIfAbsent(m, k -> new HashMap<>()).merge(items.get(i).source(), 1, Integer::sum);
        }
      }
      Map<String, List<double[]>> rows = new TreeMap<>();
      for (int i : train) {
        Item it = items.get(i);
        double d = BuiltInQualityPredictor.difficulty(scorer.score(it.prompt(), embeddings.get(i)));
        for (Map.Entry<String, Double> e : outcomes.get(i).entrySet()) {
          double w = 1.0 / counts.get(e.getKey()).get(it.source());
          rows.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new double[] {d, e.getValue(), w});
        }
      }
      rows.values().removeIf(r -> r.size() < MIN_OUTCOMES);
      // First each model alone (a slight pull toward 0 keeps separable outcomes finite), then toward the median slope.
      double[] slopes = rows.values().stream().mapToDouble(r -> logistic(r, 0, 1e-3).slope()).sorted().toArray();
      double median = slopes[slopes.length / 2];
      Map<String, Curve> curves = new TreeMap<>();
      rows.forEach((m, r) -> curves.put(m, logistic(r, median, slopePrior)));
      return curves;
    }
  }

  /**
   * Weighted logistic regression of outcomes on difficulty, by Newton's method: rows of {difficulty, outcome in
   * [0, 1], weight}; the slope's distance from {@code priorSlope} penalised by {@code prior} times the total weight.
   */
  static Curve logistic(List<double[]> rows, double priorSlope, double prior) {
    double total = 0;
    double mean = 0;
    for (double[] r : rows) {
      total += r[2];
      mean += r[2] * r[1];
    }
    mean = Math.min(1 - 1e-6, Math.max(1e-6, mean / total));
    double a = Math.log(mean / (1 - mean));
    double b = 0;
    double penalty = prior * total;
    for (int iter = 0; iter < 100; iter++) {
      double ga = 0;
      double gb = penalty * (b - priorSlope);
      double haa = 1e-9 * total;
      double hab = 0;
      double hbb = penalty;
      for (double[] r : rows) {
        double p = 1 / (1 + Math.exp(-(a + b * r[0])));
        double g = r[2] * (p - r[1]);
        double h = r[2] * p * (1 - p);
        ga += g;
        gb += g * r[0];
        haa += h;
        hab += h * r[0];
        hbb += h * r[0] * r[0];
      }
      double det = haa * hbb - hab * hab;
      double da = (hbb * ga - hab * gb) / det;
      double db = (haa * gb - hab * ga) / det;
      a -= da;
      b -= db;
      if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) {
        break;
      }
    }
    return new Curve(a, b);
  }

  /** 5-fold held-out figures of the built-in recipe beside the kNN predictors, same folds. */
  static void heldOut(Corpus corpus, List<Target> targets, int folds, long seed) {
    System.out.printf(Locale.ROOT, "%nHeld out: %d-fold cross-validation, seed %d, quality-cost policy, lambda swept"
        + " (router area / frontier area over the pool's cost range; cost share at the best model's quality)%n",
        folds, seed);
    System.out.println("| data (pool) | predictor | router area | frontier area | router - frontier | folds above"
        + " | cost share at best quality |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");
    for (Target t : targets) {
      PoolCosts costs = t.costs(null);
      Set<String> prompts = new HashSet<>(costs.data().prompts());
      QualityMethod builtIn = new QualityMethod() {
        @Override
        public String name() {
          return "builtin";
        }

        @Override
        public QualityPredictor fit(PoolDataset train, FitContext context) {
          Set<String> held = new HashSet<>(prompts);
          held.removeAll(train.prompts());
          List<Integer> keep = new ArrayList<>();
          for (int i = 0; i < corpus.items().size(); i++) {
            if (!held.contains(corpus.items().get(i).prompt())) {
              keep.add(i);
            }
          }
          return corpus.fit(keep, train.models());
        }
      };
      for (QualityMethod method : List.of(builtIn, QualityMethods.knn(corpus::embedder),
          QualityMethods.knnLexical())) {
        report(t, costs, method, folds, seed);
      }
    }
  }

  /** The built-in recipe on each benchmark family it never saw. */
  static void crossBenchmark(Corpus corpus, List<Target> targets, int folds, long seed) {
    System.out.printf(Locale.ROOT, "%nCross-benchmark: each family held out of the difficulty regression and the"
        + " curves (LLMRouter: leave-one-task-family-out); same protocol%n");
    System.out.println("| data (pool) | predictor | router area | frontier area | router - frontier | folds above"
        + " | cost share at best quality |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");
    List<Item> items = corpus.items();
    for (Target t : targets) {
      Map<String, String> familyOf = new HashMap<>();
      for (Item it : items) {
        if (it.source().startsWith(t.sourcePrefix())) {
          familyOf.putIfAbsent(it.prompt(), it.family());
        }
      }
      Map<String, Set<String>> promptsOf = new HashMap<>();
      familyOf.forEach((p, f) -> promptsOf.computeIfAbsent(f, k -> new HashSet<>()).add(p));
      Map<String, List<Integer>> trainOf = new TreeMap<>();
      for (String family : promptsOf.keySet()) {
        List<Integer> train = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
          if (!items.get(i).family().equals(family) && !promptsOf.get(family).contains(items.get(i).prompt())) {
            train.add(i);
          }
        }
        trainOf.put(family, train);
      }
      // The pool: priced models with outcomes left in every family's training set.
      Set<String> known = new HashSet<>(t.data().models());
      for (List<Integer> train : trainOf.values()) {
        Set<String> seen = new HashSet<>();
        train.forEach(i -> seen.addAll(corpus.outcomes().get(i).keySet()));
        known.removeIf(m -> !seen.contains(BuiltInQualityPredictor.normalize(m)));
      }
      PoolCosts costs = t.costs(known);
      List<String> pool = costs.data().models();
      List<String> dropped = t.costs(null).data().models().stream().filter(m -> !pool.contains(m)).toList();
      Map<String, QualityPredictor> byFamily = new HashMap<>();
      trainOf.forEach((family, train) -> byFamily.put(family, corpus.fit(train, pool)));
      QualityPredictor dispatch = QualityPredictor.of("builtin", pool, prompt -> {
        String family = familyOf.get(prompt);
        if (family == null) {
          throw new IllegalStateException("prompt of no family of " + t.label());
        }
        return byFamily.get(family).predict(prompt);
      });
      QualityMethod method = new QualityMethod() {
        @Override
        public String name() {
          return "builtin, other benchmarks only";
        }

        @Override
        public QualityPredictor fit(PoolDataset train, FitContext context) {
          return dispatch;
        }
      };
      report(new Target(t.label() + (dropped.isEmpty() ? "" : ", without " + String.join(", ", dropped)), t.data(),
          t.prices(), t.sourcePrefix()), costs, method, folds, seed);
    }
  }

  private static void report(Target t, PoolCosts costs, QualityMethod method, int folds, long seed) {
    PoolEvaluation e = PoolEvaluator.builder().folds(folds).seed(seed).build()
        .evaluate(costs, method, PoolPolicies.qualityCost(), List.of());
    PoolEvaluation.Summary s = e.summary();
    long above = e.foldResults().stream()
        .filter(f -> f.summary().routerArea() > f.summary().frontierArea()).count();
    System.out.printf(Locale.ROOT, "| %s (%d) | %s | %.3f | %.3f | %+.3f | %d/%d | %s |%n", t.label(),
        costs.data().models().size(), method.name(), s.routerArea(), s.frontierArea(),
        s.routerArea() - s.frontierArea(), above, e.foldResults().size(),
        Double.isNaN(s.costShareAtBestQuality()) ? "never"
            : String.format(Locale.ROOT, "%.1f%%", 100 * s.costShareAtBestQuality()));
  }

  /** The curves, with each model's predicted quality at the median difficulty of three sources. */
  private static void printCurves(Corpus corpus, EmbeddingScorer scorer, Map<String, Curve> curves) {
    List<String> sources = List.of("zeroeval-gsm8k", "zeroeval-math-l5", "routellm-mmlu");
    double[] medians = new double[sources.size()];
    for (int s = 0; s < sources.size(); s++) {
      List<Double> d = new ArrayList<>();
      for (int i = 0; i < corpus.items().size(); i++) {
        Item it = corpus.items().get(i);
        if (it.source().equals(sources.get(s))) {
          d.add(BuiltInQualityPredictor.difficulty(scorer.score(it.prompt(), corpus.embeddings().get(i))));
        }
      }
      d.sort(Double::compare);
      medians[s] = d.get(d.size() / 2);
    }
    System.out.printf(Locale.ROOT, "%n| model | intercept | slope | at the median difficulty of %s |%n",
        String.join(", ", sources));
    System.out.println("|---|---:|---:|---|");
    curves.forEach((m, c) -> {
      StringBuilder at = new StringBuilder();
      for (double d : medians) {
        at.append(String.format(Locale.ROOT, "%s%.2f", at.length() == 0 ? "" : " / ", c.quality(d)));
      }
      System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %s |%n", m, c.intercept(), c.slope(), at);
    });
  }

  /**
   * Each item's outcomes by normalised model name: RouteLLM's two models from the items themselves; ZeroEval's and
   * LLMRouter's from their files, read in the order {@link BuiltInRouterBenchmark#load} reads them (checked prompt by
   * prompt).
   */
  static List<Map<String, Double>> outcomes(Path data, List<Item> items) {
    List<Map<String, Double>> out = new ArrayList<>(items.size());
    String strong = BuiltInQualityPredictor.normalize(RouteLlmBenchmarks.STRONG_MODEL);
    String weak = BuiltInQualityPredictor.normalize(RouteLlmBenchmarks.WEAK_MODEL);
    int i = 0;
    while (i < items.size() && items.get(i).source().startsWith("routellm-")) {
      out.add(Map.of(strong, items.get(i).strong(), weak, items.get(i).weak()));
      i++;
    }
    Path nway = data.resolve("nway");
    List<Path> files = List.of(nway.resolve("zeroeval").resolve("gsm8k.jsonl"),
        nway.resolve("zeroeval").resolve("math-l5.jsonl"), nway.resolve("llmrouter").resolve("llmrouter.jsonl"));
    for (Path file : files) {
      for (JsonNode n : BuiltInRouterBenchmark.readJsonLines(file)) {
        if (i >= items.size() || !items.get(i).prompt().equals(n.get("prompt").asString())) {
          throw new IllegalStateException(file + ": prompt '" + n.get("id").asString() + "' is not item " + i
              + " of the built-in router's corpus");
        }
        Map<String, double[]> sums = new HashMap<>(); // a model under two spellings (two providers): the mean
        n.get("outcomes").properties().forEach(e -> {
          double[] s = sums.computeIfAbsent(BuiltInQualityPredictor.normalize(e.getKey()), k -> new double[2]);
          s[0] += e.getValue().asDouble();
          s[1]++;
        });
        Map<String, Double> o = new HashMap<>();
        sums.forEach((m, s) -> o.put(m, s[0] / s[1]));
        out.add(o);
        i++;
      }
    }
    if (i != items.size()) {
      throw new IllegalStateException("read outcomes of " + i + " items but the corpus has " + items.size());
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
}
