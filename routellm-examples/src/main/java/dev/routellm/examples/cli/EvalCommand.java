package dev.routellm.examples.cli;

import dev.routellm.cascade.AnswerCheck;
import dev.routellm.cascade.AnswerConfidenceModel;
import dev.routellm.data.Dataset;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.CostAxis;
import dev.routellm.evaluation.Curve;
import dev.routellm.evaluation.CurveMetrics;
import dev.routellm.evaluation.CurvePoint;
import dev.routellm.evaluation.Evaluation;
import dev.routellm.evaluation.Evaluator;
import dev.routellm.evaluation.FoldResult;
import dev.routellm.evaluation.FoldSummary;
import dev.routellm.evaluation.RoutingMethod;
import dev.routellm.evaluation.RoutingMethods;
import dev.routellm.evaluation.Spread;
import dev.routellm.training.LearnedMethods;
import dev.routellm.training.Learner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Evaluates a router on RouteLLM's benchmarks or the user's own data: RouteLLM's metrics, curves and a plot. Picocli
 * creates one instance per run; not thread-safe.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Evaluates a router on a RouteLLM benchmark (MMLU, GSM8K, MT-Bench) or on your own CSV/JSONL file: quality over"
          + " the share of strong-model calls, APGR, CPT(20/50/80%%) on a 1%% grid and at RouteLLM's 11 points, beside"
          + " random routing and the oracle; with --folds K, a cross-validation that trains on K-1 folds and scores"
          + " the held-out one.",
      "Shares (strong_share, cpt20, cpt50, cpt80) are fractions in [0, 1]; qualities are in the benchmark's unit"
          + " (accuracy %% for MMLU and GSM8K, judge score for MT-Bench).",
      "With --prices, evaluates routing among N models instead (ZeroEval, LLMRouter or your own N-model file):"
          + " quality over cost per 1,000 requests beside every single model, the single-model frontier and the"
          + " oracle; areas under the curves over the pool's cost range; the cost share at which the router reaches"
          + " the best single model's quality. N-model routers: knn, knn-lexical, knn-cheapest, knn-lexical-cheapest,"
          + " cascade, knn-cascade, knn-lexical-cascade."
    })
public final class EvalCommand implements Callable<Integer> {
  @Mixin OutputOptions output;
  @Mixin DatasetOptions datasetOptions;
  @Mixin EmbedderOptions embedderOptions;
  @Mixin PoolOptions poolOptions;

  @Option(
      names = "--router",
      paramLabel = "NAME",
      completionCandidates = RouterNames.class,
      description = "The router to evaluate, one of: ${COMPLETION-CANDIDATES} (default: random); with --prices, one of"
          + " the N-model routers (default: knn).")
  String router;

  /** Folds unless {@code --folds} is given, for a router that learns from the data. */
  static final int DEFAULT_LEARNED_FOLDS = 5;

  @Option(
      names = "--folds",
      paramLabel = "K",
      description = "Cross-validation folds: 1 scores every question with an untrained router; K >= 2 trains on K-1"
          + " folds and scores the held-out one (default: " + DEFAULT_LEARNED_FOLDS + " for a router that learns"
          + " from the data: knn, knn-groups, knn-length, knn-lexical, linear, mf, sw, topic-centroids, cascade-text"
          + " and, with --prices, the knn routers; 1 for the others: random, oracle, cascade).")
  Integer folds;

  @Option(
      names = "--seed",
      defaultValue = "42",
      paramLabel = "S",
      description = "Seed of the fold split and of the router (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--plot",
      paramLabel = "FILE.png|FILE.svg",
      description = "Also draw quality over strong-model calls (router, random, oracle, both models) to a PNG or SVG.")
  Path plot;

  /**
   * The routers {@code --router} chooses from: the stock ones and the learned ones ({@link Learner}), which embed
   * prompts with {@code embedder} (called only when a learned router is fitted).
   */
  static RoutingMethods routers(Supplier<? extends Embedder> embedder) {
    RoutingMethods.Builder registry = RoutingMethods.defaults().toBuilder()
        .add(AnswerConfidenceModel.routingMethod(List.of(AnswerCheck.arithmetic())));
    return LearnedMethods.addAll(registry, embedder).build();
  }

  /** The router names, for the help text. */
  static final class RouterNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return routers(() -> {
        throw new IllegalStateException("names only");
      }).names().iterator();
    }
  }

  @Override
  public Integer call() {
    if (folds != null && folds < 1) {
      throw new IllegalArgumentException("--folds must be >= 1 but was " + folds);
    }
    if (plot != null) {
      EvalPlot.Format.of(plot); // reject a bad extension or path before the work
      OutputFiles.requireWritable("--plot", plot);
    }
    if (poolOptions.enabled()) {
      return callPool();
    }
    List<String> poolOnly = poolOptions.givenWithoutPrices();
    if (!poolOnly.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", poolOnly) + " belong(s) to the N-model mode: give"
          + " --prices FILE too");
    }
    LazyEmbedder embedder = new LazyEmbedder(embedderOptions);
    RoutingMethod method = routers(embedder).get(router == null ? "random" : router);
    Dataset dataset = datasetOptions.load("give --prices FILE, a price per model"
        + " (model,input_usd_per_mtok,output_usd_per_mtok), to evaluate routing among its models");
    Evaluation e;
    try (embedder; StderrProgress progress = new StderrProgress(errWriter())) {
      e = Evaluator.builder().folds(folds(folds, method.learns())).seed(seed).progress(progress).build()
          .evaluate(dataset, method);
      embedderOptions.warnIfUnused(embedder.used(), "router " + router + " embeds no prompts", output.err());
    }
    CostBasis costs = CostBasis.of(dataset);
    PrintWriter text = output.text();
    printText(text, e);
    printCost(text, e, costs, method.callsWeakFirst());
    if (plot != null) {
      EvalPlot.write(e, plot);
      text.println("Plot: " + plot);
    }
    text.flush();
    Map<String, Object> result = json(e);
    result.put("cost", cost(e, costs, method.callsWeakFirst()));
    output.result(result);
    return 0;
  }

  /** N-model mode ({@code --prices}): see {@link PoolEval}. */
  private Integer callPool() {
    PoolEval pool = new PoolEval(poolOptions, datasetOptions.benchmarks);
    java.util.Map<String, Object> result;
    try (LazyEmbedder embedder = new LazyEmbedder(embedderOptions);
        StderrProgress progress = new StderrProgress(errWriter())) {
      result = pool.run(router == null ? "knn" : router, folds, seed, embedder, plot, output.text(), progress);
    }
    output.result(result);
    return 0;
  }

  /** The folds: as given, else {@link #DEFAULT_LEARNED_FOLDS} for a router that learns and 1 for one that does not. */
  static int folds(Integer given, boolean learns) {
    return given != null ? given : learns ? DEFAULT_LEARNED_FOLDS : 1;
  }

  /**
   * Dollars per request at the router's CPT(50%) and CPT(80%), from the data's costs or tokens, else at the RouteLLM
   * paper's prices and average request ({@link CostBasis}); a cascade pays the weak call on every request.
   */
  private static void printCost(PrintWriter out, Evaluation e, CostBasis costs, boolean cascade) {
    CostAxis axis = costs.axis();
    CurveMetrics m = e.metrics();
    out.printf(Locale.ROOT, "%nCost per request from %s (strong %s, weak %s per request)%s:%n",
        costs.description(), OutputOptions.money(axis.strongCostPerRequest()), OutputOptions.money(axis.weakCostPerRequest()),
        cascade ? ", the weak call paid on every request as a cascade pays it" : "");
    out.printf(Locale.ROOT, "  at CPT50 %s, at CPT80 %s; all strong %s%n", dollars(axis, m.cpt50(), cascade),
        dollars(axis, m.cpt80(), cascade), OutputOptions.money(axis.strongCostPerRequest()));
  }

  private static String dollars(CostAxis axis, double share, boolean cascade) {
    return Double.isNaN(share) ? "n/a" : OutputOptions.money(costAt(axis, share, cascade));
  }

  private static double costAt(CostAxis axis, double share, boolean cascade) {
    return cascade ? axis.cascadeCostPerRequest(share) : axis.costPerRequest(share);
  }

  /**
   * The {@code --json} "cost" object; null where a level is never reached. "prices" is "file" (the data's recorded
   * costs), "file_tokens" (its token counts at the paper's per-token prices) or "paper" (the fallback).
   */
  static Map<String, Object> cost(Evaluation e, CostBasis costs, boolean cascade) {
    CostAxis axis = costs.axis();
    CurveMetrics m = e.metrics();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("prices", costs.source().json());
    c.put("prices_basis", costs.description());
    c.put("weak_call_on_every_request", cascade);
    c.put("strong_per_request", axis.strongCostPerRequest());
    c.put("weak_per_request", axis.weakCostPerRequest());
    c.put("at_cpt50", Double.isNaN(m.cpt50()) ? null : costAt(axis, m.cpt50(), cascade));
    c.put("at_cpt80", Double.isNaN(m.cpt80()) ? null : costAt(axis, m.cpt80(), cascade));
    return c;
  }

  private PrintWriter errWriter() {
    return output.spec.commandLine().getErr();
  }

  private static void printText(PrintWriter out, Evaluation e) {
    out.printf(Locale.ROOT, "Benchmark: %s, %,d questions, quality in %s%n", e.dataset(), e.questions(),
        e.unit().name());
    out.printf(Locale.ROOT, "  strong %-40s %10.4f%n", e.strongModel(), e.strongQuality());
    out.printf(Locale.ROOT, "  weak   %-40s %10.4f%n", e.weakModel(), e.weakQuality());
    weakNotWorse(e).ifPresent(w -> out.println("  Warning: " + w));
    out.printf(Locale.ROOT, "  half the gap (PGR 0.5): %.4f = %.2f%% of strong%n", e.qualityAtPgr(0.5),
        100 * e.qualityAtPgr(0.5) / e.strongQuality());
    out.printf(Locale.ROOT, "Router: %s, seed %d, %s%n", e.router(), e.seed(),
        e.folds() == 1 ? "no cross-validation" : e.folds() + "-fold cross-validation (pooled held-out scores)");
    out.printf(Locale.ROOT, "%n%-18s %27s   %27s%n", "", "------- 1% grid -------", "--- RouteLLM 11 points ---");
    out.printf(Locale.ROOT, "%-18s %6s %6s %6s %6s   %6s %6s %6s %6s%n", "curve", "APGR", "CPT20", "CPT50", "CPT80",
        "APGR", "CPT20", "CPT50", "CPT80");
    row(out, e.router(), e.curves().fineGrid(), e.curves().routeLlm());
    row(out, "random (expected)", e.random().fineGrid(), e.random().routeLlm());
    row(out, "oracle (bound)", e.oracle().fineGrid(), e.oracle().routeLlm());
    out.printf(Locale.ROOT, "%nCost saving vs random: %s at half the quality gap (PGR 0.5), %s at 80%% of it (PGR"
        + " 0.8) (random's CPT / router's CPT)%n", times(e.costSavingVsRandom(0.5)), times(e.costSavingVsRandom(0.8)));
    e.foldSummary().ifPresent(s -> {
      out.printf(Locale.ROOT, "%nPer fold (1%% grid):%n");
      for (FoldResult f : e.foldResults()) {
        CurveMetrics m = f.metrics();
        out.printf(Locale.ROOT, "  fold %d: train %,d, test %,d: APGR %s, CPT50 %s, CPT80 %s%n", f.fold(),
            f.trainSize(), f.testSize(), fixed(m.apgr()), percent(m.cpt50()), percent(m.cpt80()));
      }
      out.printf(Locale.ROOT, "  APGR  %s%n  CPT50 %s%n  CPT80 %s%n", spread(s.apgr(), false),
          spread(s.cpt50(), true), spread(s.cpt80(), true));
    });
  }

  /**
   * The warning when the weak model scores at least as high as the strong one: routing to the strong model cannot
   * gain quality, so APGR and CPT describe no real trade-off.
   */
  static Optional<String> weakNotWorse(Evaluation e) {
    if (!(e.weakQuality() >= e.strongQuality())) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "the weak model scores %s the strong one on this data (%.4f vs"
        + " %.4f), so routing to the strong model cannot gain quality; APGR and CPT are not meaningful here",
        e.weakQuality() > e.strongQuality() ? "higher than" : "as high as", e.weakQuality(), e.strongQuality()));
  }

  private static void row(PrintWriter out, String name, Curve fine, Curve routeLlm) {
    CurveMetrics f = fine.metrics();
    CurveMetrics r = routeLlm.metrics();
    out.printf(Locale.ROOT, "%-18s %6s %6s %6s %6s   %6s %6s %6s %6s%n", name, fixed(f.apgr()), percent(f.cpt20()),
        percent(f.cpt50()), percent(f.cpt80()), fixed(r.apgr()), percent(r.cpt20()), percent(r.cpt50()),
        percent(r.cpt80()));
  }

  private static String fixed(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }

  private static String percent(double share) {
    return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * share);
  }

  private static String times(double ratio) {
    return Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2fx", ratio) : "n/a";
  }

  private static String spread(Spread s, boolean share) {
    if (share) {
      return String.format(Locale.ROOT, "mean %s, std %s, min %s, max %s", percent(s.mean()), percent(s.std()),
          percent(s.min()), percent(s.max()));
    }
    return String.format(Locale.ROOT, "mean %s, std %s, min %s, max %s", fixed(s.mean()), fixed(s.std()),
        fixed(s.min()), fixed(s.max()));
  }

  /** The {@code --json} object. Shares are fractions; NaN (a level never reached) is null. */
  static Map<String, Object> json(Evaluation e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("benchmark", e.dataset());
    m.put("router", e.router());
    m.put("seed", e.seed());
    m.put("folds", e.folds());
    m.put("questions", e.questions());
    m.put("quality_unit", e.unit().name());
    m.put("strong_model", e.strongModel());
    m.put("weak_model", e.weakModel());
    m.put("weak_quality", e.weakQuality());
    m.put("strong_quality", e.strongQuality());
    m.put("quality_at_half_gap", e.qualityAtPgr(0.5));
    Optional<String> warning = weakNotWorse(e);
    m.put("weak_not_worse_than_strong", warning.isPresent());
    m.put("warnings", warning.map(List::of).orElse(List.of()));
    metrics(m, e.metrics());
    Map<String, Object> saving = new LinkedHashMap<>();
    saving.put("at_50", number(e.costSavingVsRandom(0.5)));
    saving.put("at_80", number(e.costSavingVsRandom(0.8)));
    m.put("cost_saving_vs_random", saving);
    m.put("curve", points(e.curves().fineGrid()));
    m.put("routellm_11_point", curveSummary(e.curves().routeLlm(), true));
    m.put("random", reference(e.random().fineGrid(), e.random().routeLlm(), false));
    m.put("oracle", reference(e.oracle().fineGrid(), e.oracle().routeLlm(), true));
    e.foldSummary().ifPresent(s -> {
      List<Map<String, Object>> folds = new ArrayList<>();
      for (FoldResult f : e.foldResults()) {
        Map<String, Object> fold = new LinkedHashMap<>();
        fold.put("fold", f.fold());
        fold.put("train_questions", f.trainSize());
        fold.put("test_questions", f.testSize());
        metrics(fold, f.metrics());
        Map<String, Object> eleven = new LinkedHashMap<>();
        metrics(eleven, f.routeLlmMetrics());
        fold.put("routellm_11_point", eleven);
        folds.add(fold);
      }
      m.put("per_fold", folds);
      m.put("fold_spread", foldSpread(s));
    });
    return m;
  }

  private static Map<String, Object> reference(Curve fine, Curve routeLlm, boolean withCurve) {
    Map<String, Object> m = new LinkedHashMap<>();
    metrics(m, fine.metrics());
    if (withCurve) {
      m.put("curve", points(fine));
    }
    m.put("routellm_11_point", curveSummary(routeLlm, withCurve));
    return m;
  }

  private static Map<String, Object> curveSummary(Curve curve, boolean withCurve) {
    Map<String, Object> m = new LinkedHashMap<>();
    metrics(m, curve.metrics());
    if (withCurve) {
      m.put("curve", points(curve));
    }
    return m;
  }

  private static void metrics(Map<String, Object> m, CurveMetrics metrics) {
    m.put("apgr", number(metrics.apgr()));
    m.put("cpt20", number(metrics.cpt20()));
    m.put("cpt50", number(metrics.cpt50()));
    m.put("cpt80", number(metrics.cpt80()));
  }

  private static Map<String, Object> foldSpread(FoldSummary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apgr", spread(s.apgr()));
    m.put("cpt20", spread(s.cpt20()));
    m.put("cpt50", spread(s.cpt50()));
    m.put("cpt80", spread(s.cpt80()));
    return m;
  }

  private static Map<String, Object> spread(Spread s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mean", number(s.mean()));
    m.put("std", number(s.std()));
    m.put("min", number(s.min()));
    m.put("max", number(s.max()));
    return m;
  }

  private static List<Map<String, Object>> points(Curve curve) {
    List<Map<String, Object>> points = new ArrayList<>(curve.size());
    for (CurvePoint p : curve.points()) {
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("strong_share", p.strongShare());
      point.put("quality", p.quality());
      points.add(point);
    }
    return points;
  }

  private static Double number(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /** Opens the chosen embedder on first use only, so that random and oracle load no model. */
  static final class LazyEmbedder implements Supplier<Embedder>, AutoCloseable {
    private final EmbedderOptions options;
    private EmbedderOptions.Opened opened;

    LazyEmbedder(EmbedderOptions options) {
      this.options = options;
    }

    @Override
    public synchronized Embedder get() {
      if (opened == null) {
        opened = options.open();
      }
      return opened.embedder();
    }

    /** Whether an embedder was opened. */
    synchronized boolean used() {
      return opened != null;
    }

    @Override
    public synchronized void close() {
      if (opened != null) {
        opened.close();
        opened = null;
      }
    }
  }
}
