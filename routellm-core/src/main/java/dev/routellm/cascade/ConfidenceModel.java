package dev.routellm.cascade;

import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import java.nio.file.Path;

/**
 * Judges a weak model's answer: how likely it is to be correct. A cascade router keeps the answer when its confidence
 * is at least the router's threshold and asks the strong model otherwise.
 *
 * <p>Implementations are immutable, thread-safe and deterministic. Stock models: {@link #alamere()} (Alamere's
 * published fit), {@link LogprobConfidenceModel} (fitted on token log-probabilities), {@link AnswerConfidenceModel}
 * (fitted on the answer's text, for endpoints without log-probabilities); models are saved to and loaded from JSON
 * files ({@link #load(Path)}).
 */
public interface ConfidenceModel {
  /** A short name for decisions, logs and reports. */
  String name();

  /**
   * Whether the model needs the answer's token log-probabilities. When it does, the cascade requests them from the
   * weak model, and an answer without them is handled by the router's
   * {@link dev.routellm.routing.MissingLogprobsPolicy}.
   */
  boolean requiresLogprobs();

  /** Alternatives per token the model needs ({@code top_logprobs}), 0 to 20; 0 when it needs none. */
  int topLogprobs();

  /**
   * The confidence that {@code answer} correctly answers {@code request}: a finite number, in [0, 1] for every
   * method except {@link CalibrationMethod#OLS}, whose linear fit is not clipped (as Alamere's).
   *
   * @throws MissingLogprobsException when the model {@linkplain #requiresLogprobs() requires} log-probabilities and
   *     the answer lacks them (none returned, no tokens, or fewer alternatives per token than {@link #topLogprobs()})
   */
  double confidence(ChatRequest request, ChatResponse answer);

  /**
   * Alamere's published fit for Llama-3-8B on GSM8K: {@code confidence = 0.01186387 * sum + 1.05021634}, where
   * {@code sum} is the sum of the answer's token log-probabilities; not clipped. An answer whose sum is -20 gets
   * 0.8129; one whose sum is -21.1 gets 0.7999.
   */
  static LogprobConfidenceModel alamere() {
    return LogprobConfidenceModel.alamere();
  }

  /**
   * Loads a model saved by {@link LogprobConfidenceModel#save(Path)} or {@link AnswerConfidenceModel#save(Path)}
   * (with the built-in answer checks only; see {@link AnswerConfidenceModel#load(Path, java.util.List)}).
   *
   * @throws dev.routellm.InvalidFileException when the file is missing, unreadable or malformed; the message names
   *     the field at fault
   */
  static ConfidenceModel load(Path file) {
    return ConfidenceModelFile.read(file);
  }
}
