package dev.routellm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.routellm.cascade.AnswerConfidenceModel;
import dev.routellm.cascade.CascadeDataFile;
import dev.routellm.cascade.LogprobConfidenceModel;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Safetensors;
import dev.routellm.data.DatasetFiles;
import dev.routellm.embedding.CachingEmbedder;
import dev.routellm.embedding.Embedder;
import dev.routellm.internal.BoundedFiles;
import dev.routellm.prediction.MatrixFactorization;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reader of a file the library is given, against what an operator may point it at by mistake or malice:
 * {@code /dev/zero}, a FIFO nobody writes to, a directory, and a 3 GB file (sparse: it takes no disk). Each gives a
 * clear {@link InvalidFileException} naming the file, never an {@code OutOfMemoryError} or a hang.
 */
class HostileFilesTest {
  @TempDir static Path dir;

  /** The readers, each given a path whose name has the extension it expects. */
  static Stream<Arguments> readers() {
    Embedder embedder = new Embedder() {
      @Override
      public String id() {
        return "fake";
      }

      @Override
      public int dimension() {
        return 4;
      }

      @Override
      public float[] embed(String text) {
        return new float[4];
      }
    };
    Map<String, Consumer<Path>> readers =
        Map.of(
            "Safetensors.read", Safetensors::read,
            "RouterFile.read", RouterFile::read,
            "MatrixFactorization.load", MatrixFactorization::load,
            "DatasetFiles.read csv", DatasetFiles::read,
            "DatasetFiles.read jsonl", DatasetFiles::read,
            "CascadeDataFile.read jsonl", CascadeDataFile::read,
            "CascadeDataFile.read csv", CascadeDataFile::read,
            "LogprobConfidenceModel.load", LogprobConfidenceModel::load,
            "AnswerConfidenceModel.load", AnswerConfidenceModel::load,
            "CachingEmbedder.open", p -> CachingEmbedder.open(embedder, p.getParent()).close());
    return readers.entrySet().stream()
        .flatMap(
            e ->
                Stream.of("dev-zero", "fifo", "directory", "three-gigabytes")
                    .map(kind -> Arguments.of(e.getKey(), kind, e.getValue())));
  }

  private static String extension(String reader) {
    if (reader.endsWith("csv")) {
      return ".csv";
    }
    if (reader.endsWith("jsonl")) {
      return ".jsonl";
    }
    return reader.contains("Confidence") ? ".json" : ".safetensors";
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("readers")
  void reader_hostileFile_failsWithAClearInvalidFileException(String reader, String kind, Consumer<Path> read)
      throws Exception {
    Path where = Files.createDirectories(dir.resolve(reader.replace(' ', '-') + "-" + kind));
    Path file;
    if (reader.startsWith("CachingEmbedder")) {
      file = where.resolve(CachingEmbedderFiles.name("fake"));
    } else {
      file = where.resolve("input" + extension(reader));
    }
    String expected;
    switch (kind) {
      case "dev-zero" -> {
        assumeThat(Path.of("/dev/zero")).exists();
        Files.createSymbolicLink(file, Path.of("/dev/zero"));
        expected = "is not a regular file";
      }
      case "fifo" -> {
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).start();
        assumeThat(mkfifo.waitFor()).as("mkfifo available").isZero();
        expected = "is not a regular file";
      }
      case "directory" -> {
        Files.createDirectories(file);
        expected = reader.startsWith("MatrixFactorization") ? "no matrix-factorization checkpoint here"
            : "is a directory";
      }
      default -> {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
          f.setLength(3L << 30);
        }
        expected = reader.startsWith("CachingEmbedder") ? "more than half of the JVM's maximum heap"
            : "is 3 GiB (3221225472 bytes), over the limit of ";
      }
    }

    if (reader.startsWith("MatrixFactorization") && !kind.equals("three-gigabytes")) {
      expected = "no matrix-factorization checkpoint here";
    }

    assertThatThrownBy(() -> read.accept(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(String.valueOf(file))
        .hasMessageContaining(expected);
  }

  @Test
  void jsonlLine_longerThanTheLimit_isRefusedNamingTheLine() throws IOException {
    Path file = dir.resolve("long-line.jsonl");
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("{\"prompt\":\"a\",\"strong\":1,\"weak\":0}\n");
      out.write("{\"prompt\":\"");
      char[] chunk = new char[1 << 20];
      java.util.Arrays.fill(chunk, 'x');
      for (int i = 0; i < (BoundedFiles.MAX_LINE_CHARS >> 20) + 1; i++) {
        out.write(chunk);
      }
      out.write("\"}\n");
    }

    assertThatThrownBy(() -> DatasetFiles.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessage(file + " line 2: line is longer than " + BoundedFiles.MAX_LINE_CHARS + " characters")
        .satisfies(e -> assertThat(((InvalidFileException) e).line()).hasValue(2));
  }

  @Test
  void readString_notUtf8_isRefused() throws IOException {
    Path file = dir.resolve("latin1.txt");
    Files.write(file, new byte[] {'c', 'a', 'f', (byte) 0xe9});

    assertThatThrownBy(() -> BoundedFiles.readString(file, 100, "prompt"))
        .isInstanceOf(InvalidFileException.class)
        .hasMessage(file + ": is not UTF-8 text");
  }

  @Test
  void readAllBytes_overTheLimitGiven_isRefusedNamingSizeAndLimit() throws IOException {
    Path file = dir.resolve("small.json");
    Files.write(file, new byte[2048]);

    assertThatThrownBy(() -> BoundedFiles.readAllBytes(file, 1024, "configuration file"))
        .isInstanceOf(InvalidFileException.class)
        .hasMessage(file + ": is 2 KiB (2048 bytes), over the limit of 1 KiB for a configuration file");
    assertThat(BoundedFiles.readAllBytes(file, 2048, "configuration file")).hasSize(2048);
  }

  @Test
  void lines_splitOnEveryLineEnding() throws IOException {
    Path file = dir.resolve("endings.txt");
    Files.writeString(file, "a\r\nb\rc\n\nd");

    try (BoundedFiles.Lines lines = BoundedFiles.lines(file, 100, "text")) {
      List<String> read = new java.util.ArrayList<>();
      for (String l; (l = lines.next()) != null; ) {
        read.add(l);
      }
      assertThat(read).containsExactly("a", "b", "c", "", "d");
      assertThat(lines.number()).isEqualTo(5);
    }
  }

  /** The cache file name an embedder id gets, as CachingEmbedder computes it. */
  private static final class CachingEmbedderFiles {
    static String name(String id) {
      try {
        var m = CachingEmbedder.class.getDeclaredMethod("fileName", String.class);
        m.setAccessible(true);
        return (String) m.invoke(null, id);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
