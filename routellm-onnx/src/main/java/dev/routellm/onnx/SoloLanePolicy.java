package dev.routellm.onnx;

/**
 * Chooses where an inference that finds its model idle runs: on the solo session (all cores) or on the shared one
 * (one core), from the measured cost of earlier idle inferences on each.
 *
 * <p>Why measure: the solo session is about 1.7x faster on an otherwise idle 2-core machine, but its threads spin-wait
 * for each other, so when other processes keep the cores busy it was measured up to 3x slower than one thread. The
 * cost of each lane is an exponential moving average of nanoseconds per token over inferences that ran with nothing
 * else on the model (the caller filters), each sample clamped to half or twice the average so that one outlier does not
 * flip the choice; the cheaper lane is preferred. The other lane is tried again on the {@value #FIRST_PROBE_INTERVAL}th
 * idle call, then, each time the trial confirms the preference, twice as rarely, down to once in {@value
 * #MAX_PROBE_INTERVAL}; a trial cheaper than the preferred lane, or a change of preference, starts the interval again.
 * A preferred lane whose own cost rises for good (load appearing) loses the preference within a few calls, without
 * waiting for a trial.
 *
 * <p>The choice only moves work between sessions that compute the same vectors, so it affects speed, never results.
 * Thread-safe: decisions and samples are serialised on this object (a few arithmetic operations each).
 */
final class SoloLanePolicy {
  /** Idle calls between trials of the lane not preferred, after the preference was set or changed. */
  static final int FIRST_PROBE_INTERVAL = 16;

  /** The longest interval between trials, reached while trials keep confirming the preference. */
  static final int MAX_PROBE_INTERVAL = 1024;

  /** Weight of the newest sample in each lane's moving average. */
  static final double NEW_SAMPLE_WEIGHT = 0.3;

  /** The most by which one sample counts as more or less than the average (see {@link #update}). */
  static final double MAX_STEP = 2.0;

  private double soloCost = Double.NaN; // ns per token; NaN until sampled
  private double sharedCost = Double.NaN;
  private boolean preferSolo = true;
  private int interval = FIRST_PROBE_INTERVAL;
  private int sinceProbe;

  /** Where an idle inference runs, and whether that is a trial of the lane not preferred. */
  enum Choice {
    SOLO(true, false),
    SHARED(false, false),
    SOLO_TRIAL(true, true),
    SHARED_TRIAL(false, true);

    private final boolean solo;
    private final boolean trial;

    Choice(boolean solo, boolean trial) {
      this.solo = solo;
      this.trial = trial;
    }

    boolean solo() {
      return solo;
    }

    boolean trial() {
      return trial;
    }
  }

  /**
   * Where the next idle inference runs. The solo lane is tried first, then the shared one, so that both have a cost
   * before the comparison starts.
   */
  synchronized Choice choose() {
    if (Double.isNaN(soloCost)) {
      return Choice.SOLO;
    }
    if (Double.isNaN(sharedCost)) {
      return Choice.SHARED;
    }
    if (++sinceProbe >= interval) {
      sinceProbe = 0;
      return preferSolo ? Choice.SHARED_TRIAL : Choice.SOLO_TRIAL;
    }
    return preferSolo ? Choice.SOLO : Choice.SHARED;
  }

  /**
   * Records an inference that ran as chosen with nothing else on the model.
   *
   * @param choice what {@link #choose()} said for it
   * @param tokens its tokens (all rows of the run)
   * @param nanos how long ONNX Runtime took
   */
  synchronized void record(Choice choice, int tokens, long nanos) {
    double cost = (double) nanos / Math.max(1, tokens);
    double preferredCost = preferSolo ? soloCost : sharedCost;
    if (choice.solo()) {
      soloCost = update(soloCost, cost);
    } else {
      sharedCost = update(sharedCost, cost);
    }
    if (Double.isNaN(soloCost) || Double.isNaN(sharedCost)) {
      return;
    }
    boolean nowSolo = soloCost <= sharedCost;
    if (nowSolo != preferSolo) {
      preferSolo = nowSolo;
      interval = FIRST_PROBE_INTERVAL;
      sinceProbe = 0;
    } else if (choice.trial()) {
      // A trial that cost more than the preferred lane confirms the preference: try less often. One that cost less
      // (the load changing) is followed up soon.
      interval = cost >= preferredCost ? Math.min(MAX_PROBE_INTERVAL, interval * 2) : FIRST_PROBE_INTERVAL;
    }
  }

  /**
   * The moving average with a new sample, the sample first clamped to within a factor {@value #MAX_STEP} of the
   * average: one outlier (a pause, a burst of other work) moves it little, while a lasting change still moves it in a
   * few samples.
   */
  private static double update(double average, double sample) {
    if (Double.isNaN(average)) {
      return sample;
    }
    double clamped = Math.max(average / MAX_STEP, Math.min(average * MAX_STEP, sample));
    return average + NEW_SAMPLE_WEIGHT * (clamped - average);
  }

  /** Whether idle inferences currently go to the solo session (before trials). */
  synchronized boolean prefersSolo() {
    return preferSolo;
  }

  /** Idle calls between trials of the other lane, as things stand. */
  synchronized int probeInterval() {
    return interval;
  }
}
