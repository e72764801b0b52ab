package dev.routellm.onnx;

/** What to do when the requested execution provider (CUDA) cannot be used. */
public enum ProviderFallback {
  /**
   * Throw a {@link dev.routellm.ConfigurationException} that says why the provider could not load (the default: a
   * deployment meant for a GPU should not quietly run on the CPU).
   */
  FAIL,
  /** Run on the CPU instead and log one {@code WARNING} line that names the model and the reason. */
  USE_CPU
}
