package dev.routellm.cascade;

import dev.routellm.chat.TokenLogprob;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The {@link LogprobFeature}s of one answer. Immutable and thread-safe.
 *
 * <p>Computed from the answer's tokens with {@link #of(List)}, or given directly (a data file that stores features
 * rather than tokens) with {@link #of(Map)}. A feature can be unavailable: the margins when the tokens carry fewer
 * than two alternatives, or any feature a data file did not give. Asking for an unavailable feature is an error, never
 * a silent zero.
 */
public final class LogprobFeatures {
  private static final LogprobFeature[] ALL = LogprobFeature.values();

  /** Indexed by ordinal; NaN where unavailable. */
  private final double[] values;

  private LogprobFeatures(double[] values) {
    this.values = values;
  }

  /**
   * Features of an answer's tokens.
   *
   * @throws IllegalArgumentException when {@code tokens} is empty (an empty answer has no log-probabilities to judge)
   */
  public static LogprobFeatures of(List<TokenLogprob> tokens) {
    Objects.requireNonNull(tokens, "tokens");
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("an answer with no tokens has no log-probability features");
    }
    int n = tokens.size();
    double[] logprobs = new double[n];
    double marginSum = 0;
    double marginMin = Double.POSITIVE_INFINITY;
    int margins = 0;
    for (int i = 0; i < n; i++) {
      TokenLogprob t = Objects.requireNonNull(tokens.get(i), "token");
      logprobs[i] = t.logprob();
      if (t.alternatives().size() >= 2) {
        double[] alt = t.alternatives().stream().mapToDouble(TokenLogprob.Alternative::logprob).sorted().toArray();
        double margin = alt[alt.length - 1] - alt[alt.length - 2];
        marginSum += margin;
        marginMin = Math.min(marginMin, margin);
        margins++;
      }
    }
    double[] v = summarise(logprobs);
    v[LogprobFeature.MARGIN_MEAN.ordinal()] = margins == 0 ? Double.NaN : marginSum / margins;
    v[LogprobFeature.MARGIN_MIN.ordinal()] = margins == 0 ? Double.NaN : marginMin;
    return new LogprobFeatures(v);
  }

  /**
   * Features of plain token log-probabilities, without alternatives (the margins are unavailable). Values are clamped
   * like {@link TokenLogprob#clamp(double)}.
   *
   * @throws IllegalArgumentException when there are none or one is NaN
   */
  public static LogprobFeatures ofLogprobs(double... logprobs) {
    Objects.requireNonNull(logprobs, "logprobs");
    if (logprobs.length == 0) {
      throw new IllegalArgumentException("an answer with no tokens has no log-probability features");
    }
    double[] clamped = new double[logprobs.length];
    for (int i = 0; i < logprobs.length; i++) {
      if (Double.isNaN(logprobs[i])) {
        throw new IllegalArgumentException("token " + i + " has log-probability NaN");
      }
      clamped[i] = TokenLogprob.clamp(logprobs[i]);
    }
    double[] v = summarise(clamped);
    v[LogprobFeature.MARGIN_MEAN.ordinal()] = Double.NaN;
    v[LogprobFeature.MARGIN_MIN.ordinal()] = Double.NaN;
    return new LogprobFeatures(v);
  }

  /**
   * Features given directly; those absent from the map are unavailable.
   *
   * @throws IllegalArgumentException when a value is NaN or infinite
   */
  public static LogprobFeatures of(Map<LogprobFeature, Double> given) {
    Objects.requireNonNull(given, "features");
    double[] v = new double[ALL.length];
    Arrays.fill(v, Double.NaN);
    given.forEach(
        (f, x) -> {
          Objects.requireNonNull(f, "feature");
          Objects.requireNonNull(x, f.key());
          if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("feature '" + f.key() + "' must be a finite number but was " + x);
          }
          v[f.ordinal()] = x;
        });
    return new LogprobFeatures(v);
  }

  private static double[] summarise(double[] logprobs) {
    double[] sorted = logprobs.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (double x : logprobs) {
      sum += x;
    }
    double[] v = new double[ALL.length];
    v[LogprobFeature.SUM.ordinal()] = sum;
    v[LogprobFeature.MEAN.ordinal()] = sum / logprobs.length;
    v[LogprobFeature.MIN.ordinal()] = sorted[0];
    v[LogprobFeature.P10.ordinal()] = Quantiles.linear(sorted, 0.10);
    v[LogprobFeature.P25.ordinal()] = Quantiles.linear(sorted, 0.25);
    v[LogprobFeature.TOKENS.ordinal()] = logprobs.length;
    return v;
  }

  /** Whether the feature is available. */
  public boolean has(LogprobFeature feature) {
    return !Double.isNaN(values[Objects.requireNonNull(feature, "feature").ordinal()]);
  }

  /**
   * The feature's value.
   *
   * @throws IllegalStateException when it is unavailable (for the margins: the tokens had fewer than two alternatives)
   */
  public double get(LogprobFeature feature) {
    double v = values[Objects.requireNonNull(feature, "feature").ordinal()];
    if (Double.isNaN(v)) {
      throw new IllegalStateException(
          "feature '" + feature.key() + "' is unavailable"
              + (feature.needsAlternatives()
                  ? ": it needs at least two alternatives per token (request top_logprobs >= 2)"
                  : ": it was not given"));
    }
    return v;
  }

  /** The values of the given features, in that order; throws like {@link #get} when one is unavailable. */
  double[] vector(List<LogprobFeature> features) {
    double[] x = new double[features.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = get(features.get(i));
    }
    return x;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogprobFeatures f && Arrays.equals(values, f.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(", ", "LogprobFeatures{", "}");
    for (LogprobFeature f : ALL) {
      if (has(f)) {
        j.add(f.key() + "=" + values[f.ordinal()]);
      }
    }
    return j.toString();
  }

  /** The available features as a map, in declaration order. */
  public Map<LogprobFeature, Double> asMap() {
    Map<LogprobFeature, Double> m = new EnumMap<>(LogprobFeature.class);
    for (LogprobFeature f : ALL) {
      if (has(f)) {
        m.put(f, values[f.ordinal()]);
      }
    }
    return Collections.unmodifiableMap(m);
  }
}
