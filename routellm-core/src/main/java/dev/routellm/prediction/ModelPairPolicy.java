package dev.routellm.prediction;

/**
 * What to do when a router trained for one model pair is used with another ({@link TrainedRouter#checkModels}). A
 * learned router predicts how its own two models compare; with other models its scores may mean little, so this is
 * never silent.
 */
public enum ModelPairPolicy {
  /** Throw a {@link dev.routellm.ConfigurationException} naming both pairs. */
  FAIL,
  /**
   * Log one warning line (through {@link System.Logger}, at {@code WARNING}) naming both pairs, and go on: for a
   * router whose prompts' difficulty carries over to similar models, such as a newer model of the same family.
   */
  WARN
}
