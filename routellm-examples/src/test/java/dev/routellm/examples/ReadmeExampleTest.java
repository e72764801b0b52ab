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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every Java snippet of README.md exactly as written, with the imports it carries (each snippet says which
 * package each class comes from: single-type imports, no wildcards), and runs the runnable ones against loopback model
 * endpoints: only the base URLs are swapped for mock servers and keys read from named environment variables for none.
 * So the README's examples can never rot. Each runnable example's printed output is checked against what the README
 * promises. A snippet fenced {@code ```java compile-only} needs what a test cannot ship (a model directory, a router
 * file, a running application) and is compiled only.
 */
class ReadmeExampleTest {
  /** A fenced Java snippet: the info string, then the code. */
  private static final Pattern SNIPPET = Pattern.compile("```java( compile-only)?\n(.*?)```", Pattern.DOTALL);

  /** What each README example must print, in README order; a new example needs a line here. */
  private static final List<Pattern> EXPECTED_OUTPUT =
      List.of(
          Pattern.compile("score 0\\.\\d{4} (>=|<) threshold 0\\.\\d{4} -> \\S+, cost \\$[0-9.]+\n"),
          Pattern.compile("confidence of 'llama-3-8b' 0\\.8129 >= threshold 0\\.8000: answer of 'llama-3-8b' kept; 1"
              + " call\\(s\\), \\$[0-9.]+\n"));

  /**
   * Every mock answers with two tokens whose log-probabilities sum to -20 (Alamere's confidence 0.8129), so a cascade
   * example keeps the weak answer and a routing example gets a normal answer.
   */
  private static final String ANSWER =
      "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"16 - 3 - 4 = 9 eggs; 9 * $2 = $18.\"},"
          + "\"logprobs\":{\"content\":[{\"token\":\"16\",\"logprob\":-12.0,\"top_logprobs\":[]},"
          + "{\"token\":\" -\",\"logprob\":-8.0,\"top_logprobs\":[]}]},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":60,\"completion_tokens\":20}}";

  @Test
  void readmeSnippets_everyOneCarriesItsImportsAndCompiles(@TempDir Path dir) throws Exception {
    Matcher block = SNIPPET.matcher(Files.readString(readmePath()));
    int n = 0;
    while (block.find()) {
      n++;
      String code = block.group(2);
      assertThat(imports(code)).as("README snippet %d names the package of each class it uses", n).isNotEmpty()
          .noneMatch(line -> line.endsWith(".*;"));
      compile(dir.resolve("snippet" + n), "ReadmeSnippet" + n, code);
    }
    assertThat(n).as("README.md's ```java snippets").isGreaterThanOrEqualTo(EXPECTED_OUTPUT.size());
    assertThat(Files.readString(readmePath())).as("Java in README is fenced as ```java, never bare or indented")
        .doesNotContainPattern("\n    (try \\(|[A-Z][A-Za-z<>, ]* [a-z][A-Za-z0-9]* = )");
  }

  @Test
  void readmeExamples_compileRunAndPrintWhatTheyPromise(@TempDir Path dir) throws Exception {
    String readme = Files.readString(readmePath());
    Matcher block = SNIPPET.matcher(readme);
    List<String> examples = new ArrayList<>();
    while (block.find()) {
      if (block.group(1) == null) {
        examples.add(block.group(2));
      }
    }
    assertThat(examples).as("README.md's runnable ```java examples, one expectation each")
        .hasSize(EXPECTED_OUTPUT.size());

    for (int i = 0; i < examples.size(); i++) {
      String code = examples.get(i).replaceAll("\\.apiKeyFromEnvironment\\(\"[A-Z_]+\"\\)", ".noApiKey()");
      Matcher url = Pattern.compile("\\.baseUrl\\(\"([^\"]+)\"\\)").matcher(code);
      List<MockModel> mocks = new ArrayList<>();
      StringBuilder swapped = new StringBuilder();
      try {
        while (url.find()) {
          MockModel mock = new MockModel("m");
          for (int k = 0; k < 3; k++) {
            mock.server().enqueue(new MockResponse.Builder().code(200)
                .addHeader("Content-Type", "application/json").body(ANSWER).build());
          }
          mocks.add(mock);
          url.appendReplacement(swapped, Matcher.quoteReplacement(".baseUrl(\"" + mock.baseUrl() + "\")"));
        }
        url.appendTail(swapped);
        assertThat(mocks).as("example %d names its endpoints with baseUrl(...)", i + 1).hasSize(2);

        String output = compileAndRun(dir.resolve("example" + i), "ReadmeExample" + i, swapped.toString());

        assertThat(output).as("output of README example %d", i + 1).matches(EXPECTED_OUTPUT.get(i));
        assertThat(mocks.stream().mapToInt(m -> m.server().getRequestCount()).sum()).isEqualTo(1);
      } finally {
        mocks.forEach(MockModel::close);
      }
    }
  }

  /** The snippet's leading import lines. */
  private static List<String> imports(String code) {
    List<String> imports = new ArrayList<>();
    for (String line : code.split("\n")) {
      if (line.startsWith("import ")) {
        imports.add(line.strip());
      } else if (!line.isBlank()) {
        break;
      }
    }
    return imports;
  }

  /** Compiles a snippet as the body of {@code run()}, its imports above the class. */
  private static void compile(Path dir, String className, String code) throws Exception {
    Files.createDirectories(dir);
    List<String> imports = imports(code);
    String body = code.lines().filter(l -> !imports.contains(l.strip())).collect(Collectors.joining("\n"));
    Path source = dir.resolve(className + ".java");
    Files.writeString(source, String.join("\n", imports) + "\npublic class " + className
        + " { public static void run() throws Exception {\n" + body + "\n} }\n");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int rc = javac.run(null, null, diagnostics, "-classpath", System.getProperty("java.class.path"),
        "-d", dir.toString(), source.toString());
    assertThat(rc).as("README snippet compiles:\n" + code + "\n" + diagnostics).isZero();
  }

  private static String compileAndRun(Path dir, String className, String code) throws Exception {
    compile(dir, className, code);

    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
        ReadmeExampleTest.class.getClassLoader())) {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Method run = loader.loadClass(className).getMethod("run");
      run.invoke(null);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static Path readmePath() {
    for (Path p : List.of(Path.of("README.md"), Path.of("../README.md"))) {
      if (Files.exists(p) && Files.exists(p.toAbsolutePath().resolveSibling("routellm-core"))) {
        return p;
      }
    }
    throw new IllegalStateException("README.md not found from " + Path.of("").toAbsolutePath());
  }
}
