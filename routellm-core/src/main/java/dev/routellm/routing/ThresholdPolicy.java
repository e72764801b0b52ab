package dev.routellm.routing;

import dev.routellm.ConfigurationException;
import dev.routellm.prediction.WinRatePredictor;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** RouteLLM's two-model rule: strong when the win-rate score reaches the threshold. Immutable. */
final class ThresholdPolicy implements RoutingPolicy {
  private final WinRatePredictor predictor;
  private final ThresholdSource threshold;
  private final String strong;
  private final String weak;

  ThresholdPolicy(WinRatePredictor predictor, ThresholdSource threshold, String strong, String weak) {
    this.predictor = Objects.requireNonNull(predictor, "predictor");
    this.threshold = Objects.requireNonNull(threshold, "threshold");
    this.strong = Objects.requireNonNull(strong, "strongModel");
    this.weak = Objects.requireNonNull(weak, "weakModel");
    if (strong.equals(weak)) {
      throw new IllegalArgumentException("the strong and weak models must differ but both were '" + strong + "'");
    }
  }

  @Override
  public String name() {
    return predictor.name();
  }

  WinRatePredictor predictor() {
    return predictor;
  }

  ThresholdSource thresholdSource() {
    return threshold;
  }

  String strong() {
    return strong;
  }

  String weak() {
    return weak;
  }

  @Override
  public void validate(ModelPool pool) {
    for (String m : List.of(strong, weak)) {
      if (!pool.contains(m)) {
        throw new ConfigurationException("threshold policy names model '" + m + "', which is not in the pool "
            + pool.names());
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.routellm.PredictionException when the predictor returns a score outside [0, 1] (NaN included)
   * @throws ConfigurationException when the threshold source returns a threshold outside [0, 1]
   */
  @Override
  public RoutePlan plan(RoutingContext context) {
    double score = predictor.score(context.prompt());
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new dev.routellm.PredictionException("predictor '" + predictor.name() + "' returned " + score
          + ", outside [0, 1]", null);
    }
    double t = threshold.next(score);
    if (!(t >= 0.0 && t <= 1.0)) {
      throw new ConfigurationException("threshold source " + threshold.describe() + " returned " + t
          + ", outside [0, 1]");
    }
    boolean toStrong = score >= t;
    // the text of String.format("score %.4f %s threshold %.4f"), built without a Formatter: this runs on every
    // request, and a Formatter (which parses its pattern each time) cost more than the rest of the decision
    String reason = "score " + fourDecimals(score) + (toStrong ? " >= threshold " : " < threshold ") + fourDecimals(t);
    List<String> ranking = toStrong ? List.of(strong, weak) : List.of(weak, strong);
    return RoutePlan.ranked(ranking, Map.of(), score, t, RoutingDecision.THRESHOLD, reason);
  }

  /**
   * {@code value} with four decimals, exactly as {@code String.format(Locale.ROOT, "%.4f", value)} writes it for a
   * finite value: Java's formatter rounds the shortest decimal that identifies the double ({@link
   * Double#toString(double)}'s digits) half up, and so does this.
   */
  static String fourDecimals(double value) {
    String text = new java.math.BigDecimal(Double.toString(value)).setScale(4, java.math.RoundingMode.HALF_UP)
        .toPlainString();
    // BigDecimal has no negative zero; the formatter keeps the sign of a negative value that rounds to zero
    return (value < 0.0 || (value == 0.0 && 1.0 / value < 0)) && text.charAt(0) != '-' ? "-" + text : text;
  }

  @Override
  public String toString() {
    return "threshold(" + predictor.name() + ", " + threshold.describe() + ", strong=" + strong + ", weak=" + weak
        + ")";
  }
}
