package dev.routellm.labelling;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A prompt to label: its id (what a rerun recognises it by), its text and, optionally, a reference answer the judge
 * compares answers with (MT-Bench does for math and code). Immutable.
 *
 * @param id a stable, non-blank id, unique among the prompts of a run
 * @param prompt the prompt, not blank
 * @param reference the reference answer, or null
 */
public record LabelPrompt(String id, String prompt, String reference) {
  public LabelPrompt {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(prompt, "prompt");
    if (id.isBlank()) {
      throw new IllegalArgumentException("id must not be blank");
    }
    if (prompt.isBlank()) {
      throw new IllegalArgumentException("prompt must not be blank (id " + id + ")");
    }
    if (reference != null && reference.isBlank()) {
      reference = null;
    }
  }

  /** A prompt without a reference, its id the hash of its text ({@link #idOf}). */
  public static LabelPrompt of(String prompt) {
    return new LabelPrompt(idOf(prompt), prompt, null);
  }

  /** The reference answer, if any. */
  public Optional<String> referenceAnswer() {
    return Optional.ofNullable(reference);
  }

  /**
   * The id of a prompt that has none of its own: {@code "sha256:"} and the first 16 hex digits of the SHA-256 of its
   * UTF-8 text, so that the same text always gets the same id (and a rerun recognises it).
   */
  public static String idOf(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    return "sha256:" + HexFormat.of().formatHex(sha256(prompt), 0, 8);
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e); // every JVM has it
    }
  }
}
