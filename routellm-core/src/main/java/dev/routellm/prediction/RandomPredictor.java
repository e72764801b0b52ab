package dev.routellm.prediction;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A seeded random baseline: each prompt gets a pseudo-random score, uniform in [0, 1), derived from the seed and the
 * prompt's text. The same seed and prompt always give the same score, on any thread and in any order, so evaluations
 * are reproducible. At threshold {@code t} it sends about {@code 1 - t} of the traffic to the strong model.
 *
 * <p>Immutable and thread-safe.
 */
public final class RandomPredictor implements WinRatePredictor {
  private final long seed;

  private RandomPredictor(long seed) {
    this.seed = seed;
  }

  /** A random predictor with the given seed. */
  public static RandomPredictor withSeed(long seed) {
    return new RandomPredictor(seed);
  }

  public long seed() {
    return seed;
  }

  @Override
  public String name() {
    return "random";
  }

  @Override
  public double score(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    long h = seed;
    for (byte b : prompt.getBytes(StandardCharsets.UTF_8)) {
      h = mix(h ^ (b & 0xff));
    }
    h = mix(h ^ prompt.length());
    return (h >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64's finalizer: a bijective mix with good avalanche. */
  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return "RandomPredictor{seed=" + seed + "}";
  }
}
