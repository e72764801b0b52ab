package dev.routellm.prediction;

import dev.routellm.internal.BoundedFiles;
import dev.routellm.InvalidFileException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.TokenLogprob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RouteLLM's causal-LLM classifier, through any OpenAI-compatible backend that serves the grading model (a fine-tuned
 * Llama-3-8B that answers with one of the added tokens {@code [[1]]} .. {@code [[5]]}: the expected grade of the
 * weak model's answer). The prompt goes into the checkpoint's user template, after its system prompt; the model
 * generates up to {@value #MAX_NEW_TOKENS} tokens greedily with {@code top_logprobs}. At the first grade token the
 * five grades' probabilities are renormalised over the five, and
 *
 * <pre>  s = 1 - P(grade 4 or 5)</pre>
 *
 * (a weak answer graded 4 or 5 needs no strong model). No grade token within the generated tokens means
 * {@code s = 1}, as in RouteLLM. Grades missing from the returned alternatives count as probability 0, so ask a
 * server that returns at least five alternatives. When a server splits {@code [[4]]} into several tokens no token
 * matches; then the grade written in the text decides, as a certainty ({@code s} is 0 for 4 or 5, else 1).
 *
 * <p>Thread-safe when the backend is. It does not own the backend and never closes it. Every score is a model call:
 * backend failures propagate as the library's backend exceptions.
 */
public final class CausalLlmClassifier implements WinRatePredictor {
  /** The system prompt's file in a RouteLLM causal-LLM checkpoint directory. */
  public static final String SYSTEM_PROMPT_FILE = "system_ft_v5.txt";
  /** The user-message template's file (with a {@value #QUESTION} placeholder) in a checkpoint directory. */
  public static final String TEMPLATE_FILE = "classifier_ft_v5.txt";
  /** The placeholder the prompt replaces in the template. */
  public static final String QUESTION = "{question}";
  /** Tokens generated at most, as RouteLLM does. */
  public static final int MAX_NEW_TOKENS = 6;
  /** Alternatives requested per token (OpenAI's maximum). */
  static final int TOP_LOGPROBS = ChatRequest.MAX_TOP_LOGPROBS;

  private static final Pattern GRADE = Pattern.compile("\\[\\[([1-5])]]");

  private final ModelBackend backend;
  private final String systemPrompt;
  private final String template;

  private CausalLlmClassifier(ModelBackend backend, String systemPrompt, String template) {
    this.backend = backend;
    this.systemPrompt = systemPrompt;
    this.template = template;
  }

  /**
   * A classifier with the given prompts.
   *
   * @throws IllegalArgumentException when the template lacks the {@value #QUESTION} placeholder
   */
  public static CausalLlmClassifier of(ModelBackend backend, String systemPrompt, String template) {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(systemPrompt, "systemPrompt");
    Objects.requireNonNull(template, "template");
    if (!template.contains(QUESTION)) {
      throw new IllegalArgumentException("template must contain the placeholder " + QUESTION);
    }
    return new CausalLlmClassifier(backend, systemPrompt, template);
  }

  /**
   * A classifier with the prompts of a RouteLLM checkpoint directory ({@value #SYSTEM_PROMPT_FILE} and
   * {@value #TEMPLATE_FILE}); the weights themselves are served by {@code backend}.
   *
   * @throws InvalidFileException when a file is missing or the template lacks the placeholder
   */
  public static CausalLlmClassifier load(Path checkpointDirectory, ModelBackend backend) {
    Objects.requireNonNull(checkpointDirectory, "checkpointDirectory");
    String system = read(checkpointDirectory.resolve(SYSTEM_PROMPT_FILE));
    Path templateFile = checkpointDirectory.resolve(TEMPLATE_FILE);
    String template = read(templateFile);
    if (!template.contains(QUESTION)) {
      throw InvalidFileException.of(templateFile, "template lacks the placeholder " + QUESTION);
    }
    return of(backend, system, template);
  }

  private static String read(Path file) {
    return BoundedFiles.readString(file, BoundedFiles.MAX_TEXT_BYTES, "causal-LLM classifier prompt");
  }

  @Override
  public String name() {
    return "causal-llm";
  }

  /** The request sent for a prompt: system prompt, filled template, greedy, {@value #MAX_NEW_TOKENS} tokens. */
  ChatRequest request(String prompt) {
    return ChatRequest.builder()
        .system(systemPrompt)
        .user(template.replace(QUESTION, prompt))
        .temperature(0)
        .maxTokens(MAX_NEW_TOKENS)
        .topLogprobs(TOP_LOGPROBS)
        .build();
  }

  @Override
  public double score(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    ChatResponse response = backend.chat(request(prompt));
    if (!response.hasLogprobs()) {
      throw new NonRetriableBackendException(backend.model(), 0, "the causal-LLM classifier needs log-probabilities"
          + " but model '" + backend.model() + "' returned none", null);
    }
    return winRate(response.logprobs(), response.text());
  }

  /** The win rate from the generated tokens (see the class description). */
  static double winRate(List<TokenLogprob> tokens, String text) {
    for (TokenLogprob t : tokens) {
      if (grade(t.token()) > 0) {
        double[] p = new double[6];
        p[grade(t.token())] = Math.exp(t.logprob());
        for (TokenLogprob.Alternative a : t.alternatives()) {
          int g = grade(a.token());
          if (g > 0) {
            p[g] = Math.exp(a.logprob());
          }
        }
        double total = p[1] + p[2] + p[3] + p[4] + p[5];
        return 1 - (p[4] + p[5]) / total;
      }
    }
    Matcher m = GRADE.matcher(text);
    if (m.find()) {
      return Integer.parseInt(m.group(1)) >= 4 ? 0 : 1;
    }
    return 1;
  }

  /** The grade of a token {@code [[k]]}, or 0 when it is none. */
  private static int grade(String token) {
    String s = token.strip();
    return s.length() == 5 && s.startsWith("[[") && s.endsWith("]]") && s.charAt(2) >= '1' && s.charAt(2) <= '5'
        ? s.charAt(2) - '0' : 0;
  }

  @Override
  public String toString() {
    return "CausalLlmClassifier{model=" + backend.model() + "}";
  }
}
