package dev.routellm.onnx;

/**
 * What happens to a text with more tokens than the model's maximum length (special tokens included).
 *
 * <p>Empty texts (no tokens besides the special ones, for example {@code ""} or only whitespace) are always rejected
 * with an {@link IllegalArgumentException}: their vector or score would carry no information about the text.
 */
public enum LongInputPolicy {
  /**
   * Keep the first tokens up to the maximum length and drop the rest (the default, and what sentence-transformers and
   * Hugging Face pipelines do). The vector or score then depends only on the start of the text; {@code
   * countTokens(text)} tells whether a text was cut.
   */
  TRUNCATE,
  /** Throw an {@link IllegalArgumentException} that names the text's position, its token count and the limit. */
  REJECT
}
