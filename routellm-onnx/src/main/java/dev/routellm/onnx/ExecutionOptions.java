package dev.routellm.onnx;

import java.util.Objects;

/**
 * How ONNX Runtime runs a model: the execution provider and what to do when it cannot load, the number of threads one
 * inference may use, how many texts bulk calls ({@code embedAll}, {@code scoreAll}) run at once, and the graph
 * optimisation level.
 *
 * <pre>{@code
 * ExecutionOptions gpu = ExecutionOptions.builder()
 *     .provider(ExecutionProvider.cuda(0).withMemoryLimit(2L << 30))
 *     .onProviderUnavailable(ProviderFallback.USE_CPU)
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; the builder is not.
 */
public final class ExecutionOptions {
  /** Threads one inference may use unless set: 1, so that concurrent callers do not oversubscribe the cores. */
  public static final int DEFAULT_INTRA_OP_THREADS = 1;

  private static final ExecutionOptions DEFAULTS = builder().build();

  private final ExecutionProvider provider;
  private final ProviderFallback fallback;
  private final int intraOpThreads;
  private final int parallelism;
  private final OptimizationLevel optimizationLevel;

  private ExecutionOptions(Builder b) {
    this.provider = b.provider;
    this.fallback = b.fallback;
    this.intraOpThreads = b.intraOpThreads;
    this.parallelism = b.parallelism;
    this.optimizationLevel = b.optimizationLevel;
  }

  /**
   * The defaults: CPU, {@link ProviderFallback#FAIL}, {@value #DEFAULT_INTRA_OP_THREADS} intra-op thread, bulk calls
   * spread over {@link #defaultParallelism()} threads, {@link OptimizationLevel#ALL}.
   */
  public static ExecutionOptions defaults() {
    return DEFAULTS;
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.provider = provider;
    b.fallback = fallback;
    b.intraOpThreads = intraOpThreads;
    b.parallelism = parallelism;
    b.optimizationLevel = optimizationLevel;
    return b;
  }

  /** Texts that bulk calls run at once unless set: the number of available processors. */
  public static int defaultParallelism() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** The requested execution provider. */
  public ExecutionProvider provider() {
    return provider;
  }

  /** What happens when the requested provider cannot load. */
  public ProviderFallback fallback() {
    return fallback;
  }

  /** Threads one inference may use. */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** Texts that {@code embedAll} and {@code scoreAll} run at once. */
  public int parallelism() {
    return parallelism;
  }

  /** The graph optimisation level. */
  public OptimizationLevel optimizationLevel() {
    return optimizationLevel;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExecutionOptions other
        && provider.equals(other.provider)
        && fallback == other.fallback
        && intraOpThreads == other.intraOpThreads
        && parallelism == other.parallelism
        && optimizationLevel == other.optimizationLevel;
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, fallback, intraOpThreads, parallelism, optimizationLevel);
  }

  @Override
  public String toString() {
    return "ExecutionOptions{provider=" + provider + ", fallback=" + fallback + ", intraOpThreads=" + intraOpThreads
        + ", parallelism=" + parallelism + ", optimizationLevel=" + optimizationLevel + "}";
  }

  /** Builds {@link ExecutionOptions}; each setter validates its argument at once. Not thread-safe. */
  public static final class Builder {
    private ExecutionProvider provider = ExecutionProvider.cpu();
    private ProviderFallback fallback = ProviderFallback.FAIL;
    private int intraOpThreads = DEFAULT_INTRA_OP_THREADS;
    private int parallelism = defaultParallelism();
    private OptimizationLevel optimizationLevel = OptimizationLevel.ALL;

    private Builder() {}

    /** Where the model runs; {@link ExecutionProvider#cpu()} unless set. */
    public Builder provider(ExecutionProvider provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /** What to do when the provider cannot load; {@link ProviderFallback#FAIL} unless set. */
    public Builder onProviderUnavailable(ProviderFallback fallback) {
      this.fallback = Objects.requireNonNull(fallback, "fallback");
      return this;
    }

    /**
     * Threads one inference may use (ONNX Runtime's intra-op threads). Raise it to cut the latency of single calls
     * when few callers share the machine; keep 1 when many threads call at once.
     *
     * @throws IllegalArgumentException when not in [1, 256]
     */
    public Builder intraOpThreads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("intraOpThreads must be in [1, 256] but was " + threads);
      }
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * Texts that {@code embedAll} and {@code scoreAll} run at once, each on its own thread (the calling thread and
     * helpers that the model owns). 1 runs them one after another on the calling thread.
     *
     * @throws IllegalArgumentException when not in [1, 256]
     */
    public Builder parallelism(int parallelism) {
      if (parallelism < 1 || parallelism > 256) {
        throw new IllegalArgumentException("parallelism must be in [1, 256] but was " + parallelism);
      }
      this.parallelism = parallelism;
      return this;
    }

    /** The graph optimisation level; {@link OptimizationLevel#ALL} unless set. */
    public Builder optimizationLevel(OptimizationLevel level) {
      this.optimizationLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    /** The options. */
    public ExecutionOptions build() {
      return new ExecutionOptions(this);
    }
  }
}
