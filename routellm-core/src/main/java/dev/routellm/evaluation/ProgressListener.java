package dev.routellm.evaluation;

/**
 * Hears how far a long evaluation step has come (fitting a router, scoring examples), for a progress bar.
 *
 * <p>Called on the evaluating thread, in order; implementations must be quick and must not throw. {@link #NONE}
 * ignores everything.
 */
@FunctionalInterface
public interface ProgressListener {
  /** Ignores progress. */
  ProgressListener NONE = (stage, done, total) -> {};

  /**
   * Progress of a stage.
   *
   * @param stage what is running, for people ({@code "fold 2/5: scoring"})
   * @param done units finished so far, {@code 0 <= done <= total}
   * @param total units in the stage
   */
  void progress(String stage, long done, long total);
}
