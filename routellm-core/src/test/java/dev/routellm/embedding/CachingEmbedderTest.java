package dev.routellm.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.InvalidFileException;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingEmbedderTest {
  @TempDir Path dir;

  /** Embeds a text as (length, first char, calls so far) and counts texts embedded. */
  static final class CountingEmbedder implements Embedder {
    final String id;
    final AtomicInteger texts = new AtomicInteger();

    CountingEmbedder(String id) {
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public float[] embed(String text) {
      texts.incrementAndGet();
      return new float[] {text.length(), text.isEmpty() ? 0 : text.charAt(0)};
    }
  }

  @Test
  void embedAll_repeatedAndReopened_embedsEachTextOnce() {
    CountingEmbedder inner = new CountingEmbedder("counting/2");
    try (CachingEmbedder cache = CachingEmbedder.open(inner, dir)) {
      List<float[]> first = cache.embedAll(List.of("ab", "c", "ab"));
      assertThat(first.get(0)).containsExactly(2, 'a');
      assertThat(first.get(1)).containsExactly(1, 'c');
      assertThat(cache.embed("c")).containsExactly(1, 'c');
      assertThat(inner.texts).hasValue(2);
    }
    try (CachingEmbedder again = CachingEmbedder.open(inner, dir)) {
      assertThat(again.size()).isEqualTo(2);
      assertThat(again.embedAll(List.of("c", "ab", "new"))).hasSize(3);
      assertThat(inner.texts).hasValue(3);
    }
  }

  @Test
  void open_cutShortByACrash_dropsOnlyTheIncompleteRecord() throws IOException {
    CountingEmbedder inner = new CountingEmbedder("counting/2");
    Path file;
    try (CachingEmbedder cache = CachingEmbedder.open(inner, dir)) {
      cache.embedAll(List.of("one", "two"));
      file = cache.file();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3);
    }
    try (CachingEmbedder cache = CachingEmbedder.open(inner, dir)) {
      assertThat(cache.size()).isEqualTo(1);
      assertThat(cache.embed("two")).containsExactly(3, 't');
    }
    try (CachingEmbedder cache = CachingEmbedder.open(inner, dir)) {
      assertThat(cache.size()).isEqualTo(2);
    }
  }

  @Test
  void open_sameCacheTwice_isRefusedWhileTheFirstIsOpen() {
    CountingEmbedder inner = new CountingEmbedder("counting/2");
    try (CachingEmbedder first = CachingEmbedder.open(inner, dir)) {
      assertThatThrownBy(() -> CachingEmbedder.open(inner, dir)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use");
    }
    CachingEmbedder.open(inner, dir).close();
  }

  @Test
  void differentEmbedders_getSeparateFiles_andAForeignFileIsRejected() throws IOException {
    CachingEmbedder a = CachingEmbedder.open(new CountingEmbedder("model-a"), dir);
    CachingEmbedder b = CachingEmbedder.open(new CountingEmbedder("model-b"), dir);
    a.close();
    b.close();
    a.close();

    assertThat(a.file()).isNotEqualTo(b.file());
    java.nio.file.Files.copy(a.file(), b.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> CachingEmbedder.open(new CountingEmbedder("model-b"), dir))
        .isInstanceOf(InvalidFileException.class).hasMessageContaining("'model-a'");
  }

  @Test
  void open_recordDamagedAfterWriting_isInvalidFileNamingTheRecord() throws IOException {
    CountingEmbedder inner = new CountingEmbedder("counting/2");
    Path file;
    try (CachingEmbedder cache = CachingEmbedder.open(inner, dir)) {
      cache.embedAll(List.of("one", "two"));
      file = cache.file();
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(file);
    bytes[bytes.length - 6] ^= 1; // the last vector's second value, still a finite float
    java.nio.file.Files.write(file, bytes);

    assertThatThrownBy(() -> CachingEmbedder.open(inner, dir)).isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file + ": record 1 (at byte ")
        .hasMessageContaining("fails its checksum");
  }

  @Test
  void open_fileOfFormatVersion1_isEmptiedAndRebuilt() throws IOException {
    CountingEmbedder inner = new CountingEmbedder("counting/2");
    Path file;
    try (CachingEmbedder cache = CachingEmbedder.open(inner, dir)) {
      cache.embed("cached");
      file = cache.file();
    }
    writeVersion(file, 1);

    try (CachingEmbedder cache = CachingEmbedder.open(inner, dir)) {
      assertThat(cache.embed("cached")).containsExactly(6, 'c');
      assertThat(inner.texts).as("the old record is not served: embedded again").hasValue(2);
    }
    try (DataInputStream d = new DataInputStream(java.nio.file.Files.newInputStream(file))) {
      d.readInt();
      assertThat(d.readInt()).as("rewritten in the current format").isEqualTo(2);
    }
    try (CachingEmbedder cache = CachingEmbedder.open(inner, dir)) {
      cache.embed("cached");
      assertThat(inner.texts).as("and served from the rebuilt cache").hasValue(2);
    }
  }

  @Test
  void open_fileOfNewerFormat_isRejected() throws IOException {
    CountingEmbedder inner = new CountingEmbedder("counting/2");
    Path file;
    try (CachingEmbedder cache = CachingEmbedder.open(inner, dir)) {
      file = cache.file();
    }
    writeVersion(file, 3);

    assertThatThrownBy(() -> CachingEmbedder.open(inner, dir)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("format version 3 but this library reads version 2");
  }

  private static void writeVersion(Path file, int version) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.allocate(4).putInt(0, version), 4);
    }
  }

  @Test
  void embed_afterClose_throwsForCachedAndUncachedTextsAlike() {
    CountingEmbedder inner = new CountingEmbedder("counting/2");
    CachingEmbedder cache = CachingEmbedder.open(inner, dir);
    cache.embed("cached");
    cache.close();

    assertThatThrownBy(() -> cache.embed("cached")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> cache.embed("new")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> cache.embedAll(List.of("cached"))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThat(inner.texts).hasValue(1);
  }

  @Test
  void embed_delegateReturnsNaN_isRefusedAndNotCached() {
    Embedder broken = new Embedder() {
      @Override
      public String id() {
        return "nan/2";
      }

      @Override
      public int dimension() {
        return 2;
      }

      @Override
      public float[] embed(String text) {
        return new float[] {1, Float.NaN};
      }
    };
    try (CachingEmbedder cache = CachingEmbedder.open(broken, dir)) {
      assertThatThrownBy(() -> cache.embed("x")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("embedder 'nan/2' returned a non-finite value NaN at component 1");
      assertThat(cache.size()).isZero();
    }
  }
}
