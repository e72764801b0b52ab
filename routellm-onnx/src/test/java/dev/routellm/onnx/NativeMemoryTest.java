package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the model many times and loads and closes it repeatedly, and checks that the process's memory outside the Java
 * heap stays flat: a tensor, result or session left unclosed would leak native memory on every call.
 */
class NativeMemoryTest {
  private static final Path STATUS = Path.of("/proc/self/status");

  /** Generous: ONNX Runtime's arena and the JIT settle in the warm-up; a leak per call would add hundreds of MB. */
  private static final long ALLOWED_GROWTH_BYTES = 64L << 20;

  @TempDir Path tmp;

  @Test
  void embedAndReload_longLoop_nativeMemoryDoesNotGrow() throws Exception {
    assumeTrue(Files.isReadable(STATUS), "needs Linux /proc to read the resident set size");
    // ~100 tokens: a leaked output tensor would cost ~150 kB per call, 225 MB over the loop
    String text = "Explain how a router decides between a strong and a weak language model for a prompt. ".repeat(6);
    List<String> batch = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      batch.add(i + " " + text);
    }
    Path xlmr = Fixtures.xlmrClassifierDirectory(tmp);
    try (OnnxEmbedder embedder = OnnxEmbedder.allMiniLmL6V2()) {
      exercise(embedder, text, batch, xlmr, 200); // warm-up: arena, JIT, workspace pool reach their steady size
      long before = nativeBytes();
      exercise(embedder, text, batch, xlmr, 1500);
      long after = nativeBytes();
      assertThat(after - before)
          .as("growth of resident memory outside the Java heap (before %d MB, after %d MB)", before >> 20, after >> 20)
          .isLessThan(ALLOWED_GROWTH_BYTES);
      System.out.printf("native memory: before %d MB, after %d MB%n", before >> 20, after >> 20);
    }
  }

  private static void exercise(OnnxEmbedder embedder, String text, List<String> batch, Path xlmr, int calls) {
    for (int i = 0; i < calls; i++) {
      if (i % 10 == 0) {
        assertThat(embedder.embedAll(batch)).hasSize(batch.size());
      } else {
        assertThat(embedder.embed(text)).hasSize(384);
      }
      if (i % 100 == 0) {
        try (OnnxClassifierPredictor p = OnnxClassifierPredictor.builder().modelDirectory(xlmr).build()) {
          assertThat(p.score("prove the theorem")).isBetween(0.0, 1.0);
        }
      }
    }
  }

  /** Resident set size minus the committed Java heap. */
  private static long nativeBytes() throws IOException {
    System.gc();
    long rss = 0;
    for (String line : Files.readAllLines(STATUS)) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    long heap = Runtime.getRuntime().totalMemory(); // the committed heap
    return rss - heap;
  }
}
