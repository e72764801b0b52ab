package dev.routellm.examples.bench;

import dev.routellm.data.BattleFiles;
import dev.routellm.data.BattleSet;
import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.Outcome;
import dev.routellm.data.QualityUnit;
import dev.routellm.data.RouteLlmBenchmarks;
import dev.routellm.embedding.CachingEmbedder;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.Evaluator;
import dev.routellm.evaluation.FitContext;
import dev.routellm.evaluation.ProgressListener;
import dev.routellm.evaluation.RoutingMethod;
import dev.routellm.evaluation.Scorer;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxEmbedder;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.training.BattleLearning;
import dev.routellm.training.LearnedMethods;
import dev.routellm.training.Learner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Training on battles loses nothing against training on the outcomes they come from: for RouteLLM's three benchmarks
 * and ZeroEval's two files, each learner (mf, sw, knn) is cross-validated twice with the same folds: once trained on
 * the training fold's per-question outcomes (as {@code routellm eval --router NAME} does), once on the battles those
 * outcomes imply (RouteLLM's recipe: strong against weak, the better outcome wins, equal outcomes tie; each battle
 * keeps the two outcomes as its scores, as a judge's ratings are kept), written to a battle file, read back with {@link BattleFiles} and trained through {@link BattleLearning}. 5 folds, seed 42, MiniLM.
 *
 * <pre>
 * java -cp routellm-examples/target/routellm.jar dev.routellm.examples.bench.BattleBenchmark \
 *     [--data ../shared/data] [--cache .cache/embeddings] [--only mmlu|gsm8k|mt-bench|zeroeval-gsm8k|zeroeval-math-l5]
 * </pre>
 */
public final class BattleBenchmark {
  static final int FOLDS = 5;
  static final long SEED = 42;

  private BattleBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of("..", "shared", "data");
    Path cache = Path.of(".cache", "embeddings");
    String only = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--cache" -> cache = Path.of(args[++i]);
        case "--only" -> only = args[++i];
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; expected --data DIR,"
            + " --cache DIR, --only DATASET");
      }
    }
    List<Dataset> datasets = new ArrayList<>();
    for (String b : RouteLlmBenchmarks.NAMES) {
      datasets.add(RouteLlmBenchmarks.load(b, data.resolve("routellm")));
    }
    for (String f : List.of("gsm8k", "math-l5")) {
      datasets.add(zeroEval(data.resolve("nway").resolve("zeroeval").resolve(f + ".jsonl"), "zeroeval-" + f,
          BuiltInRouterBenchmark.ZEROEVAL_STRONG, BuiltInRouterBenchmark.ZEROEVAL_WEAK));
    }
    Path scratch = Files.createTempDirectory("routellm-battles");
    Evaluator evaluator = Evaluator.builder().folds(FOLDS).seed(SEED).build();
    scratch.toFile().deleteOnExit();
    System.out.println("| data (strong vs weak) | router | APGR on outcomes | APGR on battles from them | difference |");
    System.out.println("|---|---|---:|---:|---:|");
    try (OnnxEmbedder model = OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).build();
        CachingEmbedder embedder = CachingEmbedder.open(model, Files.createDirectories(cache))) {
      for (Dataset d : datasets) {
        if (only != null && !d.name().equals(only)) {
          continue;
        }
        for (Learner learner : List.of(Learner.MF, Learner.SW, Learner.KNN)) {
          double outcomes = evaluator.evaluate(d, LearnedMethods.of(learner, () -> embedder)).metrics().apgr();
          double battles = evaluator.evaluate(d, onBattles(learner, embedder, scratch)).metrics().apgr();
          System.out.printf(Locale.ROOT, "| %s (%s vs %s) | %s | %.4f | %.4f | %+.4f |%n", d.name(), d.strongModel(),
              d.weakModel(), learner.id(), outcomes, battles, battles - outcomes);
        }
      }
    }
  }

  /** A learner trained on the training fold's outcomes turned into battles and round-tripped through a file. */
  static RoutingMethod onBattles(Learner learner, Embedder embedder, Path scratch) {
    return new RoutingMethod() {
      @Override
      public String name() {
        return learner.id() + "-battles";
      }

      @Override
      public Scorer fit(Dataset train, FitContext context) {
        Path file = scratch.resolve(train.name() + "-" + learner.id() + ".jsonl");
        BattleFiles.write(file, BattleSet.fromOutcomes(train));
        BattleSet battles = BattleFiles.read(file);
        try {
          Files.delete(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        List<float[]> embeddings = BattleLearning.embed(battles, embedder, ProgressListener.NONE);
        EmbeddingScorer scorer = BattleLearning.fit(learner, battles, embeddings, train.strongModel(),
            train.weakModel(), context.seed());
        return example -> scorer.score(example.prompt(), embedder.embed(example.prompt()));
      }
    };
  }

  /** A two-model dataset from a ZeroEval file. */
  static Dataset zeroEval(Path file, String name, String strong, String weak) {
    JsonMapper json = JsonMapper.builder().build();
    List<Example> examples = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = json.readTree(line);
        JsonNode o = n.get("outcomes");
        examples.add(Example.builder().id(n.get("id").asString()).prompt(n.get("prompt").asString())
            .strong(Outcome.correct(o.get(strong).asInt() == 1)).weak(Outcome.correct(o.get(weak).asInt() == 1))
            .build());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return Dataset.builder().name(name).unit(QualityUnit.ACCURACY_PERCENT).strongModel(strong).weakModel(weak)
        .examples(examples).build();
  }
}
