package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OrtRuntimeTest {
  /** Run in a fresh JVM: loads the built-in embedder on the main thread and prints its dimension. */
  public static final class LoadOnMainThread {
    public static void main(String[] args) {
      try (OnnxEmbedder e = OnnxEmbedder.allMiniLmL6V2()) {
        System.out.println("dimension=" + e.embed("hello").length);
      }
    }
  }

  /**
   * ONNX Runtime's native initialisation overflows a 1 MB thread stack when the class path is long (the JVM dies with
   * SIGSEGV); the library loads it on a thread of its own. A fresh JVM is needed: in this one ONNX Runtime is loaded
   * already.
   */
  @Test
  void firstLoad_freshJvmLongClassPathDefaultStack_loadsAndEmbeds() throws Exception {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> entries = new ArrayList<>();
    for (int i = 0; entries.size() < 60; i++) {
      entries.add(Path.of(System.getProperty("java.io.tmpdir"), "routellm-no-such-directory-" + i).toString());
    }
    entries.add(classPath);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xss1m",
                "-Dai.djl.offline=true",
                "-cp",
                String.join(File.pathSeparator, entries),
                LoadOnMainThread.class.getName())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("dimension=384");
  }
}
