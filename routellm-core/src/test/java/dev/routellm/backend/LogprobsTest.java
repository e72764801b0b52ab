package dev.routellm.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.chat.TokenLogprob;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogprobsTest {
  private static Optional<List<TokenLogprob>> parse(String json, boolean keepAlternatives) {
    return Logprobs.parse(OpenAiHttp.MAPPER.readTree(json), keepAlternatives);
  }

  @ParameterizedTest
  @ValueSource(strings = {"null", "{\"content\":null,\"refusal\":null}", "{}", "-0.5", "\"x\""})
  void parse_noLogprobsInAKnownShape_isEmpty(String json) {
    assertThat(parse(json, true)).isEmpty();
  }

  @Test
  void parse_emptyContent_isReturnedButEmpty() {
    assertThat(parse("{\"content\":[]}", true)).hasValue(List.of());
  }

  @Test
  void parse_chatShapeWithNullAndNaNEntries_skipsThemKeepingTheRest() {
    String json =
        "{\"content\":["
            + "{\"token\":\"A\",\"logprob\":-0.5,\"top_logprobs\":[{\"token\":\"B\",\"logprob\":-1.0},null,"
            + "{\"token\":\"A\",\"logprob\":-0.5},{\"token\":\"C\",\"logprob\":null}]},"
            + "null,"
            + "{\"token\":\"D\",\"logprob\":null},"
            + "{\"token\":\"E\",\"logprob\":NaN},"
            + "{\"token\":\"F\",\"logprob\":-Infinity,\"top_logprobs\":null},"
            + "{\"token\":\"G\",\"logprob\":0.0000001}"
            + "]}";

    List<TokenLogprob> tokens = parse(json, true).orElseThrow();

    assertThat(tokens).extracting(TokenLogprob::token).containsExactly("A", "F", "G");
    assertThat(tokens).extracting(TokenLogprob::logprob).containsExactly(-0.5, TokenLogprob.FLOOR, 0.0);
    assertThat(tokens.get(0).alternatives())
        .containsExactly(new TokenLogprob.Alternative("A", -0.5), new TokenLogprob.Alternative("B", -1.0));
  }

  @Test
  void parse_withoutKeepingAlternatives_dropsThem() {
    String json =
        "{\"content\":[{\"token\":\"A\",\"logprob\":-0.5,\"top_logprobs\":[{\"token\":\"A\",\"logprob\":-0.5}]}]}";

    assertThat(parse(json, false).orElseThrow()).containsExactly(TokenLogprob.of("A", -0.5));
  }

  @Test
  void parse_legacyShapeWithShorterLogprobArray_skipsPositionsWithoutValues() {
    String json = "{\"tokens\":[\"x\",\"y\",\"z\"],\"token_logprobs\":[-0.1,-0.2],\"top_logprobs\":null}";

    assertThat(parse(json, true).orElseThrow())
        .containsExactly(TokenLogprob.of("x", -0.1), TokenLogprob.of("y", -0.2));
  }
}
