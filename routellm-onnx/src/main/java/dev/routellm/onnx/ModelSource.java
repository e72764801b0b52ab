package dev.routellm.onnx;

import dev.routellm.internal.BoundedFiles;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Where a model and its tokenizer come from: two files, or two class path resources (the built-in models). Knows how
 * to name them in messages and how to fingerprint their content. Not thread-safe; used while a model loads.
 */
final class ModelSource {
  /** The model file a directory holds, in the order looked for (plain export, then optimum/Xenova layout). */
  static final List<String> MODEL_FILES_IN_DIRECTORY = List.of("model.onnx", "onnx/model.onnx");

  static final String TOKENIZER_FILE = "tokenizer.json";

  private final String name;
  private final Path modelFile;
  private final Path tokenizerFile;
  private final String modelResource;
  private final String tokenizerResource;
  private final String artifact;
  private byte[] modelBytes;

  private ModelSource(
      String name,
      Path modelFile,
      Path tokenizerFile,
      String modelResource,
      String tokenizerResource,
      String artifact) {
    this.name = name;
    this.modelFile = modelFile;
    this.tokenizerFile = tokenizerFile;
    this.modelResource = modelResource;
    this.tokenizerResource = tokenizerResource;
    this.artifact = artifact;
  }

  /**
   * A name for a model file: its base name, or for the usual {@code model.onnx} / {@code model_quantized.onnx} the name
   * of the directory that holds it (above an {@code onnx/} folder).
   */
  static String defaultName(Path modelFile) {
    Path absolute = modelFile.toAbsolutePath().normalize();
    String base = String.valueOf(absolute.getFileName()).replaceFirst("\\.onnx$", "");
    Path parent = absolute.getParent();
    if (base.startsWith("model") && parent != null) {
      if ("onnx".equals(String.valueOf(parent.getFileName())) && parent.getParent() != null) {
        parent = parent.getParent();
      }
      if (parent.getFileName() != null) {
        return parent.getFileName().toString();
      }
    }
    return base;
  }

  /** A model file and a tokenizer file; both must exist. */
  static ModelSource files(String name, Path modelFile, Path tokenizerFile) {
    requireReadableFile(modelFile, "model file");
    requireReadableFile(tokenizerFile, "tokenizer file");
    return new ModelSource(name, modelFile, tokenizerFile, null, null, null);
  }

  /** A model exported into a directory: {@code model.onnx} (or {@code onnx/model.onnx}) and {@code tokenizer.json}. */
  static ModelSource directory(Path directory) {
    Objects.requireNonNull(directory, "directory");
    if (!Files.isDirectory(directory)) {
      throw InvalidFileException.of(
          directory, Files.exists(directory) ? "not a directory" : "model directory not found");
    }
    Path model = null;
    for (String candidate : MODEL_FILES_IN_DIRECTORY) {
      if (Files.isRegularFile(directory.resolve(candidate))) {
        model = directory.resolve(candidate);
        break;
      }
    }
    if (model == null) {
      throw InvalidFileException.of(
          directory,
          "no " + String.join(" or ", MODEL_FILES_IN_DIRECTORY) + " in this directory" + onnxFilesHint(directory)
              + "; name the files with modelFiles(model, tokenizer)");
    }
    return files(defaultName(model), model, directory.resolve(TOKENIZER_FILE));
  }

  /** Two class path resources shipped by a Maven artifact. */
  static ModelSource classpath(String name, String modelResource, String tokenizerResource, String artifact) {
    return new ModelSource(name, null, null, modelResource, tokenizerResource, artifact);
  }

  private static String onnxFilesHint(Path directory) {
    try (Stream<Path> files = Files.walk(directory, 2)) {
      List<String> found =
          files.filter(p -> p.getFileName().toString().endsWith(".onnx"))
              .map(p -> directory.relativize(p).toString())
              .sorted()
              .collect(Collectors.toList());
      return found.isEmpty() ? " (it holds no .onnx file)" : " (it holds " + String.join(", ", found) + ")";
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  private static void requireReadableFile(Path file, String what) {
    Objects.requireNonNull(file, what);
    if (!Files.exists(file)) {
      throw InvalidFileException.of(file, what + " not found");
    }
    if (!Files.isRegularFile(file)) {
      throw InvalidFileException.of(file, what + " is not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw InvalidFileException.of(file, what + " is not readable");
    }
  }

  /** The same files under another name (the name shows in ids and messages). */
  ModelSource withName(String newName) {
    return new ModelSource(newName, modelFile, tokenizerFile, modelResource, tokenizerResource, artifact);
  }

  String name() {
    return name;
  }

  boolean isBuiltIn() {
    return modelFile == null;
  }

  String modelLocation() {
    return modelFile != null ? modelFile.toString() : "classpath:" + modelResource;
  }

  String tokenizerLocation() {
    return tokenizerFile != null ? tokenizerFile.toString() : "classpath:" + tokenizerResource;
  }

  /** The tokenizer JSON's bytes. */
  byte[] tokenizerBytes() {
    if (tokenizerFile != null) {
      return BoundedFiles.readAllBytes(tokenizerFile, BoundedFiles.MAX_TOKENIZER_BYTES, "tokenizer file");
    }
    return resourceBytes(tokenizerResource);
  }

  /** Opens an ONNX Runtime session on the model; a file is memory-mapped by ONNX Runtime, a resource read once. */
  OrtSession open(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException {
    if (modelFile != null) {
      return env.createSession(modelFile.toString(), options);
    }
    if (modelBytes == null) {
      modelBytes = resourceBytes(modelResource);
    }
    return env.createSession(modelBytes, options);
  }

  /** Drops what {@link #open} cached; call once the model is loaded. */
  void release() {
    modelBytes = null;
  }

  /**
   * A short hex fingerprint (CRC-32C) of the model and tokenizer files, so that two different models in directories
   * with the same name get different ids; empty for built-in models, whose name already says which they are.
   */
  String fingerprint(byte[] tokenizerJson) {
    if (modelFile == null) {
      return "";
    }
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(modelFile)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw InvalidFileException.of(modelFile, "cannot be read: " + e.getMessage(), e);
    }
    crc.update(tokenizerJson);
    return String.format("%08x", crc.getValue());
  }

  private byte[] resourceBytes(String resource) {
    ClassLoader loader = ModelSource.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new ConfigurationException(
            "built-in model " + name + " needs " + artifact + " on the class path (resource '" + resource
                + "' not found)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw InvalidFileException.ofResource("classpath:" + resource, "cannot be read: " + e.getMessage(), e);
    }
  }
}
