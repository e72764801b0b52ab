package dev.routellm.onnx;

/** How an {@link OnnxEmbedder} turns the model's per-token vectors into one vector per text. */
public enum Pooling {
  /**
   * The mean of the token vectors, special tokens included and padding excluded: what sentence-transformers models
   * such as all-MiniLM-L6-v2 were trained with.
   */
  MEAN,
  /** The vector of the first token ({@code [CLS]} or {@code <s>}): what BGE models were trained with. */
  CLS;

  /** The lower-case name used in {@link OnnxEmbedder#id()}. */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
