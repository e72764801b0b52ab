package dev.routellm.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Hugging Face {@code tokenizer.json} read with DJL's tokenizers, with truncation at an explicit maximum length and
 * no padding: the limits and padding stored in the file are ignored on purpose (MiniLM's file says 128 and pads to
 * 128). Thread-safe; the native tokenizer is freed by {@link #close()}.
 */
final class TextTokenizer implements AutoCloseable {
  static {
    DjlSettings.ensureOffline();
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HuggingFaceTokenizer tokenizer;
  private final String location;
  private final int maxLength;
  private final int vocabularySize;
  private final int specialTokens;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, String location, int maxLength, int vocabularySize) {
    this.tokenizer = tokenizer;
    this.location = location;
    this.maxLength = maxLength;
    this.vocabularySize = vocabularySize;
    this.specialTokens = tokenizer.encode("").getIds().length;
  }

  /**
   * Reads a tokenizer from the bytes of a {@code tokenizer.json}.
   *
   * @param location the file or resource the bytes came from, for messages
   * @throws InvalidFileException when the bytes are not a tokenizer DJL can load
   * @throws ConfigurationException when {@code maxLength} leaves no room for text
   */
  static TextTokenizer load(byte[] json, String location, int maxLength) {
    int vocabularySize = vocabularySize(json, location);
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer =
          HuggingFaceTokenizer.newInstance(
              new ByteArrayInputStream(json),
              Map.of(
                  "maxLength", Integer.toString(maxLength),
                  "modelMaxLength", Integer.toString(maxLength),
                  "truncation", "true",
                  "padding", "false",
                  "addSpecialTokens", "true"));
    } catch (IOException | RuntimeException e) {
      throw InvalidFileException.ofResource(location, "not a tokenizer.json that can be loaded: " + e.getMessage(), e);
    } catch (UnsatisfiedLinkError e) {
      throw new ConfigurationException(
          "DJL's native tokenizer library cannot load on this platform (" + System.getProperty("os.name") + " "
              + System.getProperty("os.arch") + "): " + e.getMessage(),
          e);
    }
    TextTokenizer result = new TextTokenizer(tokenizer, location, maxLength, vocabularySize);
    if (result.specialTokens >= maxLength) {
      result.close();
      throw new ConfigurationException(
          "maxLength " + maxLength + " leaves no room for text: tokenizer " + location + " adds "
              + result.specialTokens + " special tokens");
    }
    return result;
  }

  /** One more than the largest token id that the tokenizer can produce, read from the JSON. */
  private static int vocabularySize(byte[] json, String location) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw InvalidFileException.ofResource(location, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode vocab = root.path("model").path("vocab");
    long maxId = -1;
    if (vocab.isArray()) {
      maxId = vocab.size() - 1L; // Unigram: [[piece, score], ...], the id is the position
    } else if (vocab.isObject()) {
      for (Iterator<JsonNode> it = vocab.values().iterator(); it.hasNext(); ) {
        maxId = Math.max(maxId, it.next().asLong(-1));
      }
    } else {
      throw InvalidFileException.ofResource(location, "has no model.vocab: not a Hugging Face tokenizer.json", null);
    }
    for (JsonNode added : root.path("added_tokens")) {
      maxId = Math.max(maxId, added.path("id").asLong(-1));
    }
    if (maxId < 0 || maxId >= Integer.MAX_VALUE) {
      throw InvalidFileException.ofResource(location, "has an empty or unusable vocabulary", null);
    }
    return (int) maxId + 1;
  }

  /** The token ids of a text, special tokens included, cut at the maximum length. */
  Tokens encode(String text) {
    Encoding e = tokenizer.encode(text);
    long[] ids = e.getIds();
    return new Tokens(ids, ids.length <= specialTokens, e.exceedMaxLength());
  }

  String location() {
    return location;
  }

  int maxLength() {
    return maxLength;
  }

  /** One more than the largest token id the tokenizer produces. */
  int vocabularySize() {
    return vocabularySize;
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  /**
   * Token ids of one text.
   *
   * @param ids the ids, special tokens included
   * @param empty whether the text had no tokens of its own (only the special ones)
   * @param truncated whether tokens past the maximum length were dropped
   */
  record Tokens(long[] ids, boolean empty, boolean truncated) {}
}
