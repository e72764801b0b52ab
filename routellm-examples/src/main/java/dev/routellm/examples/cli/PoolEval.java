package dev.routellm.examples.cli;

import dev.routellm.cascade.AnswerExtractors;
import dev.routellm.cost.Dollars;
import dev.routellm.cost.PriceTable;
import dev.routellm.data.PoolDataset;
import dev.routellm.data.PoolDatasetFiles;
import dev.routellm.data.PriceFile;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.CostCurve;
import dev.routellm.evaluation.CostQualityPoint;
import dev.routellm.evaluation.OperatingPoint;
import dev.routellm.evaluation.PoolCalibration;
import dev.routellm.evaluation.PoolCosts;
import dev.routellm.evaluation.PoolEvaluation;
import dev.routellm.evaluation.PoolEvaluator;
import dev.routellm.evaluation.PoolPolicies;
import dev.routellm.evaluation.PoolRouting;
import dev.routellm.evaluation.ProgressListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code eval}'s N-model mode: loads an N-model file and a price file, chooses the pool, evaluates a router over it
 * ({@link PoolEvaluator}) and reports the curve beside every single model, the frontier and the oracle, in text, JSON
 * and a plot. Costs are shown per 1,000 requests. Not thread-safe; one instance per run.
 */
final class PoolEval {
  /** Requests per cost unit of the report. */
  static final int PER = 1000;

  private final PoolOptions options;
  private final List<String> benchmarks;

  PoolEval(PoolOptions options, List<String> benchmarks) {
    this.options = options;
    this.benchmarks = benchmarks;
  }

  /** The dataset with its answer texts (ZeroEval's responses/ directory beside the file, when there). */
  PoolDataset load() {
    if (benchmarks.size() != 1) {
      throw new IllegalArgumentException("--prices evaluates one N-model file: give --benchmark once, not "
          + benchmarks.size() + " times");
    }
    String benchmark = benchmarks.get(0);
    String lower = benchmark.toLowerCase(Locale.ROOT);
    if (!lower.endsWith(".csv") && !lower.endsWith(".jsonl")) {
      throw new IllegalArgumentException("--prices needs an N-model .csv or .jsonl --benchmark file but was '"
          + benchmark + "'");
    }
    Path file = Path.of(benchmark);
    PoolDataset data = PoolDatasetFiles.read(file);
    return PoolDatasetFiles.responsesBeside(file).map(dir -> PoolDatasetFiles.withResponses(data, dir)).orElse(data);
  }

  /** The pool: {@code --models}, or every priced model of the data in the data's order. */
  static List<String> pool(PoolDataset data, PriceTable prices, List<String> models) {
    List<String> pool = new ArrayList<>();
    if (models != null) {
      for (String m : models) {
        String model = m.strip();
        if (!data.hasModel(model)) {
          throw new IllegalArgumentException("--models: '" + model + "' is not a model of " + data.name()
              + " (it has " + data.models() + ")");
        }
        if (!prices.hasPrice(model)) {
          throw new IllegalArgumentException("--models: '" + model + "' has no price in the --prices file");
        }
        pool.add(model);
      }
    } else {
      for (String model : data.models()) {
        if (prices.hasPrice(model)) {
          pool.add(model);
        }
      }
    }
    if (pool.size() < 2) {
      throw new IllegalArgumentException("a pool needs at least two priced models of " + data.name() + " but has "
          + pool + (models == null ? " (the data's models with a price in the --prices file)" : ""));
    }
    return pool;
  }

  /**
   * Runs the evaluation; writes text to {@code text} and returns the JSON object.
   *
   * @param folds {@code --folds}, or null for the default ({@link EvalCommand#folds})
   */
  Map<String, Object> run(String routerName, Integer folds, long seed, Supplier<? extends Embedder> embedder,
      Path plot, PrintWriter text, ProgressListener progress) {
    PriceTable prices = PriceFile.read(options.prices);
    PoolDataset all = load();
    List<String> pool = pool(all, prices, options.models);
    List<String> unpriced = all.models().stream().filter(m -> !prices.hasPrice(m)).toList();
    PoolDataset data = all.withModels(pool);
    PoolCosts costs = PoolCosts.of(data, prices, options.outputTokens);
    PoolRouting router = PoolRouting.named(routerName, embedder,
        c -> options.chain == null ? PoolPolicies.Chain.cheapestWithTexts(c) : PoolPolicies.Chain.parse(options.chain),
        costs, AnswerExtractors.named(options.extractor));
    PoolEvaluation e = PoolEvaluator.builder().folds(EvalCommand.folds(folds, router.method() != null)).seed(seed)
        .progress(progress).build().evaluate(costs, router.method(), router.policy(), options.targets());
    print(text, e, options.models == null ? unpriced : List.of());
    if (plot != null) {
      PoolPlot.write(e, plot);
      text.println("Plot: " + plot);
    }
    text.flush();
    return json(e, router.name());
  }

  private static void print(PrintWriter out, PoolEvaluation e, List<String> unpriced) {
    PoolEvaluation.Summary s = e.summary();
    out.printf(Locale.ROOT, "Benchmark: %s, %,d questions, a pool of %d models, quality in %s%n", e.dataset(),
        e.questions(), e.models().size(), e.unit().name());
    if (!unpriced.isEmpty()) {
      out.printf(Locale.ROOT, "  left out (no price): %s%n", String.join(", ", unpriced));
    }
    out.printf(Locale.ROOT, "Costs: %s%s; shown in dollars per %,d requests%n", e.costBasis(),
        e.estimatedCosts() ? " (estimates)" : "", PER);
    out.printf(Locale.ROOT, "Router: %s, seed %d, %s%n", e.router(), e.seed(),
        e.folds() == 1 ? "no cross-validation" : e.folds() + "-fold cross-validation (held-out predictions)");
    out.printf(Locale.ROOT, "%nSingle models (cost per %,d requests, quality):%n", PER);
    List<PoolEvaluation.SingleModel> singles = new ArrayList<>(s.singles());
    singles.sort((a, b) -> Double.compare(a.cost(), b.cost()));
    for (PoolEvaluation.SingleModel m : singles) {
      boolean onFrontier = s.frontier().points().contains(m.point());
      out.printf(Locale.ROOT, "  %-40s %12s %8.2f%s%n", m.model(), money(PER * m.cost()), m.quality(),
          m == s.bestSingle() || m.equals(s.bestSingle()) ? "  best" : onFrontier ? "  frontier" : "");
    }
    out.printf(Locale.ROOT, "  %-40s %12s %8.2f  (cheapest correct model per question)%n", "oracle",
        money(PER * s.oracle().cost()), s.oracle().quality());
    out.printf(Locale.ROOT, "%nRouter curve (upper convex hull of its %d settings and the cheapest model):%n",
        e.points().size());
    for (CostQualityPoint p : s.router().points()) {
      out.printf(Locale.ROOT, "  %12s %8.2f  %s%n", money(PER * p.cost()), p.quality(), setting(e, p));
    }
    out.printf(Locale.ROOT, "%nArea under the curve over %s to %s per %,d requests (mean quality over the range):%n",
        money(PER * s.costFrom()), money(PER * s.costTo()), PER);
    out.printf(Locale.ROOT, "  router %.3f, single-model frontier %.3f (%+.3f)%n", s.routerArea(), s.frontierArea(),
        s.routerArea() - s.frontierArea());
    out.printf(Locale.ROOT, "Best single model: %s, %.2f at %s per %,d requests; %s%n",
        s.bestSingle().model(), s.bestSingle().quality(), money(PER * s.bestSingle().cost()), PER,
        Double.isNaN(s.costShareAtBestQuality()) ? "the router never reaches its quality"
            : String.format(Locale.ROOT, "the router reaches its quality at %.1f%% of its cost",
                100 * s.costShareAtBestQuality()));
    if (!e.foldResults().isEmpty()) {
      out.printf(Locale.ROOT, "%nPer fold (router area / frontier area; cost share at the best model's quality):%n");
      for (PoolEvaluation.Fold f : e.foldResults()) {
        PoolEvaluation.Summary fs = f.summary();
        out.printf(Locale.ROOT, "  fold %d (%,d questions): %.3f / %.3f; %s%n", f.fold(), f.size(), fs.routerArea(),
            fs.frontierArea(), Double.isNaN(fs.costShareAtBestQuality()) ? "not reached"
                : String.format(Locale.ROOT, "%.1f%%", 100 * fs.costShareAtBestQuality()));
      }
    }
    for (PoolCalibration.Result c : e.calibrations()) {
      out.printf(Locale.ROOT, "%nCalibrated for %s: %s%s%n", target(c.target()), c.setting().setting(),
          c.met() ? "" : " (no setting meets it; the nearest)");
      out.printf(Locale.ROOT, "  on all questions: %.2f at %s per %,d requests%n", c.setting().quality(),
          money(PER * c.setting().cost()), PER);
      if (c.heldOut() != null) {
        out.printf(Locale.ROOT, "  chosen without each fold, measured on it: %.2f at %s per %,d requests%n",
            c.heldOut().quality(), money(PER * c.heldOut().cost()), PER);
      }
    }
  }

  /**
   * A calibration target in the report's words; a budget in the report's unit, dollars per {@value #PER} requests,
   * beside the per-request figure {@code --budget} takes.
   */
  static String target(PoolCalibration.Target t) {
    if (t.kind() == PoolCalibration.Kind.BUDGET) {
      return String.format(Locale.ROOT, "a budget of %s per %,d requests (--budget %s per request)",
          money(PER * t.value()), PER, Dollars.plain(t.value()));
    }
    return t.toString();
  }

  /** The setting behind a hull vertex, or "cheapest model" for the anchor. */
  private static String setting(PoolEvaluation e, CostQualityPoint p) {
    for (OperatingPoint op : e.points()) {
      if (op.point().equals(p)) {
        return op.setting();
      }
    }
    for (PoolEvaluation.SingleModel m : e.summary().singles()) {
      if (m.point().equals(p)) {
        return "all to " + m.model();
      }
    }
    return "";
  }

  /** Dollars in the text report ({@link OutputOptions#money}). */
  static String money(double dollars) {
    return OutputOptions.money(dollars);
  }

  /** The {@code --json} object; costs in dollars per 1,000 requests, NaN as null. */
  static Map<String, Object> json(PoolEvaluation e, String routerName) {
    PoolEvaluation.Summary s = e.summary();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("benchmark", e.dataset());
    m.put("router", routerName);
    m.put("policy", e.policy());
    m.put("predictor", e.predictor().orElse(null));
    m.put("seed", e.seed());
    m.put("folds", e.folds());
    m.put("questions", e.questions());
    m.put("models", e.models());
    m.put("quality_unit", e.unit().name());
    m.put("cost_unit", "USD per " + PER + " requests");
    m.put("cost_basis", e.costBasis());
    m.put("costs_estimated", e.estimatedCosts());
    summary(m, s);
    List<Map<String, Object>> points = new ArrayList<>();
    for (OperatingPoint p : e.points()) {
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("setting", p.setting());
      point.put("parameters", parameters(e, p.parameters()));
      point.put("cost", PER * p.cost());
      point.put("quality", p.quality());
      point.put("calls_per_request", p.calls());
      points.add(point);
    }
    m.put("points", points);
    if (!e.foldResults().isEmpty()) {
      List<Map<String, Object>> folds = new ArrayList<>();
      for (PoolEvaluation.Fold f : e.foldResults()) {
        Map<String, Object> fold = new LinkedHashMap<>();
        fold.put("fold", f.fold());
        fold.put("questions", f.size());
        fold.put("router_auc", number(f.summary().routerArea()));
        fold.put("frontier_auc", number(f.summary().frontierArea()));
        fold.put("cost_share_at_best_quality", number(f.summary().costShareAtBestQuality()));
        folds.add(fold);
      }
      m.put("per_fold", folds);
    }
    List<Map<String, Object>> calibrations = new ArrayList<>();
    for (PoolCalibration.Result c : e.calibrations()) {
      Map<String, Object> cal = new LinkedHashMap<>();
      cal.put("target", c.target().kind().json());
      cal.put("value", c.target().value());
      cal.put("value_unit", switch (c.target().kind()) {
        case BUDGET -> "USD per request";
        case QUALITY -> e.unit().name();
        case COST_SHARE -> "fraction of the best single model's cost";
      });
      cal.put("setting", c.setting().setting());
      cal.put("parameters", parameters(e, c.setting().parameters()));
      cal.put("met", c.met());
      cal.put("in_sample", point(c.setting().point()));
      cal.put("held_out", c.heldOut() == null ? null : point(c.heldOut()));
      cal.put("fold_settings", c.foldSettings());
      calibrations.add(cal);
    }
    m.put("calibration", calibrations);
    return m;
  }

  /**
   * A setting's parameters for {@code --json}, sorted by name; a model parameter ({@code last_model}), which the
   * evaluation gives as an index into the pool, as the model's name.
   */
  static Map<String, Object> parameters(PoolEvaluation e, Map<String, Double> parameters) {
    Map<String, Object> out = new java.util.TreeMap<>();
    parameters.forEach((name, value) -> out.put(name, name.endsWith("_model")
        ? e.models().get((int) Math.round(value)) : value));
    return out;
  }

  private static void summary(Map<String, Object> m, PoolEvaluation.Summary s) {
    m.put("curve", curve(s.router()));
    Map<String, Object> best = new LinkedHashMap<>();
    best.put("model", s.bestSingle().model());
    best.put("quality", s.bestSingle().quality());
    best.put("cost", PER * s.bestSingle().cost());
    m.put("best_single", best);
    m.put("frontier_auc", number(s.frontierArea()));
    m.put("router_auc", number(s.routerArea()));
    Map<String, Object> range = new LinkedHashMap<>();
    range.put("from", PER * s.costFrom());
    range.put("to", PER * s.costTo());
    m.put("auc_cost_range", range);
    m.put("oracle", point(s.oracle()));
    m.put("cost_share_at_best_quality", number(s.costShareAtBestQuality()));
    List<Map<String, Object>> singles = new ArrayList<>();
    for (PoolEvaluation.SingleModel single : s.singles()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("model", single.model());
      one.put("cost", PER * single.cost());
      one.put("quality", single.quality());
      singles.add(one);
    }
    m.put("single_models", singles);
    m.put("frontier", curve(s.frontier()));
  }

  private static List<Map<String, Object>> curve(CostCurve curve) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (CostQualityPoint p : curve.points()) {
      out.add(point(p));
    }
    return out;
  }

  private static Map<String, Object> point(CostQualityPoint p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cost", PER * p.cost());
    m.put("quality", p.quality());
    return m;
  }

  private static Double number(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
