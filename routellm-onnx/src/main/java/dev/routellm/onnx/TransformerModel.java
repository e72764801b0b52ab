package dev.routellm.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A transformer text model in ONNX Runtime with its tokenizer: what {@link OnnxEmbedder} and {@link
 * OnnxClassifierPredictor} share. It finds the model's inputs and output, checks at load that the model runs, accepts
 * the maximum length and matches the tokenizer, and runs texts one at a time (or in padded batches when asked),
 * optionally spread over helper threads, longest first.
 *
 * <p><b>Two lanes.</b> On the CPU, when {@link ExecutionOptions#soloIntraOpThreads()} is above {@link
 * ExecutionOptions#intraOpThreads()}, the model holds two sessions: the shared one, for inferences that overlap others
 * and for the texts of a parallel bulk call, and the solo one, with more threads, for an inference that finds no other
 * call in progress on the model. {@link SoloLanePolicy} keeps idle inferences on whichever of the two was measured faster
 * lately, separately for short, medium and long inputs. At load both sessions must give bit-identical output on
 * inputs of four lengths; if they do not (or the solo session fails), the solo session is closed and every inference uses the shared one, so that a text's vector
 * never depends on the lane.
 *
 * <p>Thread-safe. Every run holds a read lock; {@link #close()} takes the write lock, so it waits for runs in flight
 * and no run ever touches a freed session. Native tensors are closed in {@code finally} blocks; input and output
 * buffers are direct buffers reused from a pool, so that ONNX Runtime reads and writes them without copies.
 */
final class TransformerModel implements AutoCloseable {
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final Set<String> KNOWN_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

  /** An id past any real vocabulary: a model that accepts it does not check ids, so vocabulary probes say nothing. */
  private static final long UNCHECKED_ID_PROBE = 1L << 30;

  /** Text used to check at load time that the model runs. */
  private static final String PROBE_TEXT = "hello world";

  /** Upper bounds (inclusive) of the token counts of the first lane policies; the last takes longer runs. */
  static final int[] LANE_LENGTHS = {32, 128};

  /**
   * How recently another thread's call must have ended for an idle model to count as shared by callers taking turns
   * (2 ms): then the solo lane is not used, because the other caller is probably using a core for its own work now.
   */
  static final long TURN_WINDOW_NANOS = 2_000_000L;

  /** Tokens of the probe on which the two lanes must agree at load: long enough for the kernels to split work. */
  private static final int LANE_PROBE_TOKENS = 64;

  private static final System.Logger LOG = System.getLogger(TransformerModel.class.getName());

  /**
   * What the caller needs from the model's output.
   *
   * @param what a description for messages ("token vectors [batch, sequence, hidden]")
   * @param rank 3 for per-token vectors, 2 for per-text logits
   * @param preferredNames output names to take, in order, when present
   * @param explicitName the output the user named, or null to discover it
   */
  record OutputSpec(String what, int rank, List<String> preferredNames, String explicitName) {}

  /** Reads one row of the output: for rank 3, {@code tokens} vectors of {@code width} floats; for rank 2, one row. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(FloatBuffer output, int rowStart, int tokens);
  }

  private final String name;
  private final String modelLocation;
  private final OrtEnvironment env;
  private final OrtSession session;
  private OrtSession soloSession; // null when there is no solo lane; set at load only
  private final int soloThreads;
  private final TextTokenizer tokenizer;
  private final ExecutionProvider provider;
  private final Map<String, OnnxJavaType> inputs;
  private final String output;
  private final int rank;
  private int width;
  private final LongInputPolicy longInputs;
  private final int batchSize;
  private final int parallelism;
  private final String fingerprint;

  /**
   * One policy per range of lengths (see {@link #LANE_LENGTHS}): after a pause, waking the solo session's second
   * thread costs a fixed time (measured about 0.7 ms on a 2-core virtual machine), which a 200-token text repays and a
   * 20-token text does not, so each range learns its own choice.
   */
  private final SoloLanePolicy[] lanes = {new SoloLanePolicy(), new SoloLanePolicy(), new SoloLanePolicy()};
  private final AtomicInteger calls = new AtomicInteger(); // calls in progress, from before tokenization to the end
  private final AtomicInteger running = new AtomicInteger(); // inferences in ONNX Runtime now
  private final AtomicLong started = new AtomicLong(); // inferences ever started: tells whether one overlapped another
  private final AtomicLong soloRuns = new AtomicLong();
  private final AtomicLong idleRuns = new AtomicLong(); // inferences whose lane the policy chose
  // The thread whose call on the model ended last, and when: another thread's call that ended moments ago means
  // callers take turns, busy with other work (scoring, I/O) between their inferences, and will soon be back.
  private volatile Thread lastCaller;
  private volatile long lastCallEnd;
  private volatile long turnWindowNanos = TURN_WINDOW_NANOS;

  private final ConcurrentLinkedDeque<Workspace> workspaces = new ConcurrentLinkedDeque<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lock
  private ExecutorService helpers; // guarded by this; created on the first parallel bulk call

  private TransformerModel(
      ModelSource source,
      Sessions.Opened opened,
      OrtSession soloSession,
      int soloThreads,
      TextTokenizer tokenizer,
      OutputSpec spec,
      LongInputPolicy longInputs,
      int batchSize,
      int parallelism,
      String fingerprint) {
    this.name = source.name();
    this.modelLocation = source.modelLocation();
    this.env = OrtRuntime.environment();
    this.session = opened.session();
    this.soloSession = soloSession;
    this.soloThreads = soloThreads;
    this.provider = opened.provider();
    this.tokenizer = tokenizer;
    this.inputs = discoverInputs();
    this.output = discoverOutput(spec);
    this.rank = spec.rank();
    this.longInputs = longInputs;
    this.batchSize = batchSize;
    this.parallelism = parallelism;
    this.fingerprint = fingerprint;
  }

  /**
   * Loads and checks a model.
   *
   * @throws InvalidFileException when a file is missing or malformed, the model lacks the expected inputs or output, or
   *     the tokenizer does not belong to the model
   * @throws ConfigurationException when the provider cannot load (and the user chose to fail), or the maximum length is
   *     more than the model accepts
   */
  static TransformerModel load(
      ModelSource source,
      int maxLength,
      ExecutionOptions execution,
      OutputSpec spec,
      LongInputPolicy longInputs,
      int batchSize) {
    try {
      byte[] tokenizerJson = source.tokenizerBytes();
      String fingerprint = source.fingerprint(tokenizerJson);
      TextTokenizer tokenizer = TextTokenizer.load(tokenizerJson, source.tokenizerLocation(), maxLength);
      Sessions.Opened opened = null;
      OrtSession solo = null;
      try {
        opened = Sessions.open(source, execution);
        if (opened.provider().kind() == ExecutionProvider.Kind.CPU
            && execution.soloIntraOpThreads() > execution.intraOpThreads()) {
          try {
            solo = Sessions.openSolo(source, execution);
          } catch (RuntimeException e) { // only a speed-up: the model runs without it
            LOG.log(
                System.Logger.Level.WARNING,
                "cannot open a second session of " + source.modelLocation() + " with "
                    + execution.soloIntraOpThreads() + " threads (" + Sessions.oneLine(String.valueOf(e.getMessage()))
                    + "); every inference runs on the shared session");
          }
        }
        TransformerModel model =
            new TransformerModel(
                source,
                opened,
                solo,
                execution.soloIntraOpThreads(),
                tokenizer,
                spec,
                longInputs,
                batchSize,
                execution.parallelism(),
                fingerprint);
        model.checkAtLoad();
        return model;
      } catch (RuntimeException | Error e) {
        if (opened != null) {
          Sessions.closeQuietly(opened.session());
        }
        if (solo != null) {
          Sessions.closeQuietly(solo); // may have been closed already by checkAtLoad: closeQuietly allows that
        }
        tokenizer.close();
        throw e;
      }
    } finally {
      source.release();
    }
  }

  // ---- discovery ------------------------------------------------------------------------------------------------

  private Map<String, OnnxJavaType> discoverInputs() {
    Map<String, NodeInfo> info = nodeInfo(true);
    if (!info.containsKey(INPUT_IDS)) {
      throw modelProblem("has no '" + INPUT_IDS + "' input (its inputs are " + describe(info) + ")", null);
    }
    Map<String, OnnxJavaType> found = new LinkedHashMap<>();
    for (Map.Entry<String, NodeInfo> e : info.entrySet()) {
      if (!KNOWN_INPUTS.contains(e.getKey())) {
        throw modelProblem(
            "has an input '" + e.getKey() + "' that this library cannot feed (it feeds " + INPUT_IDS + ", "
                + ATTENTION_MASK + " and " + TOKEN_TYPE_IDS + "; the model's inputs are " + describe(info) + ")",
            null);
      }
      ValueInfo v = e.getValue().getInfo();
      if (!(v instanceof TensorInfo t)
          || (t.type != OnnxJavaType.INT64 && t.type != OnnxJavaType.INT32)
          || t.getShape().length != 2) {
        throw modelProblem(
            "input '" + e.getKey() + "' is " + v + "; expected an int64 or int32 tensor [batch, sequence]", null);
      }
      found.put(e.getKey(), t.type);
    }
    return Map.copyOf(found);
  }

  private String discoverOutput(OutputSpec spec) {
    Map<String, NodeInfo> info = nodeInfo(false);
    String chosen = null;
    if (spec.explicitName() != null) {
      if (!info.containsKey(spec.explicitName())) {
        throw modelProblem(
            "has no output '" + spec.explicitName() + "' (its outputs are " + describe(info) + ")", null);
      }
      chosen = spec.explicitName();
    } else {
      for (String candidate : spec.preferredNames()) {
        if (info.containsKey(candidate)) {
          chosen = candidate;
          break;
        }
      }
      if (chosen == null) {
        List<String> ofRank = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : info.entrySet()) {
          if (e.getValue().getInfo() instanceof TensorInfo t && t.getShape().length == spec.rank()) {
            ofRank.add(e.getKey());
          }
        }
        if (ofRank.size() != 1) {
          throw modelProblem(
              "has no output named " + String.join(" or ", spec.preferredNames()) + " and "
                  + (ofRank.isEmpty() ? "none" : "several") + " of rank " + spec.rank() + " (its outputs are "
                  + describe(info) + "); expected " + spec.what(),
              null);
        }
        chosen = ofRank.get(0);
      }
    }
    ValueInfo v = info.get(chosen).getInfo();
    if (!(v instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT || t.getShape().length != spec.rank()) {
      throw modelProblem("output '" + chosen + "' is " + v + "; expected float32 " + spec.what(), null);
    }
    return chosen;
  }

  private Map<String, NodeInfo> nodeInfo(boolean inputs) {
    try {
      return inputs ? session.getInputInfo() : session.getOutputInfo();
    } catch (OrtException e) {
      throw modelProblem("cannot be inspected: " + Sessions.oneLine(e.getMessage()), e);
    }
  }

  private static String describe(Map<String, NodeInfo> info) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> e : info.entrySet()) {
      ValueInfo v = e.getValue().getInfo();
      parts.add(
          e.getKey()
              + (v instanceof TensorInfo t ? " " + t.type.name().toLowerCase(java.util.Locale.ROOT)
                  + Arrays.toString(t.getShape()) : ""));
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  // ---- checks at load -------------------------------------------------------------------------------------------

  private void checkAtLoad() {
    long[] probe = tokenizer.encode(PROBE_TEXT).ids();
    boolean cpu = provider.kind() == ExecutionProvider.Kind.CPU;
    long[] shape;
    try (OrtSession.RunOptions quiet = quietRunOptions()) {
      try {
        shape = probeShape(probe, quiet);
      } catch (OrtException e) {
        long[] zeros = new long[probe.length];
        if (cpu && accepts(zeros, quiet)) {
          checkVocabulary(zeros, quiet); // the ids are at fault: say how the tokenizer and the model differ
        }
        throw modelProblem("fails on a two-word input: " + Sessions.oneLine(e.getMessage()), e);
      }
      if (rank == 3 && shape[1] != probe.length) {
        throw modelProblem(
            "output '" + output + "' has shape " + Arrays.toString(shape) + " for " + probe.length
                + " tokens; expected one vector per token",
            null);
      }
      width = (int) shape[rank - 1];
      if (width <= 0) {
        throw modelProblem("output '" + output + "' has shape " + Arrays.toString(shape), null);
      }
      checkMaxLength(probe, quiet);
      if (cpu) {
        // Out-of-range ids are reported by the CPU's Gather; on a GPU they may read stray memory, so only here.
        checkVocabulary(probe, quiet);
      }
      if (soloSession != null) {
        checkLanesAgree(probe);
      }
    } catch (OrtException e) {
      throw modelProblem("cannot create run options: " + e.getMessage(), e);
    }
  }

  /**
   * Runs probes of several lengths (one per lane policy's range, and the longest input) on both sessions, which also
   * warms the solo session's threads, and keeps the solo lane only when every output is bit-identical: otherwise a
   * text's vector would depend on whether the model was idle. A solo session that fails to run is dropped too: it is
   * only a speed-up. Either way one warning says why, and every inference then runs on the shared session.
   */
  private void checkLanesAgree(long[] probe) {
    int[] lengths = {probe.length, LANE_PROBE_TOKENS, LANE_LENGTHS[LANE_LENGTHS.length - 1] + 1, tokenizer.maxLength()};
    String problem = null;
    try {
      for (int length : lengths) {
        long[] ids = sequence(probe, Math.max(probe.length, Math.min(length, tokenizer.maxLength())));
        if (!Arrays.equals(probeOutput(session, ids), probeOutput(soloSession, ids))) {
          problem = "gives different numbers with " + soloThreads + " threads than with one on " + ids.length
              + " tokens";
          break;
        }
      }
    } catch (OrtException | RuntimeException e) {
      problem = "fails with " + soloThreads + " threads: " + Sessions.oneLine(String.valueOf(e.getMessage()));
    }
    if (problem != null) {
      dropSoloLane("model " + name + " (" + modelLocation + ") " + problem);
    }
  }

  /** Closes the solo session and runs everything on the shared one from now on; called at load only. */
  private void dropSoloLane(String why) {
    LOG.log(
        System.Logger.Level.WARNING,
        why + "; every inference runs on the shared session, so that a text always gets the same output");
    OrtSession solo = soloSession;
    soloSession = null;
    Sessions.closeQuietly(solo);
  }

  /** Runs one row on a session and returns its whole output. */
  private float[] probeOutput(OrtSession target, long[] ids) throws OrtException {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, OnnxJavaType> input : inputs.entrySet()) {
        feed.put(input.getKey(), heapTensor(input.getKey(), input.getValue(), ids));
      }
      try (OrtSession.Result result = target.run(feed, Set.of(output))) {
        FloatBuffer values = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] out = new float[values.remaining()];
        values.get(out);
        return out;
      }
    } finally {
      for (OnnxTensor t : feed.values()) {
        t.close();
      }
    }
  }

  private void checkMaxLength(long[] probe, OrtSession.RunOptions quiet) {
    int maxLength = tokenizer.maxLength();
    if (accepts(sequence(probe, maxLength), quiet)) {
      return;
    }
    int lo = probe.length; // known to run
    int hi = maxLength; // known to fail
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (accepts(sequence(probe, mid), quiet)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    throw new ConfigurationException(
        "maxLength " + maxLength + " is more than model " + name + " (" + modelLocation + ") accepts: it runs on at"
            + " most " + lo + " tokens; set maxLength(" + lo + ") or less");
  }

  /**
   * Checks that the tokenizer's ids fit the model's embedding table, by running ids around the tokenizer's largest.
   *
   * @param base a sequence the model is known to run
   */
  private void checkVocabulary(long[] base, OrtSession.RunOptions quiet) {
    if (accepts(withId(base, UNCHECKED_ID_PROBE), quiet)) {
      return; // the model does not reject unknown ids, so the probes below cannot tell anything
    }
    int vocabulary = tokenizer.vocabularySize();
    if (!accepts(withId(base, vocabulary - 1L), quiet)) {
      long lo = base[Math.min(1, base.length - 1)]; // accepted: the base runs
      long hi = vocabulary - 1L; // rejected
      while (hi - lo > 1) {
        long mid = (lo + hi) >>> 1;
        if (accepts(withId(base, mid), quiet)) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      throw InvalidFileException.ofResource(
          tokenizer.location(),
          "produces token ids up to " + (vocabulary - 1) + " but model " + modelLocation + " has " + (lo + 1)
              + " rows in its embedding table: the tokenizer does not belong to this model",
          null);
    }
    long slack = Math.max(128, vocabulary / 8);
    if (accepts(withId(base, vocabulary - 1L + slack), quiet)) {
      throw InvalidFileException.ofResource(
          tokenizer.location(),
          "has " + vocabulary + " token ids but model " + modelLocation + " accepts ids of " + (vocabulary - 1 + slack)
              + " and more: its embedding table is much larger, so the tokenizer does not belong to this model",
          null);
    }
  }

  /** The probe's first token, then copies of its second token, then its last: {@code length} tokens in all. */
  private static long[] sequence(long[] probe, int length) {
    long[] ids = new long[length];
    Arrays.fill(ids, probe[Math.min(1, probe.length - 1)]);
    ids[0] = probe[0];
    ids[length - 1] = probe[probe.length - 1];
    return ids;
  }

  private static long[] withId(long[] probe, long id) {
    long[] ids = probe.clone();
    ids[Math.min(1, ids.length - 1)] = id;
    return ids;
  }

  private boolean accepts(long[] ids, OrtSession.RunOptions quiet) {
    try {
      probeShape(ids, quiet);
      return true;
    } catch (OrtException e) {
      return false;
    }
  }

  /** Runs one row with ONNX Runtime allocating the output, and returns the output's shape. */
  private long[] probeShape(long[] ids, OrtSession.RunOptions runOptions) throws OrtException {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, OnnxJavaType> input : inputs.entrySet()) {
        feed.put(input.getKey(), heapTensor(input.getKey(), input.getValue(), ids));
      }
      try (OrtSession.Result result = session.run(feed, Set.of(output), runOptions)) {
        OnnxValue value = result.get(0);
        return ((TensorInfo) value.getInfo()).getShape();
      }
    } finally {
      for (OnnxTensor t : feed.values()) {
        t.close();
      }
    }
  }

  private OnnxTensor heapTensor(String input, OnnxJavaType type, long[] ids) throws OrtException {
    long[] shape = {1, ids.length};
    long[] values = input.equals(INPUT_IDS) ? ids : new long[ids.length];
    if (input.equals(ATTENTION_MASK)) {
      Arrays.fill(values, 1L);
    }
    if (type == OnnxJavaType.INT32) {
      int[] ints = new int[values.length];
      for (int i = 0; i < ints.length; i++) {
        ints[i] = (int) Math.min(Integer.MAX_VALUE, values[i]);
      }
      return OnnxTensor.createTensor(env, java.nio.IntBuffer.wrap(ints), shape);
    }
    return OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(values), shape);
  }

  private static OrtSession.RunOptions quietRunOptions() throws OrtException {
    OrtSession.RunOptions options = new OrtSession.RunOptions();
    options.setLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
    return options;
  }

  // ---- running --------------------------------------------------------------------------------------------------

  /** Tokenizes one text, enforcing the empty and long input rules; {@code index} is its position, for messages. */
  long[] tokens(String text, int index) {
    Objects.requireNonNull(text, index < 0 ? "text" : "text at index " + index);
    TextTokenizer.Tokens tokens = tokenizer.encode(text);
    String which = index < 0 ? "text" : "text at index " + index;
    if (tokens.empty() || text.isBlank()) {
      throw new IllegalArgumentException(which + " is empty or whitespace only: model " + name + " cannot embed or"
          + " score it");
    }
    if (tokens.truncated() && longInputs == LongInputPolicy.REJECT) {
      throw new IllegalArgumentException(
          which + " has more than " + tokenizer.maxLength() + " tokens, the maximum length set for model " + name
              + " (LongInputPolicy.REJECT)");
    }
    return tokens.ids();
  }

  /** Whether a text has more tokens than the maximum length (and is cut, or rejected, accordingly). */
  boolean exceedsMaxLength(String text) {
    Objects.requireNonNull(text, "text");
    lock.readLock().lock();
    try {
      ensureOpen();
      return tokenizer.encode(text).truncated();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Runs one text. */
  <T> T runOne(String text, RowReader<T> reader) {
    lock.readLock().lock();
    calls.incrementAndGet();
    try {
      ensureOpen();
      long[] ids = tokens(text, -1);
      Object[] out = new Object[1];
      runBatch(new long[][] {ids}, new int[] {0}, reader, out, true);
      @SuppressWarnings("unchecked")
      T result = (T) out[0];
      return result;
    } finally {
      endCall();
      lock.readLock().unlock();
    }
  }

  /**
   * Runs many texts, in order: one at a time unless a batch size above 1 was chosen, spread over the configured
   * parallelism, longest first (so that the last texts to start are the shortest and the threads finish together).
   * With more than one thread at work every inference runs on the shared session; with one, as a single call does.
   */
  <T> List<T> runAll(List<String> texts, RowReader<T> reader) {
    Objects.requireNonNull(texts, "texts");
    int n = texts.size();
    for (int i = 0; i < n; i++) {
      Objects.requireNonNull(texts.get(i), "text at index " + i);
    }
    lock.readLock().lock();
    calls.incrementAndGet();
    try {
      ensureOpen();
      if (n == 0) {
        return List.of();
      }
      long[][] ids = new long[n][];
      parallelFor(n, i -> ids[i] = tokens(texts.get(i), i));
      Object[] out = new Object[n];
      if (batchSize == 1) {
        int[] longestFirst = longestFirst(ids);
        boolean mayRunSolo = Math.min(parallelism, n) <= 1;
        parallelFor(
            n,
            k -> {
              int i = longestFirst[k];
              runBatch(new long[][] {ids[i]}, new int[] {i}, reader, out, mayRunSolo);
            });
      } else {
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length)); // similar lengths together: less padding
        int batches = (n + batchSize - 1) / batchSize;
        boolean mayRunSolo = Math.min(parallelism, batches) <= 1;
        parallelFor(
            batches,
            b -> {
              int from = b * batchSize;
              int to = Math.min(n, from + batchSize);
              long[][] rows = new long[to - from][];
              int[] slots = new int[to - from];
              for (int k = from; k < to; k++) {
                slots[k - from] = order[k];
                rows[k - from] = ids[order[k]];
              }
              runBatch(rows, slots, reader, out, mayRunSolo);
            });
      }
      @SuppressWarnings("unchecked")
      List<T> result = (List<T>) Arrays.asList(out);
      return List.copyOf(result);
    } finally {
      endCall();
      lock.readLock().unlock();
    }
  }

  /** Ends a call: counts it out and notes who ended it and when (see {@link #TURN_WINDOW_NANOS}). */
  private void endCall() {
    lastCaller = Thread.currentThread();
    lastCallEnd = System.nanoTime();
    calls.decrementAndGet();
  }

  /** Whether another thread's call on the model ended within {@link #TURN_WINDOW_NANOS}. */
  private boolean takingTurns() {
    Thread last = lastCaller;
    return last != null && last != Thread.currentThread() && System.nanoTime() - lastCallEnd < turnWindowNanos;
  }

  /** Sets the window of {@link #takingTurns()}, for tests that must not depend on timing. */
  void turnWindowNanos(long nanos) {
    turnWindowNanos = nanos;
  }

  /** Which lane policy a run of this many tokens (all rows) uses: the index of its range in {@link #LANE_LENGTHS}. */
  static int lengthRange(int tokens) {
    int range = 0;
    while (range < LANE_LENGTHS.length && tokens > LANE_LENGTHS[range]) {
      range++;
    }
    return range;
  }

  /** Indices of the texts, longest first; ties in input order. */
  private static int[] longestFirst(long[][] ids) {
    Integer[] order = new Integer[ids.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> -ids[i].length));
    int[] result = new int[order.length];
    Arrays.setAll(result, k -> order[k]);
    return result;
  }

  /**
   * Runs one batch and reads its rows into {@code out}.
   *
   * @param mayRunSolo whether no other thread of the same call runs inferences now, so that the solo session may take
   *     this one if no other call is in progress on the model
   */
  private <T> void runBatch(long[][] rows, int[] slots, RowReader<T> reader, Object[] out, boolean mayRunSolo) {
    int n = rows.length;
    int length = 0;
    for (long[] row : rows) {
      length = Math.max(length, row.length);
    }
    long outputFloats = (long) n * (rank == 3 ? (long) length * width : width);
    if (outputFloats * Float.BYTES > Integer.MAX_VALUE - 64 || (long) n * length * Long.BYTES > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "a batch of " + n + " texts of " + length + " tokens is too large for one run of model " + name
              + "; lower batchSize or maxLength");
    }
    int rowSize = (int) (outputFloats / n);
    Workspace ws = borrowWorkspace();
    List<OnnxTensor> tensors = new ArrayList<>(inputs.size() + 1);
    int othersRunning = running.getAndIncrement();
    try {
      ws.ensure(n * length, n * rowSize);
      Map<String, OnnxTensor> feed = new LinkedHashMap<>();
      long[] inputShape = {n, length};
      for (Map.Entry<String, OnnxJavaType> input : inputs.entrySet()) {
        OnnxTensor t = ws.fill(env, input.getKey(), input.getValue(), rows, length, inputShape);
        tensors.add(t);
        feed.put(input.getKey(), t);
      }
      long[] outputShape = rank == 3 ? new long[] {n, length, width} : new long[] {n, width};
      FloatBuffer outBuffer = ws.output(n * rowSize);
      OnnxTensor outTensor = OnnxTensor.createTensor(env, outBuffer, outputShape);
      tensors.add(outTensor);
      long ticket = started.incrementAndGet();
      // Idle means no other call at all, not only no other inference: a caller between two inferences (tokenizing,
      // pooling) is about to start one, and a solo inference overlapped by another oversubscribes the cores. Nor
      // callers taking turns: one that just left is likely busy on a core with its own work (a kNN scan, say).
      boolean idle = othersRunning == 0 && calls.get() == 1 && !takingTurns();
      SoloLanePolicy policy = lanes[lengthRange(n * length)];
      SoloLanePolicy.Choice choice = mayRunSolo && idle && soloSession != null ? policy.choose() : null;
      boolean solo = choice != null && choice.solo();
      if (choice != null) {
        idleRuns.incrementAndGet();
      }
      long t0 = System.nanoTime();
      // The output is written into outBuffer; the result only wraps the pinned tensor, closed with the others.
      (solo ? soloSession : session).run(feed, Set.of(), Map.of(output, outTensor)).close();
      long nanos = System.nanoTime() - t0;
      if (choice != null && started.get() == ticket && calls.get() == 1) {
        policy.record(choice, n * length, nanos); // nothing else started on the model meanwhile: a fair sample
      }
      if (solo) {
        soloRuns.incrementAndGet();
      }
      for (int i = 0; i < n; i++) {
        out[slots[i]] = reader.read(outBuffer, i * rowSize, rows[i].length);
      }
    } catch (OrtException e) {
      throw modelProblem(
          "failed on " + (n == 1 ? "a text of " + rows[0].length + " tokens" : "a batch of " + n + " texts of up to "
              + length + " tokens") + ": " + Sessions.oneLine(e.getMessage()),
          e);
    } finally {
      running.decrementAndGet();
      for (OnnxTensor t : tensors) {
        t.close();
      }
      workspaces.offerFirst(ws);
    }
  }

  private Workspace borrowWorkspace() {
    Workspace ws = workspaces.pollFirst();
    return ws != null ? ws : new Workspace();
  }

  @FunctionalInterface
  private interface IndexTask {
    void run(int index);
  }

  /**
   * Runs {@code task} for 0..n-1 on the calling thread and up to {@code parallelism - 1} helpers, which claim indices
   * from a shared counter. A failure stops further claims and is rethrown here: the one of the lowest index, since
   * every lower index was claimed earlier and still runs to its end. The call returns only when no helper still
   * works, so the caller's read lock covers all of them.
   */
  private void parallelFor(int n, IndexTask task) {
    int workers = Math.min(parallelism, n);
    if (workers <= 1) {
      for (int i = 0; i < n; i++) {
        task.run(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Failure> failure = new AtomicReference<>();
    Runnable worker =
        () -> {
          for (int i; failure.get() == null && (i = next.getAndIncrement()) < n; ) {
            try {
              task.run(i);
            } catch (RuntimeException | Error e) {
              Failure f = new Failure(i, e);
              failure.accumulateAndGet(f, (a, b) -> a == null || b.index() < a.index() ? b : a);
            }
          }
        };
    CountDownLatch done = new CountDownLatch(workers - 1);
    ExecutorService pool = helpers();
    for (int w = 1; w < workers; w++) {
      pool.execute(
          () -> {
            try {
              worker.run();
            } finally {
              done.countDown();
            }
          });
    }
    worker.run();
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        failure.compareAndSet(
            null, new Failure(-1, new CancellationException("interrupted while running model " + name)));
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable e = failure.get() == null ? null : failure.get().error();
    if (e instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (e instanceof Error error) {
      throw error;
    }
  }

  /** A task that failed, and at which index. */
  private record Failure(int index, Throwable error) {}

  private synchronized ExecutorService helpers() {
    if (helpers == null) {
      AtomicInteger count = new AtomicInteger();
      ThreadFactory factory =
          r -> {
            Thread t = new Thread(r, "routellm-onnx-" + name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
          };
      helpers = Executors.newFixedThreadPool(parallelism - 1, factory);
    }
    return helpers;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("model " + name + " is closed");
    }
  }

  private InvalidFileException modelProblem(String problem, Throwable cause) {
    return InvalidFileException.ofResource(modelLocation, "model " + name + " " + problem, cause);
  }

  // ---- accessors ------------------------------------------------------------------------------------------------

  String name() {
    return name;
  }

  String location() {
    return modelLocation;
  }

  String fingerprint() {
    return fingerprint;
  }

  int width() {
    return width;
  }

  int maxLength() {
    return tokenizer.maxLength();
  }

  ExecutionProvider provider() {
    return provider;
  }

  String outputName() {
    return output;
  }

  Set<String> inputNames() {
    return inputs.keySet();
  }

  /** Whether the model holds a solo session (see the class comment). */
  boolean hasSoloLane() {
    return soloSession != null;
  }

  /** Inferences so far that found the model idle, so that the lane policy chose where they ran. */
  long idleRuns() {
    return idleRuns.get();
  }

  /** Inferences that ran on the solo session so far. */
  long soloRuns() {
    return soloRuns.get();
  }

  /** Frees the session, the tokenizer and the helper threads; waits for runs in flight. Idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      synchronized (this) {
        if (helpers != null) {
          helpers.shutdown();
        }
      }
      workspaces.clear();
      Sessions.closeQuietly(session);
      if (soloSession != null) {
        Sessions.closeQuietly(soloSession);
      }
      tokenizer.close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Direct, native-order buffers for one run's inputs and output, reused across runs. */
  private static final class Workspace {
    private ByteBuffer ids;
    private ByteBuffer mask;
    private ByteBuffer types;
    private ByteBuffer out;

    void ensure(int tokens, int outputs) {
      int bytes = tokens * Long.BYTES;
      if (ids == null || ids.capacity() < bytes) {
        ids = direct(bytes);
        mask = direct(bytes);
        types = direct(bytes);
      }
      if (out == null || out.capacity() < outputs * Float.BYTES) {
        out = direct(outputs * Float.BYTES);
      }
    }

    private static ByteBuffer direct(int bytes) {
      return ByteBuffer.allocateDirect(Math.max(bytes, 64)).order(ByteOrder.nativeOrder());
    }

    FloatBuffer output(int floats) {
      FloatBuffer f = out.clear().asFloatBuffer();
      f.limit(floats);
      return f;
    }

    /** Writes one input, padded with id 0 and mask 0 to {@code length}, and wraps it in a tensor without copying. */
    OnnxTensor fill(
        OrtEnvironment env, String input, OnnxJavaType type, long[][] rows, int length, long[] shape)
        throws OrtException {
      ByteBuffer target = input.equals(INPUT_IDS) ? ids : input.equals(ATTENTION_MASK) ? mask : types;
      target.clear();
      boolean int32 = type == OnnxJavaType.INT32;
      for (long[] row : rows) {
        for (int j = 0; j < length; j++) {
          long v;
          if (input.equals(INPUT_IDS)) {
            v = j < row.length ? row[j] : 0L;
          } else if (input.equals(ATTENTION_MASK)) {
            v = j < row.length ? 1L : 0L;
          } else {
            v = 0L;
          }
          if (int32) {
            target.putInt((int) v);
          } else {
            target.putLong(v);
          }
        }
      }
      target.flip();
      return int32
          ? OnnxTensor.createTensor(env, target.asIntBuffer(), shape)
          : OnnxTensor.createTensor(env, target.asLongBuffer(), shape);
    }
  }
}
