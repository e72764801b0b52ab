package dev.routellm.labelling;

/**
 * Hears a labelling run's progress. Called from the run's worker threads, one call at a time per run (the run
 * serialises them); must be quick and must not throw (what it throws is ignored).
 */
@FunctionalInterface
public interface LabelListener {
  /** Hears nothing. */
  LabelListener NONE = (done, total, spent) -> {};

  /**
   * A prompt was labelled or failed. Prompts not started (the run stopped early: the budget, repeated failures) are
   * not counted, so {@code done} ends below {@code total} for a run that stopped early.
   *
   * @param done prompts labelled or failed in this run
   * @param total prompts this run has to label (those already labelled excluded)
   * @param spent dollars spent on this output so far, earlier runs included
   */
  void progress(int done, int total, double spent);
}
