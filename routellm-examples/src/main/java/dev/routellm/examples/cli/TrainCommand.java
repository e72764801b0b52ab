package dev.routellm.examples.cli;

import dev.routellm.calibration.ThresholdCalibrator;
import dev.routellm.data.Dataset;
import dev.routellm.prediction.EmbeddingPredictor;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.training.LearnedMethods;
import dev.routellm.training.Learner;
import dev.routellm.training.TrainingSet;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains a learned router on labelled data and writes its router file. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Trains a learned router (knn, knn-groups, knn-length, knn-lexical, topic-centroids, mf, sw) on a RouteLLM"
          + " benchmark or your own labelled file, with a local embedding model, and writes one router file (weights,"
          + " embedder id and dimension, model pair, threshold) that 'routellm calibrate', 'routellm route --router"
          + " FILE' and TrainedRouter.load read.",
      "With --prices, trains an N-way quality predictor (knn or knn-lexical) on an N-model file instead, for 'routellm"
          + " route' and 'routellm serve --pool'.",
      "Embeddings are cached on disk (--cache), so training again on the same prompts embeds nothing."
    })
public final class TrainCommand implements Callable<Integer> {
  @Mixin OutputOptions output;
  @Mixin DatasetOptions dataset;
  @Mixin EmbedderOptions embedderOptions;
  @Mixin PoolTrain pool;

  @Option(names = "--router", defaultValue = "knn-groups", paramLabel = "NAME",
      description = "What to train: knn, knn-groups (kNN with a topic prior voted by the neighbours; the best on"
          + " MMLU), knn-length (kNN and prompt length; the best on GSM8K), knn-lexical (knn-groups blended with a"
          + " ridge regression on the prompt's words; about ten times the training work), topic-centroids (one point"
          + " per group: a few kilobytes), mf (RouteLLM's matrix factorization), sw (RouteLLM's similarity-weighted ranking)"
          + " (default: ${DEFAULT-VALUE}).")
  String router;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Where to write the router file (safetensors).")
  Path out;

  @Option(names = "--strong-share", paramLabel = "P",
      description = "Also set the threshold that sends this share of the training prompts to the strong model"
          + " (calibrate on your own traffic with 'routellm calibrate' for a better one).")
  Double strongShare;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "S",
      description = "Seed of anything random (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--drop-group", paramLabel = "GROUP",
      description = "Leave out the examples of this group (an MMLU subject such as high_school_mathematics, where the"
          + " strong model's answers were mis-graded); repeatable.")
  List<String> dropGroups = new ArrayList<>();

  @Override
  public Integer call() {
    if (pool.enabled()) {
      var given = output.spec.commandLine().getParseResult();
      List<String> ignored = new ArrayList<>();
      for (String twoModelOnly : List.of("--strong-share", "--drop-group", "--data")) {
        if (given.hasMatchedOption(twoModelOnly)) {
          ignored.add(twoModelOnly);
        }
      }
      output.result(pool.run(dataset.benchmarks, given.hasMatchedOption("--router") ? router : null, ignored, seed,
          embedderOptions, out, output.text(), output.spec.commandLine().getErr()));
      return 0;
    }
    if (pool.models != null) {
      throw new IllegalArgumentException("--models chooses the pool of N-model training: give --prices FILE too");
    }
    Learner learner = Learner.byId(router);
    if (strongShare != null && !(strongShare >= 0 && strongShare <= 1)) {
      throw new IllegalArgumentException("--strong-share must be in [0, 1] but was " + strongShare);
    }
    OutputFiles.requireWritable("--out", out);
    Dataset loaded = dataset.load();
    Set<String> groups = loaded.examples().stream().flatMap(e -> e.group().stream()).collect(Collectors.toSet());
    for (String g : dropGroups) {
      if (!groups.contains(g)) {
        throw new IllegalArgumentException("--drop-group " + g + ": no example has this group");
      }
    }
    Dataset data = loaded.filter(e -> e.group().map(g -> !dropGroups.contains(g)).orElse(true));
    PrintWriter text = output.text();
    long start = System.nanoTime();
    TrainedRouter trained;
    try (EmbedderOptions.Opened embedder = embedderOptions.open();
        StderrProgress progress = new StderrProgress(output.spec.commandLine().getErr())) {
      TrainingSet set = LearnedMethods.trainingSet(data, embedder.embedder(), progress);
      EmbeddingScorer scorer = learner.fit(set, seed);
      trained = new TrainedRouter(EmbeddingPredictor.of(embedder.embedder(), scorer).named(learner.id()),
          data.strongModel(),
          data.weakModel(), OptionalDouble.empty());
      if (strongShare != null) {
        trained = trained.withThreshold(
            ThresholdCalibrator.of(scorer.scoreAll(set.embeddings())).forStrongShare(strongShare).threshold());
      }
      trained.save(out);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long bytes = out.toFile().length();
    text.printf(Locale.ROOT, "Trained %s on %,d prompts of %s (%s vs %s) with %s in %.1f s.%n", learner.id(),
        data.size(), data.name(), data.strongModel(), data.weakModel(), trained.predictor().embedder().id(), seconds);
    trained.threshold().ifPresent(t -> text.printf(Locale.ROOT, "Threshold %.6f sends %.0f%% of the training"
        + " prompts to the strong model.%n", t, 100 * strongShare));
    text.printf(Locale.ROOT, "Wrote %s (%,d bytes).%n", out, bytes);
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("router", learner.id());
    result.put("file", out.toString());
    result.put("bytes", bytes);
    result.put("dataset", data.name());
    result.put("examples", data.size());
    result.put("dropped_groups", dropGroups);
    result.put("strong_model", data.strongModel());
    result.put("weak_model", data.weakModel());
    result.put("embedder", trained.predictor().embedder().id());
    result.put("dimension", trained.predictor().embedder().dimension());
    result.put("threshold", trained.threshold().isPresent() ? trained.threshold().getAsDouble() : null);
    result.put("seconds", seconds);
    output.result(result);
    return 0;
  }
}
