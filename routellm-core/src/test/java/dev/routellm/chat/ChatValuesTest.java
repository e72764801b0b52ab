package dev.routellm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatValuesTest {
  @Test
  void usagePlus_sums_andIsEstimatedWhenEitherIs() {
    assertThat(Usage.of(1, 2).plus(new Usage(3, 4, true))).isEqualTo(new Usage(4, 6, true));
  }

  @Test
  void usagePlus_overflow_failsNamingTheCount() {
    assertThatThrownBy(() -> Usage.of(Long.MAX_VALUE, 0).plus(Usage.of(1, 0)))
        .isInstanceOf(ArithmeticException.class)
        .hasMessage("promptTokens overflow: " + Long.MAX_VALUE + " + 1 exceeds " + Long.MAX_VALUE);
    assertThatThrownBy(() -> Usage.of(0, Long.MAX_VALUE).plus(Usage.of(0, Long.MAX_VALUE)))
        .isInstanceOf(ArithmeticException.class)
        .hasMessageStartingWith("completionTokens overflow");
    assertThatThrownBy(() -> Usage.of(0, 0).plus(null)).isInstanceOf(NullPointerException.class).hasMessage("other");
  }

  @Test
  void tokenLogprob_nullAlternatives_rejectedByName() {
    assertThatThrownBy(() -> new TokenLogprob("a", -1.0, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("alternatives");
    assertThat(new TokenLogprob("a", -1.0, List.of()).alternatives()).isEmpty();
  }
}
