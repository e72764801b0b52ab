package dev.routellm.routing;

import dev.routellm.ConfigurationException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.cascade.MissingLogprobsException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import java.util.Locale;
import java.util.Objects;

/** A {@link ConfidenceModel} against a threshold (Alamere's cascade check). Immutable. */
final class ConfidenceCheck implements StepCheck {
  private final ConfidenceModel model;
  private final double threshold;
  private final MissingLogprobsPolicy missing;

  ConfidenceCheck(ConfidenceModel model, double threshold, MissingLogprobsPolicy missing) {
    this.model = Objects.requireNonNull(model, "confidenceModel");
    this.missing = Objects.requireNonNull(missing, "missingLogprobs");
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException("confidence threshold must be finite but was " + threshold);
    }
    this.threshold = threshold;
  }

  @Override
  public String name() {
    return model.name();
  }

  ConfidenceModel model() {
    return model;
  }

  double threshold() {
    return threshold;
  }

  /**
   * Asks for log-probabilities when the model needs them, with at least one alternative per token (older vLLM
   * versions reject {@code logprobs} without {@code top_logprobs}).
   */
  @Override
  public ChatRequest prepare(ChatRequest request) {
    if (!model.requiresLogprobs()) {
      return request;
    }
    int top = Math.max(1, Math.max(request.topLogprobs(), model.topLogprobs()));
    return request.toBuilder().logprobs(true).topLogprobs(top).build();
  }

  @Override
  public void validate(PoolModel step) {
    if (model.requiresLogprobs() && !step.capabilities().logprobs() && missing != MissingLogprobsPolicy.ESCALATE) {
      throw new ConfigurationException(
          "confidence model '" + model.name() + "' needs log-probabilities but the backend of '" + step.name()
              + "' declares none, so every request would fail: use a backend that returns them, a confidence model"
              + " that reads the answer's text (AnswerConfidenceModel), or"
              + " missingLogprobs(MissingLogprobsPolicy.ESCALATE)");
    }
  }

  @Override
  public CheckResult check(CheckInput input) {
    ChatResponse answer = input.answers().get(0);
    String from = input.models().get(0);
    if (answer.hasToolCalls() && answer.text().isBlank()) {
      String what = "the answer of '" + from + "' is " + answer.toolCalls().size() + " tool call(s) without text, so"
          + " it has no content tokens or log-probabilities to judge";
      if (missing == MissingLogprobsPolicy.FAIL) {
        throw new NonRetriableBackendException(
            from,
            0,
            "model '" + from + "': " + what + " (set missingLogprobs(MissingLogprobsPolicy.ESCALATE) to send such"
                + " requests to the next model, or route tool-calling traffic with a predictive router)",
            null);
      }
      return CheckResult.reject(Double.NaN, threshold, what + " (missing-logprobs policy ESCALATE)");
    }
    if (answer.text().isBlank()) {
      return CheckResult.reject(Double.NaN, threshold, "the answer of '" + from + "' is empty");
    }
    double confidence;
    try {
      confidence = model.confidence(input.request(), answer);
    } catch (MissingLogprobsException e) {
      if (missing == MissingLogprobsPolicy.FAIL) {
        throw new NonRetriableBackendException(
            answer.model(),
            0,
            "model '" + from + "' answered without what the cascade's confidence model needs: " + e.getMessage()
                + " (use an endpoint that returns log-probabilities, or set"
                + " missingLogprobs(MissingLogprobsPolicy.ESCALATE))",
            e);
      }
      return CheckResult.reject(Double.NaN, threshold, e.getMessage() + " (missing-logprobs policy ESCALATE)");
    }
    if (!Double.isFinite(confidence)) {
      throw new ConfigurationException(
          "confidence model '" + model.name() + "' returned " + confidence + " for an answer of '" + from + "'");
    }
    boolean accepted = confidence >= threshold;
    String reason = String.format(Locale.ROOT, "confidence of '%s' %.4f %s threshold %.4f", from, confidence,
        accepted ? ">=" : "<", threshold);
    return new CheckResult(accepted, confidence, threshold, 0, reason);
  }

  @Override
  public String toString() {
    return "confidence(" + model.name() + " >= " + threshold + ")";
  }
}
