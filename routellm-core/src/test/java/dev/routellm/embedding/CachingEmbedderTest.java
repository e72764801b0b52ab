package dev.routellm.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.InvalidFileException;
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
}
