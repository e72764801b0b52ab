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
 */
public record TokenLogprob(String token, double logprob, List<Alternative> alternatives) {
  /** Lowest representable log-probability; vLLM's clamp for {@code -inf}. */
  public static final double FLOOR = -9999.0;

  public TokenLogprob {
    Objects.requireNonNull(token, "token");
    if (Double.isNaN(logprob)) {
      throw new IllegalArgumentException("logprob of token '" + token + "' must be a number but was NaN");
    }
    logprob = clamp(logprob);
    alternatives = List.copyOf(Objects.requireNonNull(alternatives, "alternatives"));
  }

  /** A token with no alternatives. */
  public static TokenLogprob of(String token, double logprob) {
    return new TokenLogprob(token, logprob, List.of());
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
   */
  public record Alternative(String token, double logprob) {
    public Alternative {
      Objects.requireNonNull(token, "token");
      if (Double.isNaN(logprob)) {
        throw new IllegalArgumentException("logprob of alternative '" + token + "' must be a number but was NaN");
      }
      logprob = clamp(logprob);
    }
  }
}
