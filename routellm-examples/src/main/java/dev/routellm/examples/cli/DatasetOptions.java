package dev.routellm.examples.cli;

import dev.routellm.data.Dataset;
import dev.routellm.data.DatasetFiles;
import dev.routellm.data.Example;
import dev.routellm.data.PoolDatasetFiles;
import dev.routellm.data.RouteLlmBenchmarks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --benchmark} and {@code --data} options: a RouteLLM benchmark or the user's own labelled file. */
public final class DatasetOptions {
  /** Where {@code --data} points unless given, relative to the working directory. */
  static final Path DEFAULT_DATA = Path.of("..", "shared", "data", "routellm");

  @Option(
      names = "--benchmark",
      required = true,
      paramLabel = "mmlu|gsm8k|mt-bench|FILE",
      description = "A RouteLLM benchmark, or your own .csv or .jsonl file (prompt, strong, weak; see the README)."
          + " Repeat it to combine data of the same two models; examples without a group are grouped by source.")
  List<String> benchmarks;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Directory with RouteLLM's benchmark files (mmlu/, gsm8k/, mt_bench/). Default: ../shared/data/"
          + "routellm relative to the working directory, when that directory exists.")
  Path data;

  /**
   * The dataset the options name: one source, or several of the same two models joined.
   *
   * @param nModelAdvice what to do with an N-model file instead, for the error that names one
   */
  Dataset load(String nModelAdvice) {
    if (benchmarks.size() == 1) {
      return load(benchmarks.get(0), nModelAdvice);
    }
    List<Example> examples = new ArrayList<>();
    Dataset first = null;
    for (String b : benchmarks) {
      Dataset d = load(b, nModelAdvice);
      if (first == null) {
        first = d;
      } else if (!d.strongModel().equals(first.strongModel()) || !d.weakModel().equals(first.weakModel())
          || !d.unit().equals(first.unit())) {
        throw new IllegalArgumentException("--benchmark " + b + " compares " + d.strongModel() + " with "
            + d.weakModel() + " in " + d.unit().name() + " but " + first.name() + " compares " + first.strongModel()
            + " with " + first.weakModel() + " in " + first.unit().name() + ": only data of the same models and"
            + " unit can be combined");
      }
      // Ids are unique within a file (line numbers by default), not across files: each keeps its file's name.
      for (Example e : d.examples()) {
        Example.Builder joined = e.toBuilder().id(b + ":" + e.id());
        examples.add(e.group().isPresent() ? joined.build() : joined.group(d.name()).build());
      }
    }
    return first.toBuilder().name(String.join("+", benchmarks)).examples(examples).build();
  }

  private Dataset load(String benchmark, String nModelAdvice) {
    if (RouteLlmBenchmarks.NAMES.contains(benchmark)) {
      return RouteLlmBenchmarks.load(benchmark, dataDirectory());
    }
    String name = benchmark.toLowerCase(Locale.ROOT);
    if (!name.endsWith(".csv") && !name.endsWith(".jsonl")) {
      throw new IllegalArgumentException("--benchmark must be one of " + RouteLlmBenchmarks.NAMES
          + " or a .csv or .jsonl file but was '" + benchmark + "'");
    }
    Path file = Path.of(benchmark);
    if (PoolDatasetFiles.isPoolFile(file)) {
      Path prices = file.toAbsolutePath().normalize().resolveSibling("prices.csv");
      throw new IllegalArgumentException("--benchmark " + benchmark + ": this is an N-model file (one outcome per"
          + " model in 'outcomes'), not a two-model one (prompt, strong, weak): " + nModelAdvice
          + (Files.isRegularFile(prices) ? " (" + prices + " is beside it)" : ""));
    }
    return DatasetFiles.read(file);
  }

  private Path dataDirectory() {
    if (data == null) {
      Path cwd = Path.of("").toAbsolutePath();
      return defaultDataDirectory(cwd).orElseThrow(() -> new IllegalArgumentException("--data DIR is needed: the"
          + " default " + DEFAULT_DATA + " does not exist in the working directory " + cwd));
    }
    if (!Files.isDirectory(data)) {
      throw new IllegalArgumentException("--data must be a directory but '" + data + "' "
          + (Files.exists(data) ? "is not one" : "does not exist"));
    }
    return data;
  }

  /** {@link #DEFAULT_DATA} under the working directory, when it is a directory. */
  static Optional<Path> defaultDataDirectory(Path workingDirectory) {
    Path dir = workingDirectory.resolve(DEFAULT_DATA).normalize();
    return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
  }
}
