package dev.routellm.routing;

import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.TokenLogprob;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Asks a verifier model whether an answer is correct (AutoMix's self-verification, as a yes/no question). Immutable.
 */
final class VerifierCheck implements StepCheck {
  /** Alternatives asked for at the verdict token, to find both "Yes" and "No" among them. */
  static final int TOP_LOGPROBS = 5;

  static final String INSTRUCTIONS =
      "You check answers. Read the question and the proposed answer, work out whether the answer is correct, and"
          + " reply with exactly one word: Yes if it is correct, No if it is not.";

  private final String verifier;
  private final double threshold;

  VerifierCheck(String verifier, double threshold) {
    this.verifier = Objects.requireNonNull(verifier, "verifierModel");
    if (verifier.isBlank()) {
      throw new IllegalArgumentException("verifier model must not be blank");
    }
    if (!(threshold >= 0.0 && threshold <= 1.0)) {
      throw new IllegalArgumentException("verifier threshold must be in [0, 1] but was " + threshold);
    }
    this.threshold = threshold;
  }

  @Override
  public String name() {
    return "verifier:" + verifier;
  }

  String verifierModel() {
    return verifier;
  }

  @Override
  public CheckResult check(CheckInput input) {
    ChatResponse answer = input.answers().get(0);
    String from = input.models().get(0);
    if (answer.text().isBlank()) {
      return CheckResult.reject(Double.NaN, threshold, "the answer of '" + from + "' is empty");
    }
    ChatRequest question =
        ChatRequest.builder()
            .message(ChatMessage.system(INSTRUCTIONS))
            .message(ChatMessage.user("Question:\n" + input.request().lastUserMessage() + "\n\nProposed answer:\n"
                + answer.text() + "\n\nIs the proposed answer correct? Reply Yes or No."))
            .temperature(0.0)
            .maxTokens(4)
            .topLogprobs(TOP_LOGPROBS)
            .build();
    ChatResponse verdict = input.ask(verifier, question);
    double belief = belief(verdict);
    if (Double.isNaN(belief)) {
      return CheckResult.reject(Double.NaN, threshold, "verifier '" + verifier + "' answered neither Yes nor No ("
          + abbreviate(verdict.text()) + ")");
    }
    boolean accepted = belief >= threshold;
    return new CheckResult(accepted, belief, threshold, 0, String.format(Locale.ROOT,
        "verifier '%s' believes the answer of '%s' is right with %.4f %s %.4f", verifier, from, belief,
        accepted ? ">=" : "<", threshold));
  }

  /**
   * P(yes) / (P(yes) + P(no)) at the first token that is a verdict, from its alternatives when the endpoint returned
   * them; else 1 or 0 from the text; NaN when the text is neither.
   */
  static double belief(ChatResponse verdict) {
    for (TokenLogprob token : verdict.logprobs()) {
      String word = normalise(token.token());
      if (word.isEmpty()) {
        continue;
      }
      double yes = 0.0;
      double no = 0.0;
      boolean seen = false;
      if (isYes(word)) {
        yes += Math.exp(token.logprob());
        seen = true;
      } else if (isNo(word)) {
        no += Math.exp(token.logprob());
        seen = true;
      }
      for (TokenLogprob.Alternative alt : token.alternatives()) {
        String w = normalise(alt.token());
        if (w.equals(word)) {
          continue;
        }
        if (isYes(w)) {
          yes += Math.exp(alt.logprob());
        } else if (isNo(w)) {
          no += Math.exp(alt.logprob());
        }
      }
      if (seen && yes + no > 0.0) {
        return yes / (yes + no);
      }
      break;
    }
    String text = normalise(verdict.text());
    if (text.startsWith("yes")) {
      return 1.0;
    }
    if (text.startsWith("no")) {
      return 0.0;
    }
    return Double.NaN;
  }

  private static boolean isYes(String w) {
    return w.equals("yes") || w.equals("y");
  }

  private static boolean isNo(String w) {
    return w.equals("no") || w.equals("n");
  }

  private static String normalise(String s) {
    return s.strip().toLowerCase(Locale.ROOT).replaceAll("^[^a-z]+|[^a-z]+$", "");
  }

  private static String abbreviate(String s) {
    String one = s.strip().replace('\n', ' ');
    return one.length() > 60 ? "'" + one.substring(0, 57) + "...'" : "'" + one + "'";
  }

  @Override
  public String toString() {
    return "verifier(" + verifier + " >= " + threshold + ")";
  }

  static List<String> modelsUsed(StepCheck check) {
    return check instanceof VerifierCheck v ? List.of(v.verifier) : List.of();
  }
}
