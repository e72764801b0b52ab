package dev.routellm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs the first Java example of README.md, exactly as written, against loopback model endpoints (only
 * its two base URLs are swapped), so the README's example can never rot.
 */
class ReadmeExampleTest {
  private static final String IMPORTS =
      "import dev.routellm.backend.*; import dev.routellm.chat.*; import dev.routellm.cost.*;"
          + " import dev.routellm.prediction.*; import dev.routellm.routing.*;\n";

  @Test
  void readmeExample_compilesAndRoutesARequest(@TempDir Path dir) throws Exception {
    String readme = Files.readString(readmePath());
    Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(m.find()).as("README.md has a ```java example").isTrue();
    String example = m.group(1);
    assertThat(example).contains("https://api.openai.com/v1", "http://localhost:11434/v1");

    try (MockModel strong = new MockModel("gpt-4o");
        MockModel weak = new MockModel("llama3.1:8b")) {
      strong.answers("Suppose sqrt(2) = p/q in lowest terms...", 20, 120);
      weak.answers("Suppose sqrt(2) = p/q in lowest terms...", 20, 120);
      String code = example
          .replace("https://api.openai.com/v1", strong.baseUrl())
          .replace("http://localhost:11434/v1", weak.baseUrl())
          // the strong endpoint is a loopback mock: it needs no key (the README reads OPENAI_API_KEY)
          .replace(".model(\"gpt-4o\").build()", ".model(\"gpt-4o\").noApiKey().build()");
      String output = compileAndRun(dir, code);

      assertThat(output).containsPattern("score 0\\.\\d{4} (>=|<) threshold 0\\.5000 -> (gpt-4o|llama3\\.1:8b), cost \\$");
      assertThat(strong.server().getRequestCount() + weak.server().getRequestCount()).isEqualTo(1);
    }
  }

  private static String compileAndRun(Path dir, String body) throws Exception {
    Path source = dir.resolve("ReadmeExample.java");
    Files.writeString(source, IMPORTS + "public class ReadmeExample { public static void run() throws Exception {\n"
        + body + "\n} }\n");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int rc = javac.run(null, null, diagnostics, "-classpath", System.getProperty("java.class.path"),
        "-d", dir.toString(), source.toString());
    assertThat(rc).as("README example compiles:\n" + diagnostics).isZero();

    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
        ReadmeExampleTest.class.getClassLoader())) {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Method run = loader.loadClass("ReadmeExample").getMethod("run");
      run.invoke(null);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static Path readmePath() {
    for (Path p : List.of(Path.of("README.md"), Path.of("../README.md"))) {
      if (Files.exists(p) && Files.exists(p.resolveSibling("routellm-core"))) {
        return p;
      }
    }
    throw new IllegalStateException("README.md not found from " + Path.of("").toAbsolutePath());
  }
}
