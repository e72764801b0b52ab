package dev.routellm.onnx;

import dev.routellm.internal.BoundedFiles;
import dev.routellm.InvalidFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The settings a sentence-transformers model directory records beside its weights: {@code sentence_bert_config.json}
 * ({@code max_seq_length}) and {@code 1_Pooling/config.json} (the pooling mode). Either file may be absent. Each is
 * read only by the method that needs it, so that a setting given explicitly overrides a file this library cannot use.
 */
final class SentenceTransformersConfig {
  static final String MAX_LENGTH_FILE = "sentence_bert_config.json";
  static final String POOLING_FILE = "1_Pooling/config.json";
  static final String MAX_LENGTH_FIELD = "max_seq_length";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private SentenceTransformersConfig() {}

  /**
   * The {@code max_seq_length} of {@value #MAX_LENGTH_FILE}, empty when the file or the field is absent.
   *
   * @throws InvalidFileException naming the file and the field when the value is not a positive integer
   */
  static Optional<Integer> maxLength(Path directory) {
    Path file = directory.resolve(MAX_LENGTH_FILE);
    Optional<JsonNode> root = readJson(file);
    if (root.isEmpty() || root.get().path(MAX_LENGTH_FIELD).isMissingNode()
        || root.get().path(MAX_LENGTH_FIELD).isNull()) {
      return Optional.empty();
    }
    JsonNode v = root.get().path(MAX_LENGTH_FIELD);
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) {
      throw InvalidFileException.of(file, "field '" + MAX_LENGTH_FIELD + "' must be a positive integer but was " + v
          + "; fix the file or set maxLength(...) explicitly");
    }
    return Optional.of(v.asInt());
  }

  /**
   * The pooling mode of {@value #POOLING_FILE}, empty when the file is absent.
   *
   * @throws InvalidFileException naming the file when it asks for a pooling this library does not support
   */
  static Optional<Pooling> pooling(Path directory) {
    Path poolingFile = directory.resolve(POOLING_FILE);
    Optional<JsonNode> poolingJson = readJson(poolingFile);
    if (poolingJson.isEmpty()) {
      return Optional.empty();
    }
    JsonNode root = poolingJson.get();
    boolean cls = root.path("pooling_mode_cls_token").asBoolean(false);
    boolean mean = root.path("pooling_mode_mean_tokens").asBoolean(false);
    if (cls == mean) {
      throw InvalidFileException.of(
          poolingFile,
          "asks for a pooling this library does not support (it supports exactly one of"
              + " pooling_mode_cls_token and pooling_mode_mean_tokens); set pooling(...) explicitly");
    }
    return Optional.of(cls ? Pooling.CLS : Pooling.MEAN);
  }

  private static Optional<JsonNode> readJson(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(BoundedFiles.readAllBytes(file, BoundedFiles.MAX_JSON_BYTES, "configuration file")));
    } catch (JacksonException e) {
      throw InvalidFileException.of(file, "not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
