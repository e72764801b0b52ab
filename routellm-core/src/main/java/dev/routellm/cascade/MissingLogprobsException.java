package dev.routellm.cascade;

import java.util.Objects;

/**
 * A {@link ConfidenceModel} could not judge an answer because it lacks the token log-probabilities (or the
 * alternatives per token) the model needs: the endpoint ignored the request for them, or the answer is empty. A
 * cascade router handles it by its {@link dev.routellm.routing.MissingLogprobsPolicy}.
 */
public final class MissingLogprobsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String model;

  /**
   * @param model the model whose answer lacks them
   * @param message what is missing and what the confidence model needs
   */
  public MissingLogprobsException(String model, String message) {
    super(Objects.requireNonNull(message, "message"));
    this.model = Objects.requireNonNull(model, "model");
  }

  /** The model whose answer lacks log-probabilities. */
  public String model() {
    return model;
  }
}
