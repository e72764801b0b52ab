package dev.routellm.examples.cli;

import dev.routellm.prediction.WinRatePredictor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Scores prompts and prints which model each would go to, without calling any model. */
@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Scores prompts and prints, per prompt, the strong model's predicted win rate and the tier it would be routed"
          + " to. Calls no model and costs nothing. Prompts come from the arguments, or one per line from standard"
          + " input when the only argument is '-'.",
      "With an N-way router file (from 'routellm train --prices'), prints each model's predicted quality and expected"
          + " cost per prompt and the model chosen by quality-cost (--lambda) or cheapest-reaching (--target), with"
          + " the models' prices from --prices."
    })
public final class RouteCommand implements Callable<Integer> {
  @Mixin OutputOptions output;
  @Mixin PredictorOptions predictorOptions;
  @Mixin PoolRoute pool;

  @Parameters(paramLabel = "PROMPT", arity = "1..*", description = "Prompts to route, or '-' to read stdin.")
  List<String> prompts;

  @Override
  public Integer call() {
    List<String> texts = prompts.equals(List.of("-")) ? stdinLines() : prompts;
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i).isBlank()) { // the library's rule (ChatRequest): a request needs a prompt
        throw new IllegalArgumentException("PROMPT " + (i + 1) + " is empty or whitespace only: there is nothing to"
            + " route");
      }
    }
    java.nio.file.Path file = java.nio.file.Path.of(predictorOptions.router);
    if (java.nio.file.Files.isRegularFile(file)) {
      dev.routellm.checkpoint.RouterFile router = dev.routellm.checkpoint.RouterFile.read(file);
      if (router.isPool()) {
        if (predictorOptions.threshold != null) {
          throw new IllegalArgumentException("--threshold belongs to two-model routers; " + file + " is an N-way"
              + " predictor: give --lambda L or --target Q");
        }
        output.result(pool.run(router, file, texts, output.text()));
        return 0;
      }
    }
    if (!pool.given().isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", pool.given()) + " belong(s) to N-way router files (from"
          + " 'routellm train --prices'), but --router " + predictorOptions.router + " is a two-model router");
    }
    PredictorOptions.Loaded loaded = predictorOptions.load();
    WinRatePredictor predictor = loaded.predictor();
    long start = System.nanoTime();
    double[] scores;
    try (loaded) {
      scores = predictor.scoreAll(texts);
    }
    double millis = (System.nanoTime() - start) / 1e6;
    PrintWriter text = output.text();
    List<Map<String, Object>> rows = new ArrayList<>();
    int strong = 0;
    for (int i = 0; i < texts.size(); i++) {
      boolean isStrong = scores[i] >= loaded.threshold();
      strong += isStrong ? 1 : 0;
      text.printf(Locale.ROOT, "%-6s %.4f  %s%n", isStrong ? "strong" : "weak", scores[i],
          QuickstartCommand.abbreviate(texts.get(i).replace('\n', ' '), 100));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("prompt", texts.get(i));
      row.put("score", scores[i]);
      row.put("tier", isStrong ? "strong" : "weak");
      rows.add(row);
    }
    text.printf(Locale.ROOT, "%d of %d prompts to the strong model at threshold %.4f (router %s, %.1f ms).%n",
        strong, texts.size(), loaded.threshold(), predictor.name(), millis);
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("router", predictor.name());
    result.put("threshold", loaded.threshold());
    result.put("strong_share", texts.isEmpty() ? 0.0 : (double) strong / texts.size());
    result.put("decisions", rows);
    output.result(result);
    return 0;
  }

  private static List<String> stdinLines() {
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read prompts from standard input", e);
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("no prompts on standard input");
    }
    return lines;
  }
}
