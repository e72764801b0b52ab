package dev.routellm.examples.bench;

import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.RouteLlmBenchmarks;
import dev.routellm.embedding.CachingEmbedder;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.CurveMetrics;
import dev.routellm.evaluation.Evaluation;
import dev.routellm.evaluation.Evaluator;
import dev.routellm.evaluation.FitContext;
import dev.routellm.evaluation.ProgressListener;
import dev.routellm.evaluation.RoutingMethod;
import dev.routellm.evaluation.Scorer;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.OnnxEmbedder;
import dev.routellm.onnx.StaticTokenEmbedder;
import dev.routellm.training.LearnedMethods;
import dev.routellm.training.Learner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Routing quality of the learned routers on RouteLLM's benchmark data with local embeddings: every table of
 * BENCHMARKS.md's learned-router section, in one run. 5-fold cross-validation with seed 42 (the evaluator's split by
 * prompt), and the harder splits: MMLU subjects never seen in training (5 folds of subjects), MMLU without
 * {@code high_school_mathematics} (where the strong model's answers were mis-graded), and training on one benchmark
 * while testing on the other. A router that knows the MMLU subject of each question (given by the application, not
 * predicted from the prompt) is reported separately, as such.
 *
 * <pre>
 * java -cp routellm-examples/target/routellm.jar dev.routellm.examples.bench.QualityBenchmark \
 *     [--data ../shared/data/routellm] [--cache .cache/embeddings] [--quick]
 * </pre>
 *
 * Embeddings are cached on disk: the first run embeds about 15,000 prompts per model (about 5 minutes per model on
 * one core), later runs none. {@code --quick} runs only the main MMLU and GSM8K rows.
 */
public final class QualityBenchmark {
  private static final int FOLDS = 5;
  private static final long SEED = 42;
  private static final String HS_MATH = "high_school_mathematics";
  private static final String MINILM = "minilm";
  private static final String BGE = "bge";
  private static final String MINILM_STATIC = "minilm-static";

  private final Path data;
  private final Map<String, Embedder> embedders = new LinkedHashMap<>();
  private final Path cache;

  private QualityBenchmark(Path data, Path cache) {
    this.data = data;
    this.cache = cache;
  }

  public static void main(String[] args) {
    Path data = Path.of("..", "shared", "data", "routellm");
    Path cache = Path.of(".cache", "embeddings");
    boolean quick = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--cache" -> cache = Path.of(args[++i]);
        case "--quick" -> quick = true;
        default -> throw new IllegalArgumentException("unknown argument '" + args[i]
            + "'; expected --data DIR, --cache DIR, --quick");
      }
    }
    QualityBenchmark bench = new QualityBenchmark(data, cache);
    try {
      bench.run(quick);
    } finally {
      bench.close();
    }
  }

  /** The transformer embedders with the on-disk cache; the static one without (it is faster than the cache). */
  private Embedder embedder(String name) {
    return embedders.computeIfAbsent(name, n -> switch (n) {
      case MINILM -> CachingEmbedder.open(OnnxEmbedder.allMiniLmL6V2(), cache);
      case BGE -> CachingEmbedder.open(OnnxEmbedder.bgeSmallEnV15(), cache);
      case MINILM_STATIC -> StaticTokenEmbedder.of(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q,
          cache.resolveSibling("static-embeddings").resolve("all-minilm-l6-v2-q.safetensors"));
      default -> throw new IllegalArgumentException(n);
    });
  }

  private void close() {
    // The caching wrappers do not own their models: close both.
    for (Embedder e : embedders.values()) {
      e.close();
      if (e instanceof CachingEmbedder c) {
        c.delegate().close();
      }
    }
  }

  private RoutingMethod learned(Learner learner, String embedder) {
    return LearnedMethods.of(learner, () -> embedder(embedder));
  }

  private void run(boolean quick) {
    Dataset mmlu = RouteLlmBenchmarks.mmlu(data);
    Dataset gsm8k = RouteLlmBenchmarks.gsm8k(data);
    String minilm = MINILM;
    String bge = BGE;
    header("MMLU, 5-fold cross-validation, the subject NOT given (prompt only)");
    for (Learner l : List.of(Learner.KNN_LEXICAL, Learner.KNN_GROUPS, Learner.KNN, Learner.KNN_LENGTH,
        Learner.TOPIC_CENTROIDS, Learner.SW, Learner.MF)) {
      row("mmlu", minilm, l.id(), crossValidate(mmlu, learned(l, minilm)));
    }
    if (!quick) {
      for (Learner l : List.of(Learner.KNN_GROUPS, Learner.KNN)) {
        row("mmlu", bge, l.id(), crossValidate(mmlu, learned(l, bge)));
        row("mmlu", MINILM_STATIC, l.id(), crossValidate(mmlu, learned(l, MINILM_STATIC)));
      }
    }
    header("GSM8K, 5-fold cross-validation, question only");
    for (Learner l : List.of(Learner.KNN_LENGTH, Learner.KNN_LEXICAL, Learner.KNN, Learner.SW, Learner.MF)) {
      row("gsm8k", "minilm", l.id(), crossValidate(gsm8k, learned(l, minilm)));
    }
    if (quick) {
      return;
    }
    row("gsm8k", bge, Learner.KNN_LENGTH.id(), crossValidate(gsm8k, learned(Learner.KNN_LENGTH, bge)));
    row("gsm8k", MINILM_STATIC, Learner.KNN_LENGTH.id(), crossValidate(gsm8k,
        learned(Learner.KNN_LENGTH, MINILM_STATIC)));
    header("MMLU, subject KNOWN to the application (not from the prompt)");
    row("mmlu", "-", "subject table", crossValidate(mmlu, subjectTable(null)));
    row("mmlu", "-", "subject table, IN-SAMPLE (fit and scored on all questions)", inSample(mmlu,
        subjectTable(null)));
    row("mmlu", "minilm", "subject table + knn",
        crossValidate(mmlu, subjectTable(learned(Learner.KNN, minilm))));
    header("MMLU without " + HS_MATH);
    Dataset noMath = mmlu.filter(e -> !HS_MATH.equals(e.group().orElse("")));
    row("mmlu-no-hsmath", "minilm", Learner.KNN_LEXICAL.id(), crossValidate(noMath, learned(Learner.KNN_LEXICAL,
        minilm)));
    row("mmlu-no-hsmath", "minilm", Learner.KNN_GROUPS.id(), crossValidate(noMath, learned(Learner.KNN_GROUPS,
        minilm)));
    row("mmlu-no-hsmath", "minilm", Learner.KNN.id(), crossValidate(noMath, learned(Learner.KNN, minilm)));
    row("mmlu-no-hsmath", "-", "subject table (known)", crossValidate(noMath, subjectTable(null)));
    header("MMLU, subjects never seen in training (5 folds of subjects)");
    for (Learner l : List.of(Learner.KNN_GROUPS, Learner.KNN)) {
      row("mmlu-unseen", "minilm", l.id(), leaveSubjectsOut(mmlu, learned(l, minilm)));
    }
    header("Cross-domain: train on one benchmark, test on the other");
    for (Learner l : List.of(Learner.KNN, Learner.KNN_LENGTH)) {
      row("mmlu->gsm8k", "minilm", l.id(), transfer(mmlu, gsm8k, learned(l, minilm)));
      row("gsm8k->mmlu", "minilm", l.id(), transfer(gsm8k, mmlu, learned(l, minilm)));
    }
  }

  private static Evaluation crossValidate(Dataset d, RoutingMethod m) {
    return Evaluator.builder().folds(FOLDS).seed(SEED).build().evaluate(d, m);
  }

  /** Held-out subjects: the subjects are shuffled with the seed and dealt to 5 folds. */
  private static Evaluation leaveSubjectsOut(Dataset d, RoutingMethod m) {
    List<String> subjects = new ArrayList<>(new TreeSet<>(d.examples().stream()
        .map(e -> e.group().orElse("")).toList()));
    Collections.shuffle(subjects, new Random(SEED));
    Map<String, Integer> fold = new HashMap<>();
    for (int i = 0; i < subjects.size(); i++) {
      fold.put(subjects.get(i), i % FOLDS);
    }
    double[] pooled = new double[d.size()];
    for (int f = 0; f < FOLDS; f++) {
      int current = f;
      List<Integer> test = new ArrayList<>();
      List<Integer> train = new ArrayList<>();
      for (int i = 0; i < d.size(); i++) {
        (fold.get(d.example(i).group().orElse("")) == current ? test : train).add(i);
      }
      Dataset trainSet = d.subset(train.stream().mapToInt(Integer::intValue).toArray());
      Dataset testSet = d.subset(test.stream().mapToInt(Integer::intValue).toArray());
      double[] scores = m.fit(trainSet, new FitContext(SEED, ProgressListener.NONE))
          .scoreAll(testSet.examples(), "scoring", ProgressListener.NONE);
      for (int i = 0; i < scores.length; i++) {
        pooled[test.get(i)] = scores[i];
      }
    }
    return Evaluation.ofScores(d, m.name(), pooled);
  }

  /** Fitted on every question and scored on the same ones: an optimistic bound, not a result. */
  private static Evaluation inSample(Dataset d, RoutingMethod m) {
    return transfer(d, d, m);
  }

  private static Evaluation transfer(Dataset train, Dataset test, RoutingMethod m) {
    double[] scores = m.fit(train, new FitContext(SEED, ProgressListener.NONE))
        .scoreAll(test.examples(), "scoring", ProgressListener.NONE);
    return Evaluation.ofScores(test, m.name(), scores);
  }

  /**
   * Routing by the question's subject, which the application knows: each subject's mean win rate in the training
   * folds (ties within a subject broken by {@code tieBreaker} at a weight of 0.3, when given).
   */
  private RoutingMethod subjectTable(RoutingMethod tieBreaker) {
    return new RoutingMethod() {
      @Override
      public String name() {
        return tieBreaker == null ? "subject-table" : "subject-table+" + tieBreaker.name();
      }

      @Override
      public Scorer fit(Dataset train, FitContext context) {
        Map<String, Double> table = LearnedMethods.trainingSet(train, embedder(MINILM), ProgressListener.NONE)
            .groupWinRates();
        Scorer other = tieBreaker == null ? null : tieBreaker.fit(train, context);
        return new Scorer() {
          @Override
          public double score(Example e) {
            double prior = table.getOrDefault(e.group().orElse(null), 0.5);
            return other == null ? prior : 0.7 * prior + 0.3 * other.score(e);
          }

          @Override
          public double[] scoreAll(List<Example> examples, String stage, ProgressListener progress) {
            double[] extra = other == null ? null : other.scoreAll(examples, stage, progress);
            double[] out = new double[examples.size()];
            for (int i = 0; i < out.length; i++) {
              double prior = table.getOrDefault(examples.get(i).group().orElse(null), 0.5);
              out[i] = extra == null ? prior : 0.7 * prior + 0.3 * extra[i];
            }
            return out;
          }
        };
      }
    };
  }

  private static void header(String title) {
    System.out.printf(Locale.ROOT, "%n### %s%n%n| data | embedder | router | APGR | CPT(50%%) | CPT(80%%) | APGR"
        + " (11 pts) | CPT(50%%) (11 pts) | fold APGR mean +- std |%n|---|---|---|---|---|---|---|---|---|%n", title);
  }

  private static void row(String data, String embedder, String router, Evaluation e) {
    CurveMetrics f = e.metrics();
    CurveMetrics r = e.routeLlmMetrics();
    String folds = e.foldSummary().map(s -> String.format(Locale.ROOT, "%.3f +- %.3f", s.apgr().mean(),
        s.apgr().std())).orElse("-");
    System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f | %.1f%% | %.1f%% | %.3f | %.1f%% | %s |%n", data, embedder,
        router, f.apgr(), 100 * f.cpt50(), 100 * f.cpt80(), r.apgr(), 100 * r.cpt50(), folds);
    System.out.flush();
  }
}
