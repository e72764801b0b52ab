package dev.routellm.onnx;

import java.util.Objects;

/**
 * How ONNX Runtime runs a model: the execution provider and what to do when it cannot load, the number of threads one
 * inference may use (alone on the model, or beside other calls), how many texts bulk calls ({@code embedAll}, {@code
 * scoreAll}) run at once, and the graph optimisation level.
 *
 * <p><b>Threads.</b> On the CPU a model adapts its parallelism to its load: a call that finds the model idle runs with
 * {@linkplain #soloIntraOpThreads() all cores} (lowest latency for a lone request), while calls that overlap, and the
 * texts of a bulk call, run with {@linkplain #intraOpThreads() one thread each} (highest throughput, and no
 * oversubscription when many requests arrive at once). The two thread counts are two ONNX Runtime sessions of the same
 * model; vectors and scores do not depend on which one ran (ONNX Runtime splits work between threads without changing
 * the arithmetic; measured bit for bit on RouteLLM prompts and tested). See {@link Builder#soloIntraOpThreads(int)}
 * for the costs and for the fallback when other processes keep the cores busy.
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
  /** Threads one inference uses when calls overlap, unless set: 1, so that concurrent calls never oversubscribe. */
  public static final int DEFAULT_INTRA_OP_THREADS = 1;

  private static final ExecutionOptions DEFAULTS = builder().build();

  private final ExecutionProvider provider;
  private final ProviderFallback fallback;
  private final int intraOpThreads;
  private final int soloIntraOpThreads;
  private final int parallelism;
  private final OptimizationLevel optimizationLevel;

  private ExecutionOptions(Builder b) {
    this.provider = b.provider;
    this.fallback = b.fallback;
    this.intraOpThreads = b.intraOpThreads;
    this.soloIntraOpThreads = b.soloIntraOpThreads;
    this.parallelism = b.parallelism;
    this.optimizationLevel = b.optimizationLevel;
  }

  /**
   * The defaults: CPU, {@link ProviderFallback#FAIL}, {@value #DEFAULT_INTRA_OP_THREADS} intra-op thread when calls
   * overlap and {@link #defaultSoloIntraOpThreads()} for a call alone on the model, bulk calls spread over {@link
   * #defaultParallelism()} threads, {@link OptimizationLevel#ALL}.
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
    b.soloIntraOpThreads = soloIntraOpThreads;
    b.parallelism = parallelism;
    b.optimizationLevel = optimizationLevel;
    return b;
  }

  /** Texts that bulk calls run at once unless set: the number of available processors. */
  public static int defaultParallelism() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** Threads a call alone on the model may use unless set: the number of available processors. */
  public static int defaultSoloIntraOpThreads() {
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

  /** Threads one inference uses when calls overlap, and for each text of a bulk call. */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /**
   * Threads an inference may use when it is the only one on the model; at or below {@link #intraOpThreads()} there is
   * no separate solo session and every inference uses {@link #intraOpThreads()}.
   */
  public int soloIntraOpThreads() {
    return soloIntraOpThreads;
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
        && soloIntraOpThreads == other.soloIntraOpThreads
        && parallelism == other.parallelism
        && optimizationLevel == other.optimizationLevel;
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, fallback, intraOpThreads, soloIntraOpThreads, parallelism, optimizationLevel);
  }

  @Override
  public String toString() {
    return "ExecutionOptions{provider=" + provider + ", fallback=" + fallback + ", intraOpThreads=" + intraOpThreads
        + ", soloIntraOpThreads=" + soloIntraOpThreads + ", parallelism=" + parallelism + ", optimizationLevel="
        + optimizationLevel + "}";
  }

  /** Builds {@link ExecutionOptions}; each setter validates its argument at once. Not thread-safe. */
  public static final class Builder {
    private ExecutionProvider provider = ExecutionProvider.cpu();
    private ProviderFallback fallback = ProviderFallback.FAIL;
    private int intraOpThreads = DEFAULT_INTRA_OP_THREADS;
    private int soloIntraOpThreads = defaultSoloIntraOpThreads();
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
     * Threads one inference uses (ONNX Runtime's intra-op threads) when calls overlap, and for each text of a bulk
     * call; {@value ExecutionOptions#DEFAULT_INTRA_OP_THREADS} unless set. Keep 1 when many threads call at once: one
     * core per inference is the most work per core, and the cores are not oversubscribed. A call alone on the model
     * uses {@link #soloIntraOpThreads(int)} instead.
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
     * Threads an inference may use when it finds the model idle (no other call in progress on it); {@link
     * ExecutionOptions#defaultSoloIntraOpThreads()} (the available processors) unless set. A value at or below {@link
     * #intraOpThreads(int)} turns this off: every inference then uses {@code intraOpThreads}, as one session.
     *
     * <p>When it is above {@code intraOpThreads} (and the provider is the CPU), the model holds a second ONNX Runtime
     * session with this many threads, and a call that finds the model idle runs there: on 2 cores a lone 20-token text
     * took 1.2 ms instead of 1.8 ms (p50), a 200-token text 9.2 ms instead of 15.2 ms (BENCHMARKS.md, section 5). Calls
     * that overlap it run on the shared session meanwhile. What it costs and what is not guaranteed:
     *
     * <ul>
     *   <li>a second copy of the model in native memory, and a second session to create at load;
     *   <li>the solo session's threads spin-wait for each other between the steps of one inference, and for up to 1
     *       ms after it (which is what makes it fast: waking a sleeping thread is slow, on virtual machines
     *       especially), so an idle call costs more CPU time than on one thread. When other processes keep the cores
     *       busy, spinning threads wait for cores and a solo inference can be several times slower than on one thread
     *       (measured 3x beside a CPU-bound process); and after a pause of tens of milliseconds, waking the second
     *       thread can cost more than it saves on short texts. So the model measures, per token, the solo inferences
     *       that ran with nothing else on the model and compares them with idle inferences on the shared session,
     *       separately for texts of up to 32 tokens, up to 128, and longer: the faster lane gets the idle calls, and
     *       the other is re-measured now and then (every 16 idle calls, backing off to every 1024 while the choice
     *       holds);
     *   <li>two calls arriving at once may briefly run on the solo session and the shared one together, using one
     *       thread more than there are cores;
     *   <li>the model cannot see other CPU work in the process. It counts as busy while another call is in progress
     *       and for 2 ms after another thread's call ended (callers taking turns, busy with their own work in
     *       between); with two callers on two cores that each embed and then scan a kNN table, latency was then
     *       within noise of one thread throughout (p99 6.8 against 5.8 ms; BENCHMARKS.md, section 2). Set 1 here when
     *       the cores are kept busy beside the model.
     * </ul>
     *
     * @throws IllegalArgumentException when not in [1, 256]
     */
    public Builder soloIntraOpThreads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("soloIntraOpThreads must be in [1, 256] but was " + threads);
      }
      this.soloIntraOpThreads = threads;
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
