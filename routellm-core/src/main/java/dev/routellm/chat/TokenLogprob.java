package dev.routellm.chat;

import java.util.List;
import java.util.Objects;

/**
 * The log-probability of one generated token and, when requested, its most likely alternatives. Immutable.
 *
 * <p>Both wire shapes of OpenAI-compatible servers (the chat {@code logprobs.content[]} list and the legacy
 * {@code tokens}/{@code token_logprobs}/{@code top_logprobs} arrays) map to this one type. Values are natural
 * logarithms, never above 0 and never below {@link #FLOOR}: {@code -Infinity} and the {@code -9999.0} that vLLM sends
 * for it are both stored as {@code FLOOR}.
 *
 * @param token the token's text
 * @param logprob its natural log-probability, in [{@link #FLOOR}, 0]
 * @param alternatives the top alternatives at this position (the sampled token usually among them), most likely
 *     first; empty when not requested
 * @param bytes the token's UTF-8 bytes as the server sent them (OpenAI's {@code bytes}, each 0 to 255), for tokens
 *     that are only part of a character; empty when the server sent none
 */
public record TokenLogprob(String token, double logprob, List<Alternative> alternatives, List<Integer> bytes) {
  /** Lowest representable log-probability; vLLM's clamp for {@code -inf}. */
  public static final double FLOOR = -9999.0;

  public TokenLogprob {
    Objects.requireNonNull(token, "token");
    if (Double.isNaN(logprob)) {
      throw new IllegalArgumentException("logprob of token '" + token + "' must be a number but was NaN");
    }
    logprob = clamp(logprob);
    alternatives = List.copyOf(Objects.requireNonNull(alternatives, "alternatives"));
    bytes = checkBytes(bytes, token);
  }

  /** A token without its bytes. */
  public TokenLogprob(String token, double logprob, List<Alternative> alternatives) {
    this(token, logprob, alternatives, List.of());
  }

  /** A token with no alternatives. */
  public static TokenLogprob of(String token, double logprob) {
    return new TokenLogprob(token, logprob, List.of());
  }

  private static List<Integer> checkBytes(List<Integer> bytes, String token) {
    List<Integer> copy = List.copyOf(Objects.requireNonNull(bytes, "bytes"));
    for (Integer b : copy) {
      if (b < 0 || b > 255) {
        throw new IllegalArgumentException("bytes of token '" + token + "' must each be in [0, 255] but were " + copy);
      }
    }
    return copy;
  }

  /** Clamps a raw log-probability into [{@link #FLOOR}, 0]. */
  public static double clamp(double logprob) {
    return Math.min(0.0, Math.max(FLOOR, logprob));
  }

  /** The probability of this token, {@code exp(logprob)}. */
  public double probability() {
    return Math.exp(logprob);
  }

  /**
   * One alternative token at a position.
   *
   * @param token the token's text
   * @param logprob its natural log-probability, clamped like {@link TokenLogprob#logprob()}
   * @param bytes its UTF-8 bytes as the server sent them; empty when it sent none
   */
  public record Alternative(String token, double logprob, List<Integer> bytes) {
    public Alternative {
      Objects.requireNonNull(token, "token");
      if (Double.isNaN(logprob)) {
        throw new IllegalArgumentException("logprob of alternative '" + token + "' must be a number but was NaN");
      }
      logprob = clamp(logprob);
      bytes = checkBytes(bytes, token);
    }

    /** An alternative without its bytes. */
    public Alternative(String token, double logprob) {
      this(token, logprob, List.of());
    }
  }
}
