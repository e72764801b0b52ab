package dev.routellm.examples.cli;

import dev.routellm.internal.BoundedFiles;
import dev.routellm.InvalidFileException;
import dev.routellm.calibration.Calibration;
import dev.routellm.calibration.ThresholdCalibrator;
import dev.routellm.chat.Usage;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.ModelPrice;
import dev.routellm.data.Dataset;
import dev.routellm.data.DatasetFiles;
import dev.routellm.data.QualityUnit;
import dev.routellm.data.RouteLlmBenchmarks;
import dev.routellm.onnx.BuiltInRouter;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.routing.Tier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Chooses a router file's threshold from the user's own prompts, and reports what to expect at it. */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Scores your own prompts with a router file and chooses its threshold: for a share of strong-model calls"
          + " (--strong-share), a cost per request (--budget) or, with labelled prompts, a quality (--quality).",
      "Reports the strong share, quality (labelled prompts only) and cost per request to expect at that threshold;"
          + " --write stores the threshold in the router file. A threshold calibrated on someone else's traffic"
          + " rarely gives the promised share on yours: calibrate on a sample of your own."
    })
public final class CalibrateCommand implements Callable<Integer> {
  /** Completion tokens assumed per answer unless told: the RouteLLM paper's average answer length. */
  static final int DEFAULT_COMPLETION_TOKENS = 264;

  @Mixin OutputOptions output;
  @Mixin EmbedderOptions embedderOptions;

  @Option(names = "--router", required = true, paramLabel = "FILE|" + PredictorOptions.TOPICS,
      description = "The router file to calibrate, or '" + PredictorOptions.TOPICS + "', the built-in router (its"
          + " threshold is reported, to pass with --threshold to route, serve or quickstart; --write cannot change"
          + " it).")
  String router;

  @Option(names = "--prompts", required = true, paramLabel = "FILE|mmlu|gsm8k|mt-bench",
      description = "Representative prompts: a .txt file (one prompt per line), a labelled .csv or .jsonl file, or a"
          + " RouteLLM benchmark (labelled).")
  String prompts;

  @Option(names = "--data", paramLabel = "DIR", description = "Directory with RouteLLM's benchmark files.")
  Path data;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--strong-share", paramLabel = "P",
        description = "Share of prompts to send to the strong model (the share delivered is reported, with a warning"
            + " when tied scores make P unreachable).")
    Double share;

    @Option(names = "--budget", paramLabel = "DOLLARS", description = "Expected cost per request, in dollars.")
    Double budget;

    @Option(names = "--quality", paramLabel = "Q",
        description = "Quality to reach, in the unit 'routellm eval' reports for the data: accuracy %% (0 to 100) for"
            + " MMLU, GSM8K and true/false labels, judge score for MT-Bench, the score itself for numeric labels;"
            + " labelled prompts only.")
    Double quality;
  }

  @Option(names = "--strong-price", paramLabel = PriceConverter.FORMAT, converter = PriceConverter.class,
      description = "Strong model's dollars per million input,output tokens, or one number for both; default: the"
          + " list price of the router file's model when known (" + DefaultPrices.HELP + "; " + DefaultPrices.MATCHING
          + "). Without a price the cost is not reported, and --budget needs one.")
  ModelPrice strongPrice;

  @Option(names = "--weak-price", paramLabel = PriceConverter.FORMAT, converter = PriceConverter.class,
      description = "Weak model's dollars per million input,output tokens, or one number for both; default: the"
          + " list price of the router file's model when known (as for --strong-price).")
  ModelPrice weakPrice;

  @Option(names = "--completion-tokens", defaultValue = "" + DEFAULT_COMPLETION_TOKENS, paramLabel = "N",
      description = "Average answer length in tokens (default: ${DEFAULT-VALUE}); the prompt length is measured.")
  int completionTokens;

  @Option(names = "--write", description = "Store the chosen threshold in the router file.")
  boolean write;

  @Override
  public Integer call() {
    if (completionTokens < 0) {
      throw new IllegalArgumentException("--completion-tokens must be >= 0 but was " + completionTokens);
    }
    if (target.share != null && !(target.share >= 0 && target.share <= 1)) {
      throw new IllegalArgumentException("--strong-share must be in [0, 1] but was " + target.share);
    }
    if (target.budget != null && !(target.budget >= 0 && Double.isFinite(target.budget))) {
      throw new IllegalArgumentException("--budget must be a finite number >= 0 but was " + target.budget);
    }
    boolean builtIn = PredictorOptions.TOPICS.equals(router);
    if ("random".equals(router)) {
      throw new IllegalArgumentException("--router random scores every prompt at random, so there is nothing to"
          + " calibrate: its threshold 1 - P sends a share P of any traffic to the strong model; calibrate '"
          + PredictorOptions.TOPICS + "' or a router file from 'routellm train'");
    }
    if (builtIn && write) {
      throw new IllegalArgumentException("--write cannot change the built-in router '" + PredictorOptions.TOPICS
          + "' (it ships inside the jar): calibrate without --write and pass the reported threshold with --threshold"
          + " to route, serve or quickstart, or train your own router file with 'routellm train'");
    }
    Path file = builtIn ? null : Path.of(router);
    if (!builtIn && !Files.exists(file)) {
      throw new IllegalArgumentException("--router: no such file " + router + " (the built-in router is '"
          + PredictorOptions.TOPICS + "')");
    }
    RouterFile routerFile = builtIn ? null : RouterFile.read(file);
    if (!builtIn && target.budget != null) { // a budget needs prices: say so before loading and embedding anything
      DefaultPrices.require("--strong-price", routerFile.strongModel(), strongPrice);
      DefaultPrices.require("--weak-price", routerFile.weakModel(), weakPrice);
    }
    Input input = readInput();
    if (target.quality != null && input.data == null) {
      throw new IllegalArgumentException("--quality needs labelled prompts (.csv, .jsonl or a benchmark)");
    }
    PrintWriter text = output.text();
    Calibration c;
    TrainedRouter trained;
    try (EmbedderOptions.Opened embedder = builtIn ? embedderOptions.open()
        : embedderOptions.openForId(routerFile.embedderId(), "router file " + router)) {
      trained = builtIn ? BuiltInRouter.withEmbedder(embedder.embedder()) : TrainedRouter.load(file,
          embedder.embedder());
      ModelPrice strong = strongPrice != null ? strongPrice : DefaultPrices.of(trained.strongModel()).orElse(null);
      ModelPrice weak = weakPrice != null ? weakPrice : DefaultPrices.of(trained.weakModel()).orElse(null);
      if (target.budget != null) {
        strong = DefaultPrices.require("--strong-price", trained.strongModel(), strong);
        weak = DefaultPrices.require("--weak-price", trained.weakModel(), weak);
      }
      double[] scores = trained.predictor().scoreAll(input.prompts);
      long promptTokens = 0;
      for (String p : input.prompts) {
        promptTokens += Usage.estimate(p, "").promptTokens();
      }
      Usage average = Usage.of(Math.round((double) promptTokens / input.prompts.size()), completionTokens);
      ThresholdCalibrator calibrator = ThresholdCalibrator.of(scores);
      if (strong != null && weak != null) {
        CostModel prices = CostModel.builder().price(trained.strongModel(), strong)
            .price(trained.weakModel(), weak).build();
        calibrator = calibrator.withCosts(prices, trained.strongModel(), trained.weakModel(), average);
      }
      if (input.data != null) {
        calibrator = calibrator.withOutcomes(input.data.scores(Tier.STRONG), input.data.scores(Tier.WEAK));
      }
      if (target.share != null) {
        c = calibrator.forStrongShare(target.share);
      } else if (target.budget != null) {
        c = calibrator.forBudget(target.budget);
      } else {
        c = forQuality(calibrator, input.data);
      }
      if (write) {
        trained.withThreshold(c.threshold()).save(file);
      }
      report(text, trained, input, c, calibrator, strong != null && weak != null);
    }
    return 0;
  }

  /**
   * The threshold reaching {@code --quality}, which is in the data's unit (what 'routellm eval' reports): checked
   * against the unit's range and the best the router reaches on the data, with the unit in every message.
   */
  private Calibration forQuality(ThresholdCalibrator calibrator, Dataset data) {
    QualityUnit unit = data.unit();
    double lo;
    double hi;
    if (unit.equals(QualityUnit.ACCURACY_PERCENT)) {
      lo = 0;
      hi = unit.of(1);
    } else {
      lo = Double.POSITIVE_INFINITY;
      hi = Double.NEGATIVE_INFINITY;
      for (Tier tier : Tier.values()) {
        for (double v : data.scores(tier)) {
          lo = Math.min(lo, unit.of(v));
          hi = Math.max(hi, unit.of(v));
        }
      }
    }
    double q = target.quality;
    if (!(q >= lo && q <= hi)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "--quality must be in [%s, %s] (%s, the unit"
          + " 'routellm eval' reports for %s) but was %s", number(lo), number(hi), unit.name(), prompts, number(q)));
    }
    double best = unit.of(calibrator.bestQuality());
    if (q > best + 1e-9 * Math.max(1, Math.abs(best))) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "--quality %s %s is out of reach: no threshold"
          + " reaches it on %s; the best reachable is %.4f %s", number(q), unit.name(), prompts, best, unit.name()));
    }
    // A hair below the target, so that a mean equal to it up to rounding (0.9 as 14.4 / 16) reaches it.
    return calibrator.forQuality(Math.min(q / unit.scale() - 1e-12, calibrator.bestQuality()));
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private void report(PrintWriter text, TrainedRouter trained, Input input, Calibration c,
      ThresholdCalibrator calibrator, boolean priced) {
    Double allStrong = priced ? calibrator.strongCostPerRequest() : null;
    Double allWeak = priced ? calibrator.weakCostPerRequest() : null;
    String name = PredictorOptions.TOPICS.equals(router) ? router : trained.predictor().name();
    text.printf(Locale.ROOT, "Router %s (%s vs %s), %,d prompts.%n", name,
        trained.strongModel(), trained.weakModel(), input.prompts.size());
    int strongCount = (int) Math.round(c.strongShare() * input.prompts.size());
    StrongShareCheck share = target.share == null ? null
        : StrongShareCheck.of(calibrator, target.share, c, "the prompts");
    boolean missed = share != null && share.warning().isPresent();
    text.printf(Locale.ROOT, "Threshold %.6f: %.1f%% of the prompts (%,d of %,d) to the strong model%s.%n",
        c.threshold(), 100 * c.strongShare(), strongCount, input.prompts.size(),
        missed ? " (asked for " + StrongShareCheck.percent(target.share) + ")" : "");
    if (missed) {
      text.flush();
      share.warn(output.err());
    }
    if (target.quality != null) {
      text.printf(Locale.ROOT, "Target quality %s %s.%n", number(target.quality), input.data.unit().name());
      if (input.data.unit().equals(QualityUnit.ACCURACY_PERCENT) && target.quality > 0 && target.quality <= 1) {
        text.printf(Locale.ROOT, "Note: --quality is in percent (0 to 100): %s means %s%%, not %s%%.%n",
            number(target.quality), number(target.quality), number(100 * target.quality));
      }
    }
    c.quality().ifPresent(q -> text.printf(Locale.ROOT, "Quality %.4f %s (weak only %.4f, strong only %.4f).%n",
        input.data.unit().of(q), input.data.unit().name(), input.data.quality(Tier.WEAK),
        input.data.quality(Tier.STRONG)));
    if (priced) {
      text.printf(Locale.ROOT, "Cost %s per request (all weak %s, all strong %s).%n",
          OutputOptions.money(c.costPerRequest().orElseThrow()), OutputOptions.money(allWeak),
          OutputOptions.money(allStrong));
    } else {
      text.printf(Locale.ROOT, "Cost not reported: no price for %s; give --strong-price and --weak-price (list prices"
          + " are known for %s).%n", DefaultPrices.of(trained.strongModel()).isEmpty() ? trained.strongModel()
          : trained.weakModel(), String.join(", ", DefaultPrices.LIST.keySet()));
    }
    if (write) {
      text.printf(Locale.ROOT, "Wrote the threshold to %s.%n", router);
    }
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("router", name);
    result.put("file", PredictorOptions.TOPICS.equals(router) ? null : router);
    result.put("prompts", input.prompts.size());
    result.put("threshold", c.threshold());
    result.put("strong_share", c.strongShare());
    result.put("requested_strong_share", target.share);
    result.put("strong_prompts", strongCount);
    result.put("warnings", missed ? List.of(share.warning().get()) : List.of());
    result.put("quality", c.quality().isPresent() ? input.data.unit().of(c.quality().getAsDouble()) : null);
    result.put("quality_unit", input.data == null ? null : input.data.unit().name());
    result.put("cost_per_request", priced ? c.costPerRequest().orElseThrow() : null);
    result.put("all_weak_cost_per_request", allWeak);
    result.put("all_strong_cost_per_request", allStrong);
    result.put("written", write);
    output.result(result);
  }

  /** Prompts, with outcomes when the input is labelled. */
  private record Input(List<String> prompts, Dataset data) {}

  private Input readInput() {
    Dataset labelled = null;
    if (RouteLlmBenchmarks.NAMES.contains(prompts)) {
      Path dir = data != null ? data : DatasetOptions.defaultDataDirectory(Path.of("").toAbsolutePath())
          .orElseThrow(() -> new IllegalArgumentException("--data DIR is needed for a RouteLLM benchmark"));
      labelled = RouteLlmBenchmarks.load(prompts, dir);
    } else {
      String name = prompts.toLowerCase(Locale.ROOT);
      Path file = Path.of(prompts);
      boolean known = name.endsWith(".csv") || name.endsWith(".jsonl") || name.endsWith(".txt");
      if (known && !Files.exists(file)) {
        throw new IllegalArgumentException("--prompts: file " + file + " does not exist");
      }
      if (known && !Files.isRegularFile(file)) {
        throw new IllegalArgumentException("--prompts: " + file + " is not a regular file");
      }
      if (name.endsWith(".csv") || name.endsWith(".jsonl")) {
        labelled = DatasetFiles.read(file);
      } else if (name.endsWith(".txt")) {
        List<String> lines =
            BoundedFiles.readString(file, BoundedFiles.MAX_TEXT_BYTES, "prompts file").lines()
                .filter(l -> !l.isBlank())
                .toList();
        if (lines.isEmpty()) {
          throw new IllegalArgumentException("--prompts: " + file + " holds no prompt");
        }
        return new Input(lines, null);
      } else {
        throw new IllegalArgumentException("--prompts must be a .txt, .csv or .jsonl file or one of "
            + RouteLlmBenchmarks.NAMES + " but was '" + prompts + "'");
      }
    }
    if (labelled.isEmpty()) {
      throw new IllegalArgumentException("--prompts: " + prompts + " holds no prompt");
    }
    return new Input(labelled.prompts(), labelled);
  }
}
