package dev.routellm.onnx;

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
 * ({@code max_seq_length}) and {@code 1_Pooling/config.json} (the pooling mode). Either file may be absent.
 */
record SentenceTransformersConfig(Optional<Integer> maxLength, Optional<Pooling> pooling) {
  static final String MAX_LENGTH_FILE = "sentence_bert_config.json";
  static final String POOLING_FILE = "1_Pooling/config.json";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  static SentenceTransformersConfig read(Path directory) {
    Optional<Integer> maxLength =
        readJson(directory.resolve(MAX_LENGTH_FILE))
            .map(root -> root.path("max_seq_length"))
            .filter(JsonNode::isIntegralNumber)
            .map(JsonNode::asInt);
    Optional<Pooling> pooling = Optional.empty();
    Path poolingFile = directory.resolve(POOLING_FILE);
    Optional<JsonNode> poolingJson = readJson(poolingFile);
    if (poolingJson.isPresent()) {
      JsonNode root = poolingJson.get();
      boolean cls = root.path("pooling_mode_cls_token").asBoolean(false);
      boolean mean = root.path("pooling_mode_mean_tokens").asBoolean(false);
      if (cls == mean) {
        throw InvalidFileException.of(
            poolingFile,
            "asks for a pooling this library does not support (it supports exactly one of"
                + " pooling_mode_cls_token and pooling_mode_mean_tokens); set pooling(...) explicitly");
      }
      pooling = Optional.of(cls ? Pooling.CLS : Pooling.MEAN);
    }
    return new SentenceTransformersConfig(maxLength, pooling);
  }

  private static Optional<JsonNode> readJson(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    } catch (JacksonException e) {
      throw InvalidFileException.of(file, "not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
