package dev.routellm.examples.bench;

import dev.routellm.calibration.ThresholdCalibrator;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.data.Dataset;
import dev.routellm.data.RouteLlmBenchmarks;
import dev.routellm.embedding.CachingEmbedder;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import dev.routellm.onnx.BuiltInRouter;
import dev.routellm.onnx.OnnxEmbedder;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.AdaptiveThreshold;
import dev.routellm.routing.ThresholdSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

/**
 * Holding a strong share while the mix of traffic changes: a stream of MMLU questions followed by GSM8K questions,
 * scored by a real router (the built-in one, or a router file), routed once with a threshold calibrated on earlier
 * MMLU traffic and once with an {@link AdaptiveThreshold} for the same target. Prints the share of strong calls before
 * and after the change, over the whole stream, and the worst share over consecutive blocks of decisions.
 *
 * <pre>
 * java -cp routellm-examples/target/routellm.jar dev.routellm.examples.bench.DriftBenchmark \
 *     [--router topics|FILE] [--share 0.3] [--per-part 1000] [--window 500] [--data ../shared/data/routellm]
 *     [--cache .cache/embeddings] [--seed 42]
 * </pre>
 */
public final class DriftBenchmark {
  /** Decisions per block for the worst-block figure. */
  static final int BLOCK = 100;
  /** Earlier MMLU traffic the fixed threshold is calibrated on. */
  static final int CALIBRATION_PROMPTS = 500;

  private DriftBenchmark() {}

  /**
   * One stream routed with one threshold source.
   *
   * @param threshold the source's description
   * @param before share of strong calls before the change of mix
   * @param after share of strong calls after it
   * @param overall share over the whole stream
   * @param worstBlock the block share (of {@link #BLOCK} consecutive decisions) farthest from the target
   */
  public record Run(String threshold, double before, double after, double overall, double worstBlock) {}

  /** The stream of scores: a calibration sample, then the first mix, then the second. */
  public record Stream(double[] calibration, double[] scores, int change) {}

  /**
   * Routes the scores in order with {@code source} and counts strong calls ({@code score >= threshold}).
   *
   * @param change index of the first score of the second mix
   * @param target the target share, for the worst block
   */
  public static Run route(double[] scores, int change, ThresholdSource source, double target) {
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(source, "source");
    int before = 0;
    int after = 0;
    int block = 0;
    double worst = target;
    for (int i = 0; i < scores.length; i++) {
      boolean strong = scores[i] >= source.next(scores[i]);
      if (strong) {
        if (i < change) {
          before++;
        } else {
          after++;
        }
        block++;
      }
      if ((i + 1) % BLOCK == 0) {
        double share = (double) block / BLOCK;
        if (Math.abs(share - target) > Math.abs(worst - target)) {
          worst = share;
        }
        block = 0;
      }
    }
    return new Run(source.describe(), (double) before / change, (double) after / (scores.length - change),
        (double) (before + after) / scores.length, worst);
  }

  /**
   * The fixed threshold calibrated on the stream's calibration sample and an adaptive one (starting from it, with its
   * defaults: no rate bound, so no clock) for the same target, each routing the stream.
   */
  public static List<Run> compare(Stream stream, double share, int window) {
    double fixed = ThresholdCalibrator.of(stream.calibration()).forStrongShare(share).threshold();
    AdaptiveThreshold adaptive = AdaptiveThreshold.builder().strongShare(share).initial(fixed).window(window).build();
    return List.of(route(stream.scores(), stream.change(), ThresholdSource.fixed(fixed), share),
        route(stream.scores(), stream.change(), adaptive, share));
  }

  /**
   * Scores a calibration sample of MMLU prompts, then {@code perPart} other MMLU prompts and {@code perPart} GSM8K
   * prompts, each benchmark shuffled with {@code seed}.
   */
  public static Stream stream(WinRatePredictor router, Path data, int perPart, long seed) {
    List<String> mmlu = shuffled(RouteLlmBenchmarks.mmlu(data), seed);
    List<String> gsm8k = shuffled(RouteLlmBenchmarks.gsm8k(data), seed);
    if (perPart + CALIBRATION_PROMPTS > mmlu.size() || perPart > gsm8k.size()) {
      throw new IllegalArgumentException("--per-part must be at most " + gsm8k.size() + " but was " + perPart);
    }
    double[] calibration = router.scoreAll(mmlu.subList(0, CALIBRATION_PROMPTS));
    List<String> prompts = new ArrayList<>(mmlu.subList(CALIBRATION_PROMPTS, CALIBRATION_PROMPTS + perPart));
    prompts.addAll(gsm8k.subList(0, perPart));
    return new Stream(calibration, router.scoreAll(prompts), perPart);
  }

  private static List<String> shuffled(Dataset data, long seed) {
    List<String> prompts = new ArrayList<>(data.prompts());
    Collections.shuffle(prompts, new Random(seed));
    return prompts;
  }

  public static void main(String[] args) {
    String router = "topics";
    double share = 0.3;
    int perPart = 1000;
    int window = AdaptiveThreshold.DEFAULT_WINDOW;
    long seed = 42;
    Path data = Path.of("..", "shared", "data", "routellm");
    Path cache = Path.of(".cache", "embeddings");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--router" -> router = args[++i];
        case "--share" -> share = Double.parseDouble(args[++i]);
        case "--per-part" -> perPart = Integer.parseInt(args[++i]);
        case "--window" -> window = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        case "--cache" -> cache = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; expected --router"
            + " topics|FILE, --share P, --per-part N, --window N, --seed S, --data DIR, --cache DIR");
      }
    }
    try (OnnxEmbedder model = OnnxEmbedder.builder().builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q).build();
        CachingEmbedder embedder = CachingEmbedder.open(model, createDirectories(cache))) {
      TrainedRouter trained = "topics".equals(router) ? BuiltInRouter.withEmbedder(embedder)
          : TrainedRouter.load(RouterFile.read(Path.of(router)), embedder);
      Stream stream = stream(trained.predictor(), data, perPart, seed);
      System.out.printf(Locale.ROOT, "Router %s; target strong share %.0f%%; %d MMLU then %d GSM8K prompts (seed %d);"
          + " fixed threshold calibrated on %d other MMLU prompts.%n%n", router, 100 * share, perPart, perPart, seed,
          CALIBRATION_PROMPTS);
      System.out.println("| threshold | share on MMLU (before) | share on GSM8K (after) | whole stream | worst block of "
          + BLOCK + " |");
      System.out.println("|---|---:|---:|---:|---:|");
      for (Run r : compare(stream, share, window)) {
        String name = r.threshold().startsWith("adaptive") ? r.threshold()
            : "fixed " + String.format(Locale.ROOT, "%.4f", Double.parseDouble(r.threshold()))
                + " (calibrated on earlier MMLU)";
        System.out.printf(Locale.ROOT, "| %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% |%n", name, 100 * r.before(),
            100 * r.after(), 100 * r.overall(), 100 * r.worstBlock());
      }
    }
  }

  private static Path createDirectories(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("--cache: cannot create " + dir + ": " + e.getMessage(), e);
    }
  }
}
