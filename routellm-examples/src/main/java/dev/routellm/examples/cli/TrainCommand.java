package dev.routellm.examples.cli;

import dev.routellm.calibration.ThresholdCalibrator;
import dev.routellm.data.BattleFiles;
import dev.routellm.data.BattleSet;
import dev.routellm.data.Dataset;
import dev.routellm.prediction.EmbeddingPredictor;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.MatrixFactorization;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.training.LearnedMethods;
import dev.routellm.training.BattleLearning;
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
      "Trains a learned router (knn, knn-groups, knn-length, knn-lexical, topic-centroids, linear, mf, sw) on a RouteLLM"
          + " benchmark or your own labelled file, with a local embedding model, and writes one router file (weights,"
          + " embedder id and dimension, model pair, threshold) that 'routellm calibrate', 'routellm route --router"
          + " FILE' and TrainedRouter.load read.",
      "--benchmark also takes battle files (JSON lines with prompt, model_a, model_b, winner, as 'routellm label'"
          + " writes them, or Chatbot Arena's with conversation_a): mf and sw then learn from the battles of every"
          + " model (one vector or rating per model), the other routers from the chosen pair's battles; name the pair"
          + " with --strong-model and --weak-model unless the battles hold just two models.",
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
          + " per group: a few kilobytes), linear (a ridge regression on the embedding and the prompt's length: a few"
          + " kilobytes), mf (RouteLLM's matrix factorization), sw (RouteLLM's similarity-weighted ranking)"
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

  @Option(names = "--strong-model", paramLabel = "NAME",
      description = "With battle files: the model the router's score is the win rate of (default, with two models:"
          + " the one winning more battles).")
  String strongModel;

  @Option(names = "--weak-model", paramLabel = "NAME",
      description = "With battle files: the model it is compared with.")
  String weakModel;

  @Option(names = "--mf-checkpoint", paramLabel = "DIR",
      description = "With battle files and --router mf: also save the whole matrix factorization (one vector per"
          + " model, RouteLLM's layout) in DIR, for N-model routing (MatrixFactorization.load(DIR)"
          + ".qualityPredictor(embedder, models)).")
  Path mfCheckpoint;

  @Override
  public Integer call() {
    if (pool.enabled()) {
      var given = output.spec.commandLine().getParseResult();
      List<String> ignored = new ArrayList<>();
      for (String twoModelOnly : List.of("--strong-share", "--drop-group", "--data", "--strong-model", "--weak-model",
          "--mf-checkpoint")) {
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
    List<Path> battleFiles = battleFiles();
    if (!battleFiles.isEmpty()) {
      return trainOnBattles(battleFiles);
    }
    if (strongModel != null || weakModel != null || mfCheckpoint != null) {
      throw new IllegalArgumentException((strongModel != null ? "--strong-model" : weakModel != null ? "--weak-model"
          : "--mf-checkpoint") + " applies to battle files only; --benchmark names labelled prompts, whose models"
          + " the data names");
    }
    Learner learner = Learner.byId(router);
    checkOptions();
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

  /** The battle files among --benchmark: all of them, or none. */
  private List<Path> battleFiles() {
    List<Path> battles = new ArrayList<>();
    for (String b : dataset.benchmarks) {
      if (b.toLowerCase(Locale.ROOT).endsWith(".jsonl") && Files.isRegularFile(Path.of(b))
          && BattleFiles.isBattleFile(Path.of(b))) {
        battles.add(Path.of(b));
      }
    }
    if (!battles.isEmpty() && battles.size() != dataset.benchmarks.size()) {
      throw new IllegalArgumentException("--benchmark mixes battle files " + battles + " with labelled prompts:"
          + " train on one kind at a time");
    }
    return battles;
  }

  private int trainOnBattles(List<Path> files) {
    Learner learner = Learner.byId(router);
    checkOptions();
    if (!dropGroups.isEmpty()) {
      throw new IllegalArgumentException("--drop-group applies to labelled prompts; battle files have no groups");
    }
    if (mfCheckpoint != null && learner != Learner.MF) {
      throw new IllegalArgumentException("--mf-checkpoint needs --router mf but the router is " + learner.id());
    }
    BattleSet battles = null;
    for (Path f : files) {
      BattleSet b = BattleFiles.read(f);
      battles = battles == null ? b : battles.plus(b);
    }
    List<String> pair = pair(battles);
    PrintWriter text = output.text();
    long start = System.nanoTime();
    TrainedRouter trained;
    try (EmbedderOptions.Opened embedder = embedderOptions.open();
        StderrProgress progress = new StderrProgress(output.spec.commandLine().getErr())) {
      List<float[]> embeddings = BattleLearning.embed(battles, embedder.embedder(), progress);
      EmbeddingScorer scorer;
      if (learner == Learner.MF) {
        MatrixFactorization mf = BattleLearning.matrixFactorization(battles, embeddings, seed);
        if (mfCheckpoint != null) {
          mf.save(mfCheckpoint);
        }
        scorer = mf.scorer(pair.get(0), pair.get(1));
      } else {
        scorer = BattleLearning.fit(learner, battles, embeddings, pair.get(0), pair.get(1), seed);
      }
      trained = new TrainedRouter(EmbeddingPredictor.of(embedder.embedder(), scorer).named(learner.id()),
          pair.get(0), pair.get(1), OptionalDouble.empty());
      if (strongShare != null) {
        trained = trained.withThreshold(
            ThresholdCalibrator.of(scorer.scoreAll(embeddings)).forStrongShare(strongShare).threshold());
      }
      trained.save(out);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long bytes = out.toFile().length();
    List<String> models = battles.models();
    text.printf(Locale.ROOT, "Trained %s on %,d battles over %,d prompts of %d models (%s) for %s vs %s with %s in"
        + " %.1f s.%n", learner.id(), battles.size(), battles.prompts().size(), models.size(), abbreviate(models),
        pair.get(0), pair.get(1), trained.predictor().embedder().id(), seconds);
    trained.threshold().ifPresent(t -> text.printf(Locale.ROOT, "Threshold %.6f sends %.0f%% of the battle prompts"
        + " to the strong model.%n", t, 100 * strongShare));
    text.printf(Locale.ROOT, "Wrote %s (%,d bytes).%n", out, bytes);
    if (mfCheckpoint != null) {
      text.printf(Locale.ROOT, "Wrote the matrix factorization of all %d models to %s.%n", models.size(),
          mfCheckpoint);
    }
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("router", learner.id());
    result.put("file", out.toString());
    result.put("bytes", bytes);
    result.put("battle_files", files.stream().map(Path::toString).toList());
    result.put("battles", battles.size());
    result.put("prompts", battles.prompts().size());
    result.put("models", models);
    result.put("strong_model", pair.get(0));
    result.put("weak_model", pair.get(1));
    result.put("embedder", trained.predictor().embedder().id());
    result.put("dimension", trained.predictor().embedder().dimension());
    result.put("threshold", trained.threshold().isPresent() ? trained.threshold().getAsDouble() : null);
    result.put("mf_checkpoint", mfCheckpoint == null ? null : mfCheckpoint.toString());
    result.put("seconds", seconds);
    output.result(result);
    return 0;
  }

  /** The strong and weak model: as named, or by their battle records when the battles hold two models. */
  private List<String> pair(BattleSet battles) {
    List<String> models = battles.models();
    if (strongModel == null && weakModel == null) {
      if (models.size() != 2) {
        throw new IllegalArgumentException("the battles hold " + models.size() + " models: name the pair to route"
            + " between with --strong-model and --weak-model (models: " + abbreviate(models) + ")");
      }
      return battles.strongerFirst();
    }
    if (strongModel == null || weakModel == null) {
      throw new IllegalArgumentException((strongModel == null ? "--strong-model" : "--weak-model") + " is missing:"
          + " give both or neither");
    }
    if (strongModel.equals(weakModel)) {
      throw new IllegalArgumentException("--strong-model and --weak-model must differ but both are '" + strongModel
          + "'");
    }
    for (String m : List.of(strongModel, weakModel)) {
      if (!models.contains(m)) {
        throw new IllegalArgumentException("model '" + m + "' appears in no battle; the battles' models are "
            + abbreviate(models));
      }
    }
    return List.of(strongModel, weakModel);
  }

  private void checkOptions() {
    if (strongShare != null && !(strongShare >= 0 && strongShare <= 1)) {
      throw new IllegalArgumentException("--strong-share must be in [0, 1] but was " + strongShare);
    }
    OutputFiles.requireWritable("--out", out);
    if (mfCheckpoint != null) {
      OutputFiles.requireWritable("--mf-checkpoint", mfCheckpoint, true);
    }
  }

  /** Model names for a message: all of them up to 12, then a count. */
  private static String abbreviate(List<String> models) {
    return models.size() <= 12 ? String.join(", ", models)
        : String.join(", ", models.subList(0, 12)) + " and " + (models.size() - 12) + " more";
  }
}
