package dev.routellm.examples.cli;

import dev.routellm.evaluation.PoolCalibration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code eval}'s N-model mode, which {@code --prices} turns on: the pool, the cascade's chain and answer
 * extractor, the calibration targets and the answer length assumed where the data has no token counts.
 */
final class PoolOptions {
  @Option(
      names = "--prices",
      paramLabel = "FILE",
      description = "N-model mode: a price file (model,input_usd_per_mtok,output_usd_per_mtok) for an N-model"
          + " --benchmark file (ZeroEval, LLMRouter, or your own: prompt and outcomes per model, see the README).")
  Path prices;

  @Option(
      names = "--models",
      split = ",",
      paramLabel = "a,b,c",
      description = "N-model mode: the pool (default: every model of the data that has a price).")
  List<String> models;

  @Option(
      names = "--chain",
      paramLabel = "a+b>c",
      description = "N-model cascades: a and b answer first and their answer is kept when their final answers agree,"
          + " else c answers; a>c keeps a's answer when its text looks confident (threshold swept); a trailing '>'"
          + " or no '>c' sweeps the last model over the pool (default: the two cheapest models with answer texts,"
          + " last model swept).")
  String chain;

  @Option(
      names = "--extractor",
      defaultValue = "number",
      paramLabel = "NAME",
      description = "N-model cascades: how final answers are compared: number, math, choice-letter, code or text"
          + " (default: ${DEFAULT-VALUE}).")
  String extractor;

  @Option(
      names = "--budget",
      paramLabel = "DOLLARS",
      description = "N-model mode: also calibrate the router for this mean cost per request, in dollars (the report"
          + " shows costs per 1,000 requests: --budget 0.0001 is $0.1 per 1,000 requests).")
  Double budget;

  @Option(
      names = "--quality",
      paramLabel = "Q",
      description = "N-model mode: also calibrate the router for this quality, in the data's unit (accuracy %%).")
  Double quality;

  @Option(
      names = "--cost-share",
      paramLabel = "S",
      description = "N-model mode: also calibrate the router for this share of the best single model's cost (0.2 for"
          + " 20%%).")
  Double costShare;

  @Option(
      names = "--out-tokens",
      defaultValue = "264", // PoolCosts.DEFAULT_OUTPUT_TOKENS (a test holds them equal)
      paramLabel = "N",
      description = "N-model mode: answer length assumed for calls whose data has no token counts (default:"
          + " ${DEFAULT-VALUE}, the RouteLLM paper's average).")
  long outputTokens;

  /** Whether N-model mode is on. */
  boolean enabled() {
    return prices != null;
  }

  /** The option names given that only N-model mode knows, for the error when it is off. */
  List<String> givenWithoutPrices() {
    List<String> given = new ArrayList<>();
    if (models != null) {
      given.add("--models");
    }
    if (chain != null) {
      given.add("--chain");
    }
    if (budget != null) {
      given.add("--budget");
    }
    if (quality != null) {
      given.add("--quality");
    }
    if (costShare != null) {
      given.add("--cost-share");
    }
    return given;
  }

  /** The calibration targets given, in the order budget, quality, cost share. */
  List<PoolCalibration.Target> targets() {
    List<PoolCalibration.Target> targets = new ArrayList<>();
    if (budget != null) {
      targets.add(PoolCalibration.Target.budget(check("--budget", budget)));
    }
    if (quality != null) {
      targets.add(PoolCalibration.Target.quality(quality));
    }
    if (costShare != null) {
      targets.add(PoolCalibration.Target.costShare(check("--cost-share", costShare)));
    }
    return targets;
  }

  private static double check(String option, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(option + " must be a finite number >= 0 but was " + value);
    }
    return value;
  }
}
