package dev.routellm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChatRequestTest {
  @Test
  void build_noMessages_fails() {
    assertThatThrownBy(() -> ChatRequest.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a chat request needs at least one message");
  }

  @Test
  void topLogprobs_positive_impliesLogprobs() {
    ChatRequest r = ChatRequest.builder().user("q").topLogprobs(3).build();
    assertThat(r.logprobs()).isTrue();
    assertThat(r.topLogprobs()).isEqualTo(3);
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 21})
  void topLogprobs_outOfRange_rejected(int k) {
    assertThatThrownBy(() -> ChatRequest.builder().topLogprobs(k))
        .hasMessage("topLogprobs must be in [0, 20] but was " + k);
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.1, 2.1, Double.NaN})
  void temperature_outOfRange_rejected(double t) {
    assertThatThrownBy(() -> ChatRequest.builder().temperature(t))
        .hasMessage("temperature must be in [0, 2] but was " + t);
  }

  @Test
  void extra_reservedField_rejectedWithAdvice() {
    assertThatThrownBy(() -> ChatRequest.builder().extra("max_tokens", 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'max_tokens'");
  }

  @Test
  void extra_keepsOrderNullsAndNestedValues() {
    ChatRequest r =
        ChatRequest.builder().user("q").extra("seed", 7).extra("user", null).extra("response_format",
            Map.of("type", "json_object")).build();
    assertThat(r.extra()).containsExactly(
        Map.entry("seed", 7), new java.util.AbstractMap.SimpleEntry<>("user", null),
        Map.entry("response_format", Map.of("type", "json_object")));
    assertThatThrownBy(() -> r.extra().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toBuilder_roundTripsEveryField() {
    ChatRequest r =
        ChatRequest.builder().system("s").user("u").temperature(0.3).maxTokens(10).stop(List.of("\n"))
            .topLogprobs(2).extra("seed", 1).build();
    assertThat(r.toBuilder().build()).isEqualTo(r).hasSameHashCodeAs(r);
    assertThat(r.toBuilder().maxTokens(11).build()).isNotEqualTo(r);
  }

  @Test
  void lastUserMessage_skipsLaterAssistantTurns() {
    ChatRequest r = ChatRequest.builder().user("first").assistant("reply").build();
    assertThat(r.lastUserMessage()).isEqualTo("first");
  }

  @Test
  void stop_tooManyOrEmpty_rejected() {
    assertThatThrownBy(() -> ChatRequest.builder().stop(List.of("a", "b", "c", "d", "e")))
        .hasMessage("stop takes at most 4 sequences but was given 5");
    assertThatThrownBy(() -> ChatRequest.builder().stop(List.of("")))
        .hasMessageContaining("must not be null or empty");
  }

  @Test
  void tokenLogprob_clampsInfinityAndRejectsNaN() {
    assertThat(TokenLogprob.of("a", Double.NEGATIVE_INFINITY).logprob()).isEqualTo(TokenLogprob.FLOOR);
    assertThat(TokenLogprob.of("a", -12345.0).logprob()).isEqualTo(-9999.0);
    assertThat(TokenLogprob.of("a", 1e-9).logprob()).isZero();
    assertThatThrownBy(() -> TokenLogprob.of("tok", Double.NaN))
        .hasMessage("logprob of token 'tok' must be a number but was NaN");
  }

  @Test
  void usage_estimate_roundsUpQuarterOfCharacters() {
    Usage u = Usage.estimate("12345", "");
    assertThat(u.promptTokens()).isEqualTo(2);
    assertThat(u.completionTokens()).isZero();
    assertThat(u.estimated()).isTrue();
    assertThat(Usage.of(1, 2).plus(u)).isEqualTo(new Usage(3, 2, true));
    assertThatThrownBy(() -> Usage.of(-1, 0)).hasMessage("promptTokens must be >= 0 but was -1");
  }

  @Test
  void response_withoutLogprobs_reportsNone() {
    ChatResponse r = ChatResponse.builder().model("m").text("t").usage(Usage.of(1, 1)).build();
    assertThat(r.hasLogprobs()).isFalse();
    assertThat(r.toBuilder().logprobs(List.of()).build().hasLogprobs()).isTrue();
    assertThatThrownBy(() -> ChatResponse.builder().text("t").usage(Usage.of(1, 1)).build()).hasMessage("model");
  }

  @Test
  void extra_nestedValues_areDeepCopiedSoLaterChangesDoNotReachTheRequest() {
    List<Object> bias = new ArrayList<>(List.of(1));
    Map<String, Object> format = new HashMap<>(Map.of("type", "json_schema"));
    format.put("tags", bias);
    ChatRequest r = ChatRequest.builder().user("q").extra("logit_bias", bias).extra("response_format", format).build();
    int hash = r.hashCode();

    bias.add(2);
    format.put("strict", true);

    assertThat(r.extra().get("logit_bias")).isEqualTo(List.of(1));
    assertThat(r.extra().get("response_format")).isEqualTo(Map.of("type", "json_schema", "tags", List.of(1)));
    assertThat(r.hashCode()).isEqualTo(hash);
    @SuppressWarnings("unchecked")
    List<Object> held = (List<Object>) r.extra().get("logit_bias");
    assertThatThrownBy(() -> held.add(3)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void extra_valueThatIsNotJson_rejectedAtOnceNamingThePathAndType() {
    assertThatThrownBy(() -> ChatRequest.builder().extra("seed", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("extra field 'seed' holds a java.lang.Object, which is not JSON-like");
    assertThatThrownBy(
            () -> ChatRequest.builder().extra("tools", List.of(Map.of("function", Map.of("f", new StringBuilder())))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("extra field 'tools[0].function.f' holds a java.lang.StringBuilder");
    assertThatThrownBy(() -> ChatRequest.builder().extra("m", Map.of(1, "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("extra field 'm' has a map key that is not a string: 1 (java.lang.Integer)");
    assertThatThrownBy(() -> ChatRequest.builder().extra("n", new java.util.concurrent.atomic.AtomicLong(1)))
        .as("a mutable Number is not a JSON value")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.util.concurrent.atomic.AtomicLong");
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  void extra_nonFiniteNumber_rejected(double value) {
    assertThatThrownBy(() -> ChatRequest.builder().extra("x", List.of(value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("extra field 'x[0]' must be a finite number but was " + value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t"})
  void extra_blankName_rejected(String name) {
    assertThatThrownBy(() -> ChatRequest.builder().extra(name, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("extra field name must not be blank but was '" + name + "'");
  }

  @Test
  void extra_jsonLikeValues_keptAsGiven() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("b", null);
    nested.put("a", List.of(1L, 2.5, new BigDecimal("1.10"), BigInteger.TEN, "s", false));
    ChatRequest r = ChatRequest.builder().user("q").extra("n", nested).build();

    assertThat(r.extra().get("n")).isEqualTo(nested);
    assertThat(List.copyOf(((Map<?, ?>) r.extra().get("n")).keySet())).isEqualTo(List.of("b", "a"));
  }

  @Test
  void of_blankPrompt_rejectedNamingTheRule() {
    assertThatThrownBy(() -> ChatRequest.of(" \n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be empty or whitespace only");
  }

  @Test
  void build_blankLastUserMessage_rejectedEvenAfterEarlierTurns() {
    ChatRequest.Builder b = ChatRequest.builder().user("What is 2 + 2?").assistant("4").user("");
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the last user message is empty or whitespace only");
  }

  @Test
  void build_toolFollowUpAfterNonBlankUserMessage_accepted() {
    ChatRequest r = ChatRequest.builder().user("Weather in Paris?")
        .message(ChatMessage.assistant("", List.of(new ToolCall("call_1", "function", "weather", "{}"))))
        .message(ChatMessage.tool("call_1", "sunny"))
        .build();
    assertThat(r.lastUserMessage()).isEqualTo("Weather in Paris?");
  }
}
