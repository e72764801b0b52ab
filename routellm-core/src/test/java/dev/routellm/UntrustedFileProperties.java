package dev.routellm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.cascade.CascadeDataFile;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Safetensors;
import dev.routellm.checkpoint.Tensor;
import dev.routellm.data.DatasetFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Files are untrusted: random and mutated safetensors headers, CSV and JSONL rows give a result or an {@link
 * InvalidFileException}, never another exception.
 */
class UntrustedFileProperties {
  private static Path dir;
  private static final AtomicLong FILES = new AtomicLong();

  @BeforeContainer
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("untrusted-files");
  }

  @AfterContainer
  static void deleteDirectory() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  // ---- safetensors ----

  private static final byte[] VALID_SAFETENSORS;

  static {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("P.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    tensors.put("bias", Tensor.of(new float[] {0.5f}, 1));
    VALID_SAFETENSORS = Safetensors.toBytes(tensors, Map.of("format", "pt"));
  }

  @Property(tries = 500)
  void safetensors_mutatedBytes_giveTensorsOrAnInvalidFileException(@ForAll("mutatedSafetensors") byte[] bytes) {
    assertThat(outcome(() -> Safetensors.read(bytes, "fuzz.safetensors")))
        .isInstanceOfAny(Safetensors.class, InvalidFileException.class);
    assertThat(outcome(() -> RouterFile.read(bytes, "fuzz.safetensors")))
        .isInstanceOfAny(RouterFile.class, InvalidFileException.class);
  }

  @Property(tries = 500)
  void safetensors_randomHeaders_giveTensorsOrAnInvalidFileException(@ForAll("headers") String header,
      @ForAll("dataSizes") int dataBytes) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);

    assertThat(outcome(() -> Safetensors.read(b.array(), "fuzz.safetensors")))
        .isInstanceOfAny(Safetensors.class, InvalidFileException.class);
  }

  @Provide
  Arbitrary<byte[]> mutatedSafetensors() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    Arbitrary<byte[]> mutated =
        Combinators.combine(
                Arbitraries.integers().between(0, VALID_SAFETENSORS.length - 1).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.bytes().list().ofSize(4),
                Arbitraries.integers().between(0, VALID_SAFETENSORS.length))
            .as((positions, values, cut) -> {
              byte[] copy = VALID_SAFETENSORS.clone();
              for (int i = 0; i < positions.size(); i++) {
                copy[positions.get(i)] = values.get(i);
              }
              return cut % 3 == 0 ? java.util.Arrays.copyOf(copy, cut) : copy;
            });
    return Arbitraries.oneOf(random, mutated);
  }

  @Provide
  Arbitrary<String> headers() {
    Arbitrary<String> number =
        Arbitraries.oneOf(
            Arbitraries.integers().between(-2, 40).map(String::valueOf),
            Arbitraries.of("2147483647", "2147483648", "9223372036854775807", "-9223372036854775808",
                "1e30", "1.5", "null", "\"3\""));
    Arbitrary<String> shape = number.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> offsets = number.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> dtype = Arbitraries.of("\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"", "\"I8\"", "1", "null");
    Arbitrary<String> tensor =
        Combinators.combine(Arbitraries.of("a", "b", "__metadata__"), dtype, shape, offsets)
            .as((name, d, s, o) -> "\"" + name + "\":{\"dtype\":" + d + ",\"shape\":" + s + ",\"data_offsets\":" + o
                + "}");
    return tensor.list().ofMaxSize(3).map(l -> "{" + String.join(",", l) + "}");
  }

  @Provide
  Arbitrary<Integer> dataSizes() {
    return Arbitraries.integers().between(0, 96);
  }

  // ---- CSV and JSONL rows ----

  private static final String VALID_CSV =
      "prompt,strong,weak,group\n\"Line one,\nline \"\"two\"\"\",true,false,math\nplain,TRUE,True,\n";
  private static final String VALID_JSONL =
      "{\"prompt\": \"a\", \"strong\": 1, \"weak\": 0}\n{\"prompt\": \"b\", \"strong\": 0.5, \"weak\": 1}\n";
  private static final String VALID_CASCADE_JSONL =
      "{\"correct\": true, \"logprobs\": [-0.5, -0.1], \"strong_correct\": false, \"prompt_tokens\": 95,"
          + " \"completion_tokens\": 4, \"strong_completion_tokens\": 7}\n"
          + "{\"correct\": 0, \"features\": {\"sum\": -31.5, \"tokens\": 76}, \"id\": 17}\n"
          + "{\"correct\": 1, \"logprobs\": [{\"token\": \"4\", \"logprob\": -0.02, \"top_logprobs\": [{\"token\":"
          + " \"4\", \"logprob\": -0.02}]}]}\n";
  private static final String VALID_CASCADE_CSV = "id,correct,sum,mean\na,1,-20,-0.4\nb,0,-35.5,-0.9\n";

  @Property(tries = 300)
  void datasetCsv_mutatedRows_giveADatasetOrAnInvalidFileException(@ForAll("mutatedDatasetCsv") String content)
      throws IOException {
    Path file = write(".csv", content);
    assertThat(outcome(() -> DatasetFiles.read(file))).isInstanceOfAny(
        dev.routellm.data.Dataset.class, InvalidFileException.class);
  }

  @Property(tries = 300)
  void datasetJsonl_mutatedRows_giveADatasetOrAnInvalidFileException(@ForAll("mutatedDatasetJsonl") String content)
      throws IOException {
    Path file = write(".jsonl", content);
    assertThat(outcome(() -> DatasetFiles.read(file))).isInstanceOfAny(
        dev.routellm.data.Dataset.class, InvalidFileException.class);
  }

  @Property(tries = 300)
  void cascadeData_mutatedRows_giveExamplesOrAnInvalidFileException(
      @ForAll("mutatedCascade") String content, @ForAll boolean csv) throws IOException {
    Path file = write(csv ? ".csv" : ".jsonl", content);
    assertThat(outcome(() -> CascadeDataFile.read(file))).isInstanceOfAny(
        java.util.List.class, InvalidFileException.class);
  }

  @Provide
  Arbitrary<String> mutatedDatasetCsv() {
    return Arbitraries.oneOf(
        dev.routellm.backend.UntrustedAnswerPropertiesAccess.mutated(VALID_CSV),
        Arbitraries.strings().ofMaxLength(100));
  }

  @Provide
  Arbitrary<String> mutatedDatasetJsonl() {
    return Arbitraries.oneOf(
        dev.routellm.backend.UntrustedAnswerPropertiesAccess.mutated(VALID_JSONL),
        Arbitraries.strings().ofMaxLength(100));
  }

  @Provide
  Arbitrary<String> mutatedCascade() {
    return Arbitraries.oneOf(
        dev.routellm.backend.UntrustedAnswerPropertiesAccess.mutated(VALID_CASCADE_JSONL),
        dev.routellm.backend.UntrustedAnswerPropertiesAccess.mutated(VALID_CASCADE_CSV),
        Arbitraries.strings().ofMaxLength(100));
  }

  private static Path write(String extension, String content) throws IOException {
    Path file = dir.resolve("f" + FILES.incrementAndGet() + extension);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  /** What a read returned, or the InvalidFileException it threw (anything else fails the property). */
  private static Object outcome(Supplier<?> read) {
    try {
      return read.get();
    } catch (InvalidFileException e) {
      return e;
    }
  }
}
