package dev.routellm.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** RouteLLM's benchmark files in ../shared/data/routellm, as the build passes them (system property routellm.data). */
public final class SharedData {
  private static Dataset mmlu;
  private static Dataset gsm8k;
  private static Dataset mtBench;

  private SharedData() {}

  /** The data directory; fails loudly when the build did not pass it or it is missing. */
  public static Path dir() {
    String dir = System.getProperty("routellm.data");
    if (dir == null || !Files.isDirectory(Path.of(dir))) {
      throw new IllegalStateException("system property routellm.data must name the shared benchmark data directory"
          + " (../shared/data/routellm) but was " + dir);
    }
    return Path.of(dir);
  }

  public static synchronized Dataset mmlu() {
    if (mmlu == null) {
      mmlu = RouteLlmBenchmarks.mmlu(dir());
    }
    return mmlu;
  }

  public static synchronized Dataset gsm8k() {
    if (gsm8k == null) {
      gsm8k = RouteLlmBenchmarks.gsm8k(dir());
    }
    return gsm8k;
  }

  public static synchronized Dataset mtBench() {
    if (mtBench == null) {
      mtBench = RouteLlmBenchmarks.mtBench(dir());
    }
    return mtBench;
  }

  /** A benchmark by name. */
  public static Dataset load(String name) {
    switch (name) {
      case RouteLlmBenchmarks.MMLU:
        return mmlu();
      case RouteLlmBenchmarks.GSM8K:
        return gsm8k();
      case RouteLlmBenchmarks.MT_BENCH:
        return mtBench();
      default:
        throw new IllegalArgumentException(name);
    }
  }
}
