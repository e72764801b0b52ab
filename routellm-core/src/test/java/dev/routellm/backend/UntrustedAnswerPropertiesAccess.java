package dev.routellm.backend;

import net.jqwik.api.Arbitrary;

/** Lets property tests of other packages use the same text mutations. */
public final class UntrustedAnswerPropertiesAccess {
  private UntrustedAnswerPropertiesAccess() {}

  /** {@code text} with up to five random edits. */
  public static Arbitrary<String> mutated(String text) {
    return UntrustedAnswerProperties.mutated(text);
  }
}
