package dev.routellm.cascade;

import dev.routellm.chat.Usage;
import java.util.Objects;
import java.util.Optional;

/**
 * One weak-model answer with a known outcome, as read by {@link CascadeDataFile}: its log-probability features,
 * whether it was correct, and optionally whether the strong model got the same question right and the calls' token
 * counts. Immutable.
 *
 * @param features the answer's log-probability features (those the file gave or its tokens yield)
 * @param correct whether the weak model's answer was correct
 * @param strongCorrect whether the strong model's answer was correct, when known
 * @param usage the weak call's token counts, when known
 * @param strongUsage the strong call's token counts, when known
 * @param line the 1-based line in its file where the example starts, or 0 when it did not come from a file
 */
public record CascadeExample(
    LogprobFeatures features,
    boolean correct,
    Optional<Boolean> strongCorrect,
    Optional<Usage> usage,
    Optional<Usage> strongUsage,
    long line) {

  public CascadeExample {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(strongCorrect, "strongCorrect");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(strongUsage, "strongUsage");
    if (line < 0) {
      throw new IllegalArgumentException("line must be >= 0 but was " + line);
    }
  }

  /** An example with only features and the weak answer's correctness. */
  public static CascadeExample of(LogprobFeatures features, boolean correct) {
    return new CascadeExample(features, correct, Optional.empty(), Optional.empty(), Optional.empty(), 0);
  }
}
