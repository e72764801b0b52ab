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
   * A prompt was labelled, failed or skipped for the budget.
   *
   * @param done prompts finished in this run
   * @param total prompts this run has to label (those already labelled excluded)
   * @param spent dollars spent on this output so far, earlier runs included
   */
  void progress(int done, int total, double spent);
}
