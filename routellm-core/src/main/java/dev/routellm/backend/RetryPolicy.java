package dev.routellm.backend;

import java.time.Duration;
import java.util.Objects;

/**
 * When and how often {@link OpenAiBackend} and {@link OpenAiEmbedder} try a failed call again. Immutable and
 * thread-safe; build one with {@link #builder()}, or use {@link #defaults()} or {@link #none()}.
 *
 * <p>Only transient failures are retried: HTTP 429, 408 and 5xx, connection failures and timeouts. Any other 4xx, or
 * a body that cannot be read as the expected JSON, fails at once. Before retry {@code n} (1-based) the caller waits
 * {@code min(maxBackoff, initialBackoff * multiplier^(n-1))}, shortened by a random fraction of at most
 * {@link #jitter()} so that many clients do not retry in step. When the server sends {@code Retry-After} (seconds or
 * an HTTP date) or {@code retry-after-ms}, that wait is used instead.
 *
 * <p>Retries are bounded twice: at most {@link #maxAttempts()} attempts in all, and no attempt or wait goes past
 * {@link #maxElapsed()} after the first attempt began (each attempt's whole-call timeout is shortened to what is left
 * of it). A server asking to wait longer than the budget allows is not retried. What is not guaranteed: a streamed
 * answer is retried only while no text has reached the listener.
 */
public final class RetryPolicy {
  /** Attempts in all, the first included (that is, two retries), as OpenAI's own clients do. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Wait before the first retry, before jitter. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
  /** Longest computed wait between attempts (a server's {@code Retry-After} may ask for longer). */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(8);
  /** Growth of the wait from one retry to the next. */
  public static final double DEFAULT_MULTIPLIER = 2.0;
  /** Largest fraction by which a computed wait is shortened at random. */
  public static final double DEFAULT_JITTER = 0.25;
  /** Time budget for all attempts and waits of one call together. */
  public static final Duration DEFAULT_MAX_ELAPSED = Duration.ofMinutes(10);

  private static final RetryPolicy DEFAULTS = builder().build();
  private static final RetryPolicy NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final double jitter;
  private final Duration maxElapsed;

  private RetryPolicy(Builder b) {
    if (b.maxBackoff.compareTo(b.initialBackoff) < 0) {
      throw new IllegalStateException(
          "maxBackoff must be >= initialBackoff but was " + b.maxBackoff + " < " + b.initialBackoff);
    }
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
    this.jitter = b.jitter;
    this.maxElapsed = b.maxElapsed;
  }

  /** The default policy: the {@code DEFAULT_} constants of this class. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** A policy that never retries: one attempt, failures reported at once. */
  public static RetryPolicy none() {
    return NONE;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy's values. */
  public Builder toBuilder() {
    return new Builder()
        .maxAttempts(maxAttempts)
        .initialBackoff(initialBackoff)
        .maxBackoff(maxBackoff)
        .multiplier(multiplier)
        .jitter(jitter)
        .maxElapsed(maxElapsed);
  }

  /** Attempts in all, the first included; 1 means no retry. */
  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public double multiplier() {
    return multiplier;
  }

  /** Largest fraction, in [0, 1], by which a computed wait is shortened at random. */
  public double jitter() {
    return jitter;
  }

  /** Time budget for all attempts and waits of one call together. */
  public Duration maxElapsed() {
    return maxElapsed;
  }

  /**
   * The wait before retry number {@code retry} (1 for the first retry).
   *
   * @param random a number in [0, 1) that picks the jitter
   */
  Duration backoff(int retry, double random) {
    double base = initialBackoff.toNanos() * Math.pow(multiplier, retry - 1);
    double capped = Math.min(base, maxBackoff.toNanos());
    return Duration.ofNanos((long) (capped * (1.0 - jitter * random)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryPolicy p
        && maxAttempts == p.maxAttempts
        && initialBackoff.equals(p.initialBackoff)
        && maxBackoff.equals(p.maxBackoff)
        && Double.compare(multiplier, p.multiplier) == 0
        && Double.compare(jitter, p.jitter) == 0
        && maxElapsed.equals(p.maxElapsed);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, maxElapsed);
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff="
        + maxBackoff + ", multiplier=" + multiplier + ", jitter=" + jitter + ", maxElapsed=" + maxElapsed + "}";
  }

  /** Builds a {@link RetryPolicy}. Not thread-safe. Each setter validates its argument at once. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private double multiplier = DEFAULT_MULTIPLIER;
    private double jitter = DEFAULT_JITTER;
    private Duration maxElapsed = DEFAULT_MAX_ELAPSED;

    private Builder() {}

    /** Attempts in all, the first included, {@code >= 1}. */
    public Builder maxAttempts(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + value);
      }
      this.maxAttempts = value;
      return this;
    }

    /** Wait before the first retry, {@code >= 0}. */
    public Builder initialBackoff(Duration value) {
      this.initialBackoff = nonNegative(value, "initialBackoff");
      return this;
    }

    /** Longest computed wait, {@code >= initialBackoff} (checked by {@link #build()}). */
    public Builder maxBackoff(Duration value) {
      this.maxBackoff = nonNegative(value, "maxBackoff");
      return this;
    }

    /** Growth of the wait from one retry to the next, a finite number {@code >= 1}. */
    public Builder multiplier(double value) {
      if (!(value >= 1.0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException("multiplier must be a finite number >= 1 but was " + value);
      }
      this.multiplier = value;
      return this;
    }

    /** Largest fraction by which a wait is shortened at random, in [0, 1]; 0 makes waits exact. */
    public Builder jitter(double value) {
      if (!(value >= 0.0 && value <= 1.0)) {
        throw new IllegalArgumentException("jitter must be in [0, 1] but was " + value);
      }
      this.jitter = value;
      return this;
    }

    /** Time budget for all attempts and waits of one call together, {@code > 0}. */
    public Builder maxElapsed(Duration value) {
      Objects.requireNonNull(value, "maxElapsed");
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("maxElapsed must be > 0 but was " + value);
      }
      this.maxElapsed = value;
      return this;
    }

    /** @throws IllegalStateException when maxBackoff is shorter than initialBackoff */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }

    private static Duration nonNegative(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
      }
      return value;
    }
  }
}
