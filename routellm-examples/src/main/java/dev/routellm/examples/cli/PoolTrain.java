package dev.routellm.examples.cli;

import dev.routellm.cost.PriceTable;
import dev.routellm.data.PoolDataset;
import dev.routellm.data.PriceFile;
import dev.routellm.evaluation.FitContext;
import dev.routellm.evaluation.QualityMethod;
import dev.routellm.evaluation.QualityMethods;
import dev.routellm.prediction.QualityPredictor;
import dev.routellm.prediction.QualityPredictors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code train}'s N-model mode, which {@code --prices} turns on: fits an N-way quality predictor (kNN over per-model
 * outcomes, on embeddings or on the prompt's words) on an N-model file, for the pool of its priced models, and saves
 * it as a router file that {@code routellm route}, {@code routellm serve --pool} and {@code QualityPredictors.load}
 * read. Not thread-safe; one instance per run.
 */
final class PoolTrain {
  /** The N-way predictors {@code train --prices} fits. */
  static final List<String> ROUTERS = List.of("knn", "knn-lexical");

  @Option(names = "--prices", paramLabel = "FILE",
      description = "N-model mode: a price file (model,input_usd_per_mtok,output_usd_per_mtok) for an N-model"
          + " --benchmark file; trains an N-way quality predictor (--router knn or knn-lexical, default knn) for the"
          + " data's priced models, for 'routellm route' and the 'routers' of 'routellm serve --pool'.")
  Path prices;

  @Option(names = "--models", split = ",", paramLabel = "a,b,c",
      description = "N-model mode: the pool (default: every model of the data that has a price).")
  List<String> models;

  boolean enabled() {
    return prices != null;
  }

  /**
   * Checks the options, trains and writes {@code out}; text to {@code text}, the JSON result returned.
   *
   * @param router the --router given, or null for the default
   * @param ignored options given that N-model mode does not take, for the error
   */
  Map<String, Object> run(List<String> benchmarks, String router, List<String> ignored, long seed,
      EmbedderOptions embedderOptions, Path out, PrintWriter text, PrintWriter err) {
    String name = router == null ? "knn" : router;
    if (!ROUTERS.contains(name)) {
      throw new IllegalArgumentException("--router with --prices must be one of " + String.join(", ", ROUTERS)
          + " (N-way quality predictors) but was '" + name + "'");
    }
    if (!ignored.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", ignored) + " belong(s) to two-model training, not to"
          + " --prices");
    }
    OutputFiles.requireWritable("--out", out);
    PriceTable table = PriceFile.read(prices);
    PoolDataset all = new PoolEval(null, benchmarks == null ? List.of() : benchmarks).load();
    List<String> pool = PoolEval.pool(all, table, models);
    PoolDataset data = all.withModels(pool);
    long start = System.nanoTime();
    QualityPredictor predictor;
    String embedderId = null;
    try (EvalCommand.LazyEmbedder embedder = new EvalCommand.LazyEmbedder(embedderOptions);
        StderrProgress progress = new StderrProgress(err)) {
      QualityMethod method = name.equals("knn") ? QualityMethods.knn(embedder) : QualityMethods.knnLexical();
      predictor = method.fit(data, new FitContext(seed, progress));
      QualityPredictors.save(predictor, out);
      if (embedder.used()) {
        embedderId = embedder.get().id();
      }
      embedderOptions.warnIfUnused(embedder.used(), "knn-lexical embeds no prompts", err);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long bytes = out.toFile().length();
    text.printf(Locale.ROOT, "Trained %s on %,d prompts of %s for %d models (%s)%s in %.1f s.%n", name, data.size(),
        data.name(), pool.size(), String.join(", ", pool), embedderId == null ? "" : " with " + embedderId, seconds);
    text.printf(Locale.ROOT, "Wrote %s (%,d bytes): serve it from a pool file's 'routers', or try it with 'routellm"
        + " route --router %s --prices %s --lambda 0.1 PROMPT'.%n", out, bytes, out, prices);
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("router", name);
    result.put("file", out.toString());
    result.put("bytes", bytes);
    result.put("dataset", data.name());
    result.put("examples", data.size());
    result.put("models", pool);
    result.put("embedder", embedderId);
    result.put("seconds", seconds);
    return result;
  }
}
