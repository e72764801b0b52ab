package dev.routellm.chat;

/**
 * Token counts of one call. Immutable.
 *
 * @param promptTokens input tokens, {@code >= 0}
 * @param completionTokens output tokens, {@code >= 0}
 * @param estimated {@code true} when the server reported no usage and the counts were estimated from text length
 *     (see {@link #estimate(String, String)}); costs computed from estimated usage are estimates too
 */
public record Usage(long promptTokens, long completionTokens, boolean estimated) {
  /** Characters per token assumed by {@link #estimate(String, String)} (OpenAI's rule of thumb for English). */
  public static final double CHARS_PER_TOKEN = 4.0;

  public Usage {
    if (promptTokens < 0) {
      throw new IllegalArgumentException("promptTokens must be >= 0 but was " + promptTokens);
    }
    if (completionTokens < 0) {
      throw new IllegalArgumentException("completionTokens must be >= 0 but was " + completionTokens);
    }
  }

  /** Counts reported by a server. */
  public static Usage of(long promptTokens, long completionTokens) {
    return new Usage(promptTokens, completionTokens, false);
  }

  /** Counts estimated from text length, at {@link #CHARS_PER_TOKEN} characters per token, rounded up. */
  public static Usage estimate(String promptText, String completionText) {
    return new Usage(tokensOf(promptText), tokensOf(completionText), true);
  }

  private static long tokensOf(String text) {
    return text == null || text.isEmpty() ? 0 : (long) Math.ceil(text.length() / CHARS_PER_TOKEN);
  }

  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  /**
   * The sum of two usages; estimated when either is.
   *
   * @throws ArithmeticException when a sum does not fit in a {@code long}
   */
  public Usage plus(Usage other) {
    java.util.Objects.requireNonNull(other, "other");
    return new Usage(
        sum("promptTokens", promptTokens, other.promptTokens),
        sum("completionTokens", completionTokens, other.completionTokens),
        estimated || other.estimated);
  }

  private static long sum(String name, long a, long b) {
    long total = a + b;
    if (total < 0) { // both are >= 0, so a negative sum means it overflowed
      throw new ArithmeticException(name + " overflow: " + a + " + " + b + " exceeds " + Long.MAX_VALUE);
    }
    return total;
  }
}
