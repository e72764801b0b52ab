package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.InvalidFileException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.TokenLogprob.Alternative;
import dev.routellm.chat.Usage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CausalLlmClassifierTest {
  static final Path CHECKPOINT = Path.of(System.getProperty("routellm.data", "../../shared/data/routellm"),
      "causal_llm");

  /** Answers every request with one scripted response and remembers the requests. */
  static final class ScriptedBackend implements ModelBackend {
    final ChatResponse response;
    final List<ChatRequest> requests = new ArrayList<>();

    ScriptedBackend(ChatResponse response) {
      this.response = response;
    }

    @Override
    public String model() {
      return "router-llama";
    }

    @Override
    public Capabilities capabilities() {
      return Capabilities.ALL;
    }

    @Override
    public synchronized ChatResponse chat(ChatRequest request) {
      requests.add(request);
      return response;
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      return CompletableFuture.completedFuture(chat(request));
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      return chat(request);
    }

    @Override
    public void close() {}
  }

  static TokenLogprob gradeToken(String chosen, double... probabilities) {
    List<Alternative> alternatives = new ArrayList<>();
    for (int g = 1; g <= probabilities.length; g++) {
      alternatives.add(new Alternative("[[" + g + "]]", Math.log(probabilities[g - 1])));
    }
    alternatives.add(new Alternative("The", Math.log(0.05)));
    int g = chosen.charAt(2) - '0';
    return new TokenLogprob(chosen, Math.log(probabilities[g - 1]), alternatives);
  }

  @Test
  void winRate_firstGradeToken_isOneMinusRenormalisedFourOrFive() {
    // Probabilities at the grade position sum to 0.95 over the five grades; the rest is another token.
    List<TokenLogprob> tokens = List.of(TokenLogprob.of(" ", -0.01),
        gradeToken("[[4]]", 0.05, 0.10, 0.20, 0.40, 0.20), TokenLogprob.of("[[1]]", -0.01));

    double expected = 1 - (0.40 + 0.20) / 0.95;
    assertThat(CausalLlmClassifier.winRate(tokens, " [[4]][[1]]")).isCloseTo(expected, within(1e-12));
  }

  @Test
  void winRate_gradesMissingFromAlternatives_countAsZero() {
    List<TokenLogprob> tokens = List.of(new TokenLogprob("[[2]]", Math.log(0.6),
        List.of(new Alternative("[[5]]", Math.log(0.2)))));

    assertThat(CausalLlmClassifier.winRate(tokens, "[[2]]")).isCloseTo(1 - 0.2 / 0.8, within(1e-12));
  }

  @Test
  void winRate_noGradeToken_isOne_unlessTheTextCarriesAGrade() {
    List<TokenLogprob> noGrade = List.of(TokenLogprob.of("I", -0.1), TokenLogprob.of(" think", -0.2));
    List<TokenLogprob> split = List.of(TokenLogprob.of("[[", -0.1), TokenLogprob.of("5", -0.1),
        TokenLogprob.of("]]", -0.1));

    assertThat(CausalLlmClassifier.winRate(noGrade, "I think")).isEqualTo(1.0);
    assertThat(CausalLlmClassifier.winRate(split, "[[5]]")).isEqualTo(0.0);
    assertThat(CausalLlmClassifier.winRate(split, "[[3]]")).isEqualTo(1.0);
  }

  @Test
  void score_sendsRouteLlmPromptGreedilyWithLogprobs() {
    ChatResponse answer = ChatResponse.builder().model("router-llama").text("[[5]]").usage(Usage.of(200, 1))
        .logprobs(List.of(gradeToken("[[5]]", 0.1, 0.1, 0.1, 0.1, 0.6))).build();
    ScriptedBackend backend = new ScriptedBackend(answer);
    CausalLlmClassifier classifier = CausalLlmClassifier.load(CHECKPOINT, backend);

    double s = classifier.score("What is 2 + 2?");

    assertThat(s).isCloseTo(1 - 0.7, within(1e-12));
    ChatRequest sent = backend.requests.get(0);
    assertThat(sent.messages()).extracting(ChatMessage::role).containsExactly("system", "user");
    assertThat(sent.messages().get(0).content()).startsWith("[Instruction]");
    assertThat(sent.messages().get(1).content()).contains("[Question]\nWhat is 2 + 2?").doesNotContain("{question}");
    assertThat(sent.temperature()).hasValue(0.0);
    assertThat(sent.maxTokens()).hasValue(6);
    assertThat(sent.topLogprobs()).isEqualTo(20);
  }

  @Test
  void score_backendWithoutLogprobs_isNonRetriableNamingTheModel() {
    ScriptedBackend backend = new ScriptedBackend(
        ChatResponse.builder().model("router-llama").text("[[5]]").usage(Usage.of(1, 1)).build());
    CausalLlmClassifier classifier = CausalLlmClassifier.of(backend, "sys", "{question}");

    assertThatThrownBy(() -> classifier.score("q")).isInstanceOf(NonRetriableBackendException.class)
        .hasMessageContaining("router-llama");
  }

  @Test
  void load_missingFiles_isInvalidFile(@TempDir Path dir) {
    ScriptedBackend backend = new ScriptedBackend(null);

    assertThatThrownBy(() -> CausalLlmClassifier.load(dir, backend)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("system_ft_v5.txt");
    assertThatThrownBy(() -> CausalLlmClassifier.of(backend, "s", "no placeholder"))
        .hasMessageContaining("{question}");
  }
}
