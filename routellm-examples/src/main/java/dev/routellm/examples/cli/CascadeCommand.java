package dev.routellm.examples.cli;

import dev.routellm.InvalidFileException;
import dev.routellm.cascade.CalibrationMethod;
import dev.routellm.cascade.CalibrationReport;
import dev.routellm.cascade.CascadeDataFile;
import dev.routellm.cascade.CascadeExample;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.cascade.LogprobConfidenceModel;
import dev.routellm.cascade.LogprobFeature;
import dev.routellm.cascade.LogprobFeatures;
import dev.routellm.cascade.TradeOff;
import dev.routellm.chat.Usage;
import dev.routellm.cost.Dollars;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.ModelPrice;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Prints a confidence cascade's calibration and its accuracy/cost trade-off over thresholds, from a file of weak-model
 * answers with known outcomes (format: {@link CascadeDataFile}).
 */
@Command(
    name = "cascade",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Confidence cascade trade-off: for a file of weak-model answers (token log-probabilities or their features,"
          + " and whether each was correct), scores every answer with a confidence model (Alamere's published fit, a"
          + " saved model, or one fitted here with cross-validation), reports its calibration (binned r^2, AUROC,"
          + " Brier) and prints, per threshold, the share escalated to the strong model, the expected accuracy and"
          + " the expected cost per request and per million tokens (the weak call is always paid).",
      "Data file: JSONL (one object per line: \"correct\", and \"logprobs\" (numbers, or OpenAI"
          + " logprobs.content objects) or \"features\" {\"sum\": ...}; optional \"strong_correct\", \"prompt_tokens\","
          + " \"completion_tokens\", \"strong_completion_tokens\") or CSV with the same columns (\"logprobs\" as"
          + " space-separated numbers, or one column per feature)."
    })
public final class CascadeCommand implements Callable<Integer> {
  /** Alamere's weak model; its list price is in {@link DefaultPrices}. */
  static final String DEFAULT_WEAK_MODEL = "llama-3-8b";
  /** Alamere's strong model; its list price is in {@link DefaultPrices}. */
  static final String DEFAULT_STRONG_MODEL = "llama-3-70b";
  /** Prompt and completion tokens assumed for rows without counts: the RouteLLM paper's averages. */
  static final long DEFAULT_PROMPT_TOKENS = 95;

  static final long DEFAULT_COMPLETION_TOKENS = 264;

  @Mixin OutputOptions output;

  @Option(names = "--data",
      paramLabel = "FILE.jsonl|FILE.csv", required = true, description = "Answers with outcomes: a .jsonl or .csv file.")
  Path data;

  @Option(
      names = "--model",
      paramLabel = "alamere|FILE.json",
      description = "Confidence model: 'alamere' (default when --fit is not given) or a model file saved earlier.")
  String model;

  @Option(names = "--fit",
      paramLabel = "ols|logistic|isotonic", description = "Fit a model on the data: ols, logistic or isotonic.")
  String fit;

  @Option(
      names = "--features",
      paramLabel = "KEY",
      split = ",",
      description =
          "Features for --fit (default: sum for ols and isotonic; for logistic every one of sum, mean, min, p10,"
              + " p25, tokens that all rows have). Known: sum, mean, min, p10, p25, tokens, margin_mean, margin_min.")
  List<String> features;

  @Option(
      names = "--folds",
      paramLabel = "K",
      defaultValue = "5",
      description =
          "With --fit: cross-fitting folds for the report, each answer scored by a model fitted without it; 1 scores"
              + " the training data in-sample, as Alamere did (default: ${DEFAULT-VALUE}).")
  int folds;

  @Option(names = "--seed",
      paramLabel = "S", defaultValue = "42", description = "Seed of the folds (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--save",
      paramLabel = "FILE.json", description = "With --fit: save the model, fitted on all rows, to this JSON file.")
  Path save;

  @Option(names = "--weak-model",
      paramLabel = "NAME", defaultValue = DEFAULT_WEAK_MODEL,
      description = "Weak model's name (default: ${DEFAULT-VALUE}, Alamere's).")
  String weakModel;

  @Option(
      names = "--strong-model",
      paramLabel = "NAME",
      defaultValue = DEFAULT_STRONG_MODEL,
      description = "Strong model's name (default: ${DEFAULT-VALUE}, Alamere's).")
  String strongModel;

  @Option(
      names = "--weak-price",
      paramLabel = PriceConverter.FORMAT,
      converter = PriceConverter.class,
      description = "Weak model's dollars per million input,output tokens, or one number for both; default: the"
          + " list price of a known model (" + DefaultPrices.HELP + "; " + DefaultPrices.MATCHING + "), required"
          + " for any other.")
  ModelPrice weakPrice;

  @Option(
      names = "--strong-price",
      paramLabel = PriceConverter.FORMAT,
      converter = PriceConverter.class,
      description = "Strong model's dollars per million input,output tokens, or one number for both; default: the"
          + " list price of a known model (as for --weak-price), required for any other.")
  ModelPrice strongPrice;

  @Option(
      names = "--strong-accuracy",
      paramLabel = "PERCENT",
      description = "Strong model's accuracy in percent (0 to 100), used for rows without strong_correct (required"
          + " when a row lacks it).")
  Double strongAccuracy;

  @Option(
      names = "--prompt-tokens",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_PROMPT_TOKENS,
      description = "Prompt tokens assumed for rows without counts (default: ${DEFAULT-VALUE}).")
  long promptTokens;

  @Option(
      names = "--completion-tokens",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_COMPLETION_TOKENS,
      description =
          "Completion tokens assumed for rows without counts (default: ${DEFAULT-VALUE}). Without"
              + " strong_completion_tokens the strong answer is assumed as long as the weak one.")
  long completionTokens;

  @Option(names = "--step",
      paramLabel = "STEP", defaultValue = "0.05", description = "Threshold step of the table (default: ${DEFAULT-VALUE}).")
  double step;

  @Option(names = {"--quality", "--target-accuracy"},
      paramLabel = "PERCENT", description = "Report the cheapest threshold reaching this accuracy, in percent (0 to"
          + " 100): the unit of 'routellm eval' and of 'routellm calibrate --quality' for right/wrong outcomes.")
  Double targetAccuracy;

  @Option(names = "--budget",
      paramLabel = "DOLLARS", description = "Report the most accurate threshold costing at most this many dollars per request.")
  Double budget;

  @Option(names = "--plot",
      paramLabel = "FILE.png|FILE.svg", description = "Write accuracy against cost per request to this .png or .svg file.")
  Path plot;

  @Override
  public Integer call() {
    validate();
    List<CascadeExample> examples = CascadeDataFile.read(data);
    List<Boolean> correct = examples.stream().map(CascadeExample::correct).toList();
    List<LogprobFeatures> x = examples.stream().map(CascadeExample::features).toList();

    Scoring scoring = score(examples, x, correct);
    double[] confidence = scoring.confidence;
    boolean[] right = new boolean[confidence.length];
    for (int i = 0; i < right.length; i++) {
      right[i] = correct.get(i);
    }
    CalibrationReport calibration = CalibrationReport.of(confidence, right);

    CostModel prices = CostModel.builder().price(weakModel, weakPrice).price(strongModel, strongPrice).build();
    double strongAccuracy = this.strongAccuracy == null ? Double.NaN : this.strongAccuracy / 100;
    Double targetAccuracy = this.targetAccuracy == null ? null : this.targetAccuracy / 100;
    Usage assumed = Usage.of(promptTokens, completionTokens);
    int assumedStrong = 0;
    int assumedUsage = 0;
    List<TradeOff.Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      CascadeExample e = examples.get(i);
      double strong;
      if (e.strongCorrect().isPresent()) {
        strong = e.strongCorrect().get() ? 1 : 0;
      } else if (this.strongAccuracy != null) {
        strong = strongAccuracy;
        assumedStrong++;
      } else {
        throw InvalidFileException.atLine(
            data, e.line(), "no 'strong_correct'; give it in the file or pass --strong-accuracy");
      }
      Usage weakUsage = e.usage().orElse(assumed);
      // Without strong_completion_tokens the strong answer is assumed as long as the weak one.
      Usage strongUsage = e.strongUsage().orElse(weakUsage);
      if (e.usage().isEmpty()) {
        assumedUsage++;
      }
      outcomes.add(
          TradeOff.Outcome.priced(
              confidence[i], e.correct(), strong, prices, weakModel, weakUsage, strongModel, strongUsage));
    }
    TradeOff tradeOff = TradeOff.of(outcomes);
    List<TradeOff.Row> table = tradeOff.table(step);
    Optional<TradeOff.Row> target = targetAccuracy == null ? Optional.empty() : tradeOff.cheapestReaching(targetAccuracy);
    Optional<TradeOff.Row> withinBudget = budget == null ? Optional.empty() : tradeOff.bestWithinBudget(budget);

    PrintWriter text = output.text();
    text.printf(Locale.ROOT, "Data: %s, %d answers, weak accuracy %.1f%%%n", data, examples.size(),
        100 * calibration.accuracy());
    percentNote(text, "--quality", this.targetAccuracy);
    percentNote(text, "--strong-accuracy", this.strongAccuracy);
    if (assumedStrong > 0) {
      text.printf(Locale.ROOT, "Strong correctness assumed %.1f%% for %d rows without strong_correct%n",
          100 * strongAccuracy, assumedStrong);
    }
    if (assumedUsage > 0) {
      text.printf(Locale.ROOT, "Token counts assumed %d prompt + %d completion for %d rows without them%n",
          promptTokens, completionTokens, assumedUsage);
    }
    text.printf(Locale.ROOT, "Prices ($/M tokens): %s %s, %s %s%n", weakModel, PriceConverter.format(weakPrice),
        strongModel, PriceConverter.format(strongPrice));
    text.printf(Locale.ROOT, "Confidence: %s%n", scoring.description);
    text.printf(Locale.ROOT, "Calibration: %s, %s, Brier %.4f, mean confidence %.3f vs accuracy %.3f%n",
        binnedR2(calibration), auroc(calibration), calibration.brier(), calibration.meanConfidence(),
        calibration.accuracy());
    text.printf(Locale.ROOT, "%9s  %9s  %8s  %12s  %10s%n", "threshold", "escalated", "accuracy", "$/request",
        "$/M tokens");
    for (TradeOff.Row r : table) {
      text.println(row(r));
    }
    target.ifPresentOrElse(
        r -> text.printf(Locale.ROOT, "Cheapest threshold reaching accuracy %.1f%%: %s%n", 100 * targetAccuracy,
            summary(r)),
        () -> {
          if (targetAccuracy != null) {
            text.printf(Locale.ROOT, "No threshold reaches accuracy %.1f%% (escalating everything gives %.1f%%)%n",
                100 * targetAccuracy, 100 * tradeOff.at(1.0).accuracy());
          }
        });
    withinBudget.ifPresentOrElse(
        r -> text.printf(Locale.ROOT, "Most accurate threshold within %s per request: %s%n", Dollars.format(budget),
            summary(r)),
        () -> {
          if (budget != null) {
            text.printf(Locale.ROOT, "No threshold costs at most %s per request (the weak call alone costs %s)%n",
                Dollars.format(budget), OutputOptions.money(tradeOff.at(0.0).costPerRequest()));
          }
        });
    if (plot != null) {
      TradeOffPlot.write(tradeOff, scoring.modelName, plot);
      text.printf(Locale.ROOT, "Plot written to %s%n", plot);
    }
    if (scoring.saved != null) {
      text.printf(Locale.ROOT, "Model (fitted on all %d rows) saved to %s%n", examples.size(), scoring.saved);
    }
    text.flush();

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("data", data.toString());
    result.put("answers", examples.size());
    result.put("weak_accuracy", calibration.accuracy());
    result.put("model", scoring.modelName);
    result.put("method", scoring.method);
    result.put("features", scoring.featureKeys);
    result.put("folds", scoring.folds);
    Map<String, Object> cal = new LinkedHashMap<>();
    cal.put("binned_r2", nullIfNaN(calibration.binnedR2()));
    cal.put("bin_size", calibration.binSize());
    cal.put("auroc", nullIfNaN(calibration.auroc()));
    cal.put("brier", calibration.brier());
    cal.put("mean_confidence", calibration.meanConfidence());
    result.put("calibration", cal);
    result.put("assumed_strong_correct_rows", assumedStrong);
    result.put("assumed_token_rows", assumedUsage);
    result.put("table", table.stream().map(CascadeCommand::json).toList());
    target.ifPresent(r -> result.put("target", json(r)));
    withinBudget.ifPresent(r -> result.put("budget", json(r)));
    if (plot != null) {
      result.put("plot", plot.toString());
    }
    if (scoring.saved != null) {
      result.put("saved", scoring.saved.toString());
    }
    output.result(result);
    return 0;
  }

  /** The note calibrate prints too: a value in (0, 1] was probably meant as a fraction, but the unit is percent. */
  private static void percentNote(PrintWriter text, String option, Double value) {
    if (value != null && value > 0 && value <= 1) {
      text.printf(Locale.ROOT, "Note: %s is in percent (0 to 100): %s means %s%%, not %s%%.%n", option, value, value,
          100 * value);
    }
  }

  private void validate() {
    if (fit != null && model != null) {
      throw new IllegalArgumentException("--model and --fit are exclusive: load a model or fit one");
    }
    if (fit == null && (features != null || save != null)) {
      throw new IllegalArgumentException("--features and --save need --fit");
    }
    if (folds < 1) {
      throw new IllegalArgumentException("--folds must be >= 1 but was " + folds);
    }
    if (strongAccuracy != null && !(strongAccuracy >= 0 && strongAccuracy <= 100)) {
      throw new IllegalArgumentException("--strong-accuracy must be a percentage in [0, 100] but was "
          + strongAccuracy);
    }
    if (targetAccuracy != null && !(targetAccuracy >= 0 && targetAccuracy <= 100)) {
      throw new IllegalArgumentException("--quality must be a percentage in [0, 100] but was " + targetAccuracy);
    }
    weakPrice = DefaultPrices.require("--weak-price", weakModel, weakPrice);
    strongPrice = DefaultPrices.require("--strong-price", strongModel, strongPrice);
    if (budget != null && !(budget >= 0) || budget != null && budget.isInfinite()) {
      throw new IllegalArgumentException("--budget must be a number of dollars >= 0 but was " + budget);
    }
    if (!(step > 0 && step <= 1)) {
      throw new IllegalArgumentException("--step must be in (0, 1] but was " + step);
    }
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException("--prompt-tokens and --completion-tokens must be >= 0");
    }
    if (plot != null) {
      TradeOffPlot.format(plot);
      OutputFiles.requireWritable("--plot", plot, true);
    }
    if (save != null) {
      OutputFiles.requireWritable("--save", save, true);
    }
  }

  /** The confidences of every answer, and how they were obtained. */
  private record Scoring(
      double[] confidence, String modelName, String method, List<String> featureKeys, int folds, String description,
      Path saved) {}

  private Scoring score(List<CascadeExample> examples, List<LogprobFeatures> x, List<Boolean> correct) {
    if (fit == null) {
      LogprobConfidenceModel m = loadModel();
      requireFeatures(examples, m.features());
      double[] confidence = x.stream().mapToDouble(m::confidence).toArray();
      return new Scoring(confidence, m.name(), m.method().key(), keys(m.features()), 0,
          m.name() + " (" + m.method().key() + " on " + String.join(",", keys(m.features())) + ")", null);
    }
    CalibrationMethod method = CalibrationMethod.fromKey(fit);
    List<LogprobFeature> chosen = chooseFeatures(method, examples);
    requireFeatures(examples, chosen);
    LogprobConfidenceModel all = LogprobConfidenceModel.fit(method, chosen, x, correct);
    double[] confidence;
    String how;
    if (folds == 1) {
      confidence = x.stream().mapToDouble(all::confidence).toArray();
      how = "scored in-sample";
    } else {
      confidence = LogprobConfidenceModel.crossValidate(method, chosen, x, correct, folds, seed);
      how = folds + "-fold cross-fitted, seed " + seed;
    }
    if (save != null) {
      all.save(save);
    }
    return new Scoring(confidence, all.name(), method.key(), keys(chosen), folds,
        all.name() + " fitted on " + examples.size() + " answers, " + how, save);
  }

  private LogprobConfidenceModel loadModel() {
    if (model == null || model.equals("alamere")) {
      return LogprobConfidenceModel.alamere();
    }
    ConfidenceModel loaded = ConfidenceModel.load(Path.of(model));
    if (loaded instanceof LogprobConfidenceModel m) {
      return m;
    }
    throw new IllegalArgumentException(
        "--model " + model + " holds '" + loaded.name() + "', which does not score log-probabilities");
  }

  private List<LogprobFeature> chooseFeatures(CalibrationMethod method, List<CascadeExample> examples) {
    if (features != null) {
      return features.stream().map(LogprobFeature::fromKey).toList();
    }
    if (method != CalibrationMethod.LOGISTIC) {
      return List.of(LogprobFeature.SUM);
    }
    List<LogprobFeature> available = new ArrayList<>();
    for (LogprobFeature f :
        List.of(LogprobFeature.SUM, LogprobFeature.MEAN, LogprobFeature.MIN, LogprobFeature.P10, LogprobFeature.P25,
            LogprobFeature.TOKENS)) {
      if (examples.stream().allMatch(e -> e.features().has(f))) {
        available.add(f);
      }
    }
    if (available.isEmpty()) {
      throw new IllegalArgumentException("no feature is available in every row; name them with --features");
    }
    return available;
  }

  private void requireFeatures(List<CascadeExample> examples, List<LogprobFeature> needed) {
    for (CascadeExample e : examples) {
      for (LogprobFeature f : needed) {
        if (!e.features().has(f)) {
          throw InvalidFileException.atLine(
              data, e.line(),
              "feature '" + f.key() + "' is not available"
                  + (f.needsAlternatives() ? " (it needs top_logprobs with two alternatives per token)" : "")
                  + "; the model uses " + String.join(",", keys(needed)));
        }
      }
    }
  }

  private static List<String> keys(List<LogprobFeature> features) {
    return features.stream().map(LogprobFeature::key).collect(Collectors.toList());
  }

  /** The binned r^2 in words; NaN says why it is undefined rather than printing "NaN". */
  private static String binnedR2(CalibrationReport c) {
    if (c.bins().size() < 2) {
      return String.format(Locale.ROOT, "binned r^2 n/a (needs more than %d answers, bins of %d)", c.binSize(),
          c.binSize());
    }
    if (Double.isNaN(c.binnedR2())) {
      return String.format(Locale.ROOT, "binned r^2 n/a (every bin of %d has the same accuracy)", c.binSize());
    }
    return String.format(Locale.ROOT, "binned r^2 %.3f (bins of %d)", c.binnedR2(), c.binSize());
  }

  private static String auroc(CalibrationReport c) {
    return Double.isNaN(c.auroc())
        ? "AUROC n/a (every answer is " + (c.accuracy() > 0 ? "correct" : "wrong") + ")"
        : String.format(Locale.ROOT, "AUROC %.3f", c.auroc());
  }

  private static String row(TradeOff.Row r) {
    return String.format(Locale.ROOT, "%9.2f  %8.1f%%  %7.2f%%  %12.8f  %10.4f", r.threshold(),
        100 * r.escalatedShare(), 100 * r.accuracy(), r.costPerRequest(), r.costPerMillionTokens());
  }

  private static String summary(TradeOff.Row r) {
    return String.format(Locale.ROOT, "threshold %.4f escalates %.1f%%, accuracy %.2f%%, %s per request, %s per"
        + " million tokens", r.threshold(), 100 * r.escalatedShare(), 100 * r.accuracy(),
        OutputOptions.money(r.costPerRequest()), OutputOptions.money(r.costPerMillionTokens()));
  }

  private static Map<String, Object> json(TradeOff.Row r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("threshold", r.threshold());
    m.put("escalated_share", r.escalatedShare());
    m.put("accuracy", r.accuracy());
    m.put("cost_per_request", r.costPerRequest());
    m.put("cost_per_million_tokens", nullIfNaN(r.costPerMillionTokens()));
    return m;
  }

  private static Double nullIfNaN(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
