package dev.routellm.labelling;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a labelling run did. Immutable.
 *
 * @param prompts prompts given
 * @param alreadyLabelled prompts skipped because the judgements file already held them
 * @param labelled prompts labelled in this run
 * @param failed prompts whose calls failed (after the backends' retries); not written, so a rerun tries them again
 * @param notStarted prompts left when the run stopped (budget or failures)
 * @param judgeCalls judge calls made in this run
 * @param unparseable judge outputs of this run that held no verdict; kept in the judgements file, never guessed
 * @param battles battles in the battle file (all runs)
 * @param scoredPrompts prompts in the scores file (all runs): those with a score for every model
 * @param spent dollars spent in this run
 * @param totalSpent dollars spent on this output, earlier runs included
 * @param budget the cap on {@code totalSpent}, if any
 * @param stopReason why the run stopped before the end (the budget, repeated failures), if it did
 * @param failures the first failure messages, at most {@link Labeller#FAILURES_REPORTED}
 * @param files where the run wrote
 */
public record LabelReport(int prompts, int alreadyLabelled, int labelled, int failed, int notStarted, int judgeCalls,
    int unparseable, int battles, int scoredPrompts, double spent, double totalSpent, OptionalDouble budget,
    Optional<String> stopReason, List<String> failures, LabelFiles files) {
  public LabelReport {
    failures = List.copyOf(failures);
  }

  /** Whether every prompt is labelled (now or before). */
  public boolean complete() {
    return stopReason.isEmpty() && failed == 0;
  }
}
