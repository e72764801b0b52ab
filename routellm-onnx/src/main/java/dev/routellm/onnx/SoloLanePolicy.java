package dev.routellm.onnx;

/**
 * Chooses where an inference that finds its model idle runs: on the solo session (all cores) or on the shared one
 * (one core), from the measured cost of earlier idle inferences on each.
 *
 * <p>Why measure: the solo session is about 1.7x faster on an otherwise idle 2-core machine, but its threads spin-wait
 * for each other, so when other processes keep the cores busy it was measured up to 3x slower than one thread, and
 * after a pause, waking its second thread can cost more than a short text saves.
 *
 * <p>How: the cost of each lane is an exponential moving average of nanoseconds per token over inferences that ran
 * with nothing else on the model (the caller filters). A slow sample is capped at twice the average, so that one
 * outlier does not flip the choice; a fast one weighs more, since timing noise only adds time. The cheaper lane is
 * preferred. The other lane is tried on the {@value #FIRST_PROBE_INTERVAL}th idle call; each trial that confirms the
 * preference makes the next come twice as late, up to once in {@value #MAX_PROBE_INTERVAL} calls; a trial cheaper
 * than the preferred lane makes the next come twice as soon; a change of preference starts again. A preferred lane
 * whose own cost rises for good (load appearing) loses the preference within a few calls, without waiting for a
 * trial.
 *
 * <p>The choice only moves work between sessions that compute the same vectors, so it affects speed, never results.
 * Thread-safe: decisions and samples are serialised on this object (a few arithmetic operations each).
 */
final class SoloLanePolicy {
  /** Idle calls between trials of the lane not preferred, after the preference was set or changed. */
  static final int FIRST_PROBE_INTERVAL = 16;

  /** The longest interval between trials, reached while trials keep confirming the preference. */
  static final int MAX_PROBE_INTERVAL = 1024;

  /** Weight of a new sample slower than a lane's moving average. */
  static final double NEW_SAMPLE_WEIGHT = 0.3;

  /** Weight of a new sample faster than a lane's moving average. */
  static final double FASTER_SAMPLE_WEIGHT = 0.5;

  /** The most by which one sample counts as more than the average (see {@link #update}). */
  static final double MAX_STEP = 2.0;

  /** The least cost a sample counts for, in nanoseconds per token. */
  static final double MIN_COST = 1e-3;

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
    // A floor keeps an average from reaching 0, where the cap on slow samples would hold it for ever.
    double cost = Math.max(MIN_COST, (double) nanos / Math.max(1, tokens));
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
      // without changing the preference (noise, or the load changing) is followed up sooner. Every trial also
      // evicts some of the preferred session's weights from the caches, so trials are kept rare while nothing moves.
      interval =
          cost >= preferredCost
              ? Math.min(MAX_PROBE_INTERVAL, interval * 2)
              : Math.max(FIRST_PROBE_INTERVAL, interval / 2);
    }
  }

  /**
   * The moving average with a new sample. A slower sample weighs {@value #NEW_SAMPLE_WEIGHT} and is first capped at
   * {@value #MAX_STEP} times the average, so that one slow outlier (a pause, a burst of other work) moves it little
   * while a lasting slowdown still moves it in a few samples. A faster sample weighs {@value #FASTER_SAMPLE_WEIGHT}:
   * timing noise only ever adds time, so a fast sample is good evidence, and a lane measured while cold (its first
   * run, or a trial after a long time on the other lane) must not keep a high average for long.
   */
  private static double update(double average, double sample) {
    if (Double.isNaN(average)) {
      return sample;
    }
    if (sample < average) {
      return average + FASTER_SAMPLE_WEIGHT * (sample - average);
    }
    return average + NEW_SAMPLE_WEIGHT * (Math.min(average * MAX_STEP, sample) - average);
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
