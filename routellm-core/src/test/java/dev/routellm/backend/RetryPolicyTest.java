package dev.routellm.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {
  @Test
  void defaults_areTheDocumentedConstants() {
    RetryPolicy p = RetryPolicy.defaults();

    assertThat(p.maxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS).isEqualTo(3);
    assertThat(p.initialBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(p.maxBackoff()).isEqualTo(Duration.ofSeconds(8));
    assertThat(p.multiplier()).isEqualTo(2.0);
    assertThat(p.jitter()).isEqualTo(0.25);
    assertThat(p.maxElapsed()).isEqualTo(Duration.ofMinutes(10));
    assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
  }

  @Test
  void backoff_growsByTheMultiplierUpToTheCap() {
    RetryPolicy p = RetryPolicy.builder().jitter(0).build();

    assertThat(p.backoff(1, 0.7)).isEqualTo(Duration.ofMillis(500));
    assertThat(p.backoff(2, 0.7)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.backoff(4, 0.7)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.backoff(5, 0.7)).isEqualTo(Duration.ofSeconds(8));
    assertThat(p.backoff(30, 0.7)).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void backoff_jitterShortensByAtMostItsFraction() {
    RetryPolicy p = RetryPolicy.defaults();

    assertThat(p.backoff(2, 0.0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.backoff(2, 0.5)).isEqualTo(Duration.ofMillis(875));
    assertThat(p.backoff(2, 0.999999)).isGreaterThan(Duration.ofMillis(750));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void maxAttempts_belowOne_isRejected(int n) {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be >= 1 but was " + n);
  }

  @Test
  void builder_invalidValues_areRejectedWithWhatWasGiven() {
    RetryPolicy.Builder b = RetryPolicy.builder();
    assertThatThrownBy(() -> b.jitter(1.5)).hasMessage("jitter must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> b.jitter(Double.NaN)).hasMessage("jitter must be in [0, 1] but was NaN");
    assertThatThrownBy(() -> b.multiplier(0.5)).hasMessage("multiplier must be a finite number >= 1 but was 0.5");
    assertThatThrownBy(() -> b.multiplier(Double.POSITIVE_INFINITY))
        .hasMessage("multiplier must be a finite number >= 1 but was Infinity");
    assertThatThrownBy(() -> b.initialBackoff(Duration.ofMillis(-1)))
        .hasMessage("initialBackoff must be >= 0 but was PT-0.001S");
    assertThatThrownBy(() -> b.maxElapsed(Duration.ZERO)).hasMessage("maxElapsed must be > 0 but was PT0S");
    assertThatThrownBy(() -> b.maxBackoff(null)).isInstanceOf(NullPointerException.class).hasMessage("maxBackoff");
    assertThatThrownBy(
            () -> RetryPolicy.builder().initialBackoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxBackoff must be >= initialBackoff but was PT1S < PT5S");
  }

  @Test
  void toBuilder_roundTripsAndEqualsComparesValues() {
    RetryPolicy p = RetryPolicy.builder().maxAttempts(7).jitter(0.1).maxElapsed(Duration.ofSeconds(30)).build();

    assertThat(p.toBuilder().build()).isEqualTo(p).hasSameHashCodeAs(p);
    assertThat(p.toBuilder().maxAttempts(2).build()).isNotEqualTo(p);
    assertThat(p.toString()).contains("maxAttempts=7").contains("maxElapsed=PT30S");
  }
}
