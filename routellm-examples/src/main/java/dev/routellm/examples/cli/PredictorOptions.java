package dev.routellm.examples.cli;

import dev.routellm.prediction.RandomPredictor;
import dev.routellm.prediction.WinRatePredictor;
import picocli.CommandLine.Option;

/** Options that choose the win-rate predictor a command routes with, and its threshold. */
public final class PredictorOptions {
  @Option(names = "--router", paramLabel = "NAME|FILE", defaultValue = "random",
      description = "Predictor: 'random' (seeded) (default: ${DEFAULT-VALUE}).")
  String router;

  @Option(names = "--threshold", paramLabel = "T",
      description = "Prompts scoring at or above T go to the strong model (default: the router's calibrated"
          + " threshold; 0.5 for 'random').")
  Double threshold;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the random router (default: ${DEFAULT-VALUE}).")
  long seed;

  /** A predictor and the threshold to use with it. */
  record Loaded(WinRatePredictor predictor, double threshold) {}

  Loaded load() {
    if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("--threshold must be in [0, 1] but was " + threshold);
    }
    if ("random".equals(router)) {
      return new Loaded(RandomPredictor.withSeed(seed), threshold != null ? threshold : 0.5);
    }
    throw new IllegalArgumentException("--router must be 'random' but was '" + router + "'");
  }
}
