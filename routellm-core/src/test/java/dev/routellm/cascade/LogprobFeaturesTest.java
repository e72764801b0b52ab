package dev.routellm.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.TokenLogprob.Alternative;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogprobFeaturesTest {

  @Test
  void ofLogprobs_fourTokens_matchesHandComputation() {
    LogprobFeatures f = LogprobFeatures.ofLogprobs(-0.5, -0.1, -2.0, -0.4);

    assertThat(f.get(LogprobFeature.SUM)).isCloseTo(-3.0, within(1e-12));
    assertThat(f.get(LogprobFeature.MEAN)).isCloseTo(-0.75, within(1e-12));
    assertThat(f.get(LogprobFeature.MIN)).isEqualTo(-2.0);
    // sorted -2.0 -0.5 -0.4 -0.1; p10 at position 0.3, p25 at 0.75 (numpy's linear rule)
    assertThat(f.get(LogprobFeature.P10)).isCloseTo(-1.55, within(1e-12));
    assertThat(f.get(LogprobFeature.P25)).isCloseTo(-0.875, within(1e-12));
    assertThat(f.get(LogprobFeature.TOKENS)).isEqualTo(4.0);
    assertThat(f.has(LogprobFeature.MARGIN_MEAN)).isFalse();
  }

  @Test
  void of_tokensWithAlternatives_computesMarginsOverPositionsWithTwo() {
    List<TokenLogprob> tokens =
        List.of(
            new TokenLogprob("a", -0.5, List.of(new Alternative("a", -0.5), new Alternative("b", -1.2))),
            // unsorted alternatives: the two largest are -0.1 and -2.5
            new TokenLogprob(
                "c", -0.1, List.of(new Alternative("x", -3.0), new Alternative("c", -0.1), new Alternative("y", -2.5))),
            new TokenLogprob("d", -0.3, List.of(new Alternative("d", -0.3))));

    LogprobFeatures f = LogprobFeatures.of(tokens);

    assertThat(f.get(LogprobFeature.MARGIN_MEAN)).isCloseTo((0.7 + 2.4) / 2, within(1e-12));
    assertThat(f.get(LogprobFeature.MARGIN_MIN)).isCloseTo(0.7, within(1e-12));
    assertThat(f.get(LogprobFeature.SUM)).isCloseTo(-0.9, within(1e-12));
  }

  @Test
  void get_marginWithoutAlternatives_throwsSayingWhatToRequest() {
    LogprobFeatures f = LogprobFeatures.ofLogprobs(-0.2);

    assertThatThrownBy(() -> f.get(LogprobFeature.MARGIN_MIN))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("margin_min")
        .hasMessageContaining("top_logprobs >= 2");
  }

  @Test
  void ofLogprobs_none_isRejected() {
    assertThatThrownBy(LogprobFeatures::ofLogprobs)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no tokens");
  }

  @Test
  void ofLogprobs_vllmInfinityClamp_isKeptAtTheFloor() {
    LogprobFeatures f = LogprobFeatures.ofLogprobs(Double.NEGATIVE_INFINITY, -1.0);

    assertThat(f.get(LogprobFeature.MIN)).isEqualTo(TokenLogprob.FLOOR);
  }

  @Test
  void ofMap_givenFeaturesOnly_othersUnavailable() {
    LogprobFeatures f = LogprobFeatures.of(Map.of(LogprobFeature.SUM, -12.5));

    assertThat(f.get(LogprobFeature.SUM)).isEqualTo(-12.5);
    assertThat(f.has(LogprobFeature.MEAN)).isFalse();
    assertThat(f.asMap()).containsOnlyKeys(LogprobFeature.SUM);
  }

  @Test
  void fromKey_unknown_listsTheKnownKeys() {
    assertThatThrownBy(() -> LogprobFeature.fromKey("average"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'average'")
        .hasMessageContaining("sum, mean, min");
  }
}
