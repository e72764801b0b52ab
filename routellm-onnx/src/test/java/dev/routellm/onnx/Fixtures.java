package dev.routellm.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Test files: the built-in models' resources copied to disk, and the generated classifier fixtures. */
final class Fixtures {
  static final BuiltInEmbeddingModel MINILM = BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q;

  private Fixtures() {}

  /** Copies a class path resource to a file. */
  static Path copyResource(String resource, Path target) {
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource not found: " + resource);
      }
      Files.createDirectories(target.toAbsolutePath().getParent());
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** all-MiniLM-L6-v2's WordPiece tokenizer.json, the one the BERT fixture was built for. */
  static Path minilmTokenizer(Path dir) {
    return copyResource(MINILM.tokenizerResource(), dir.resolve("minilm-tokenizer.json"));
  }

  /** A directory with the generated BERT-shaped classifier and MiniLM's tokenizer. */
  static Path bertClassifierDirectory(Path dir) {
    Path d = dir.resolve("bert-tiny");
    copyResource("classifier/bert-tiny/model.onnx", d.resolve("model.onnx"));
    copyResource(MINILM.tokenizerResource(), d.resolve("tokenizer.json"));
    return d;
  }

  /** A directory with the generated XLM-R-shaped classifier and its Unigram tokenizer. */
  static Path xlmrClassifierDirectory(Path dir) {
    Path d = dir.resolve("xlmr-tiny");
    copyResource("classifier/xlmr-tiny/model.onnx", d.resolve("model.onnx"));
    copyResource("classifier/xlmr-tiny/tokenizer.json", d.resolve("tokenizer.json"));
    return d;
  }

  static Path resourceFile(String resource, Path dir) {
    return copyResource(resource, dir.resolve(resource.replace('/', '_')));
  }

  /** One row of the fixture generator's reference.json. */
  record Reference(String text, long[] ids, double[] logits, double strongWinRate) {}

  static List<Reference> reference(String model) {
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream("classifier/reference.json")) {
      JsonNode root = JsonMapper.builder().build().readTree(in.readAllBytes());
      return root.path(model).valueStream().map(Fixtures::row).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Reference row(JsonNode n) {
    long[] ids = n.path("ids").valueStream().mapToLong(JsonNode::asLong).toArray();
    double[] logits = n.path("logits").valueStream().mapToDouble(JsonNode::asDouble).toArray();
    return new Reference(n.path("text").asString(), ids, logits, n.path("strong_win_rate").asDouble());
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }
}
