package dev.routellm.prediction;

import java.util.Objects;

/**
 * One preference judgement: two models answered the prompt with index {@code prompt} (in the caller's list of
 * prompts or embeddings) and {@code winner} says which answer was better. Chatbot Arena's format, and what
 * per-question outcomes become with {@link #fromOutcome}.
 *
 * @param prompt index of the prompt, {@code >= 0}
 * @param modelA the first model's name
 * @param modelB the second model's name, different from {@code modelA}
 * @param winner which answer won
 */
public record Battle(int prompt, String modelA, String modelB, Winner winner) {
  /** Which answer of a battle won. */
  public enum Winner {
    MODEL_A,
    MODEL_B,
    /** Equally good (or equally bad). */
    TIE
  }

  public Battle {
    if (prompt < 0) {
      throw new IllegalArgumentException("prompt index must be >= 0 but was " + prompt);
    }
    Objects.requireNonNull(modelA, "modelA");
    Objects.requireNonNull(modelB, "modelB");
    Objects.requireNonNull(winner, "winner");
    if (modelA.equals(modelB)) {
      throw new IllegalArgumentException("a battle needs two different models but both were '" + modelA + "'");
    }
  }

  /**
   * The battle implied by two models' quality on one question (correctness 0/1, or a judge score): the higher one
   * wins, equal quality is a tie.
   *
   * @throws IllegalArgumentException when a quality is NaN
   */
  public static Battle fromOutcome(int prompt, String strong, String weak, double strongQuality,
      double weakQuality) {
    if (Double.isNaN(strongQuality) || Double.isNaN(weakQuality)) {
      throw new IllegalArgumentException("quality must not be NaN (prompt " + prompt + ")");
    }
    Winner w = strongQuality > weakQuality ? Winner.MODEL_A
        : strongQuality < weakQuality ? Winner.MODEL_B : Winner.TIE;
    return new Battle(prompt, strong, weak, w);
  }

  /** The winner's name, or null for a tie. */
  public String winnerModel() {
    return switch (winner) {
      case MODEL_A -> modelA;
      case MODEL_B -> modelB;
      case TIE -> null;
    };
  }

  /** The loser's name, or null for a tie. */
  public String loserModel() {
    return switch (winner) {
      case MODEL_A -> modelB;
      case MODEL_B -> modelA;
      case TIE -> null;
    };
  }
}
