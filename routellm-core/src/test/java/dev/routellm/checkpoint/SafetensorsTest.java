package dev.routellm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.InvalidFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafetensorsTest {
  @TempDir Path dir;

  /** A file built byte by byte the way the format specifies, independent of the writer. */
  private static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  private Path write(byte[] bytes) throws IOException {
    Path p = dir.resolve("model.safetensors");
    Files.write(p, bytes);
    return p;
  }

  @Test
  void write_thenRead_returnsSameTensorsInOrderAndMetadata() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("b", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    tensors.put("a", Tensor.of(new float[] {-0.5f}, 1));
    tensors.put("empty", Tensor.of(new float[0], 0, 4));
    Path p = dir.resolve("sub/x.safetensors");

    Safetensors.write(p, tensors, Map.of("models", "[\"x\"]"));
    Safetensors read = Safetensors.read(p);

    assertThat(read.tensors()).containsExactlyEntriesOf(tensors);
    assertThat(read.metadata()).containsExactlyEntriesOf(Map.of("models", "[\"x\"]"));
  }

  @Test
  void toBytes_padsHeaderToMultipleOfEight() {
    byte[] bytes = Safetensors.toBytes(Map.of("t", Tensor.of(new float[] {1}, 1)), Map.of());
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();

    assertThat(headerLength % 8).isZero();
    assertThat(bytes).hasSize((int) (8 + headerLength + 4));
  }

  @Test
  void read_handWrittenFile_decodesLittleEndianFloat32() throws IOException {
    String header = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],"
        + "\"data_offsets\":[0,8]}}";
    Safetensors st = Safetensors.read(write(file(header, floats(1.5f, -2.25f))));

    assertThat(st.tensor("w", 2).values()).containsExactly(1.5f, -2.25f);
    assertThat(st.metadata()).containsEntry("format", "pt");
  }

  @Test
  void read_halfAndBfloatAndDouble_convertsToFloat() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(2 + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
    data.putShort((short) 0x3E00); // F16 1.5
    data.putShort((short) 0xC010); // BF16 -2.25
    data.putDouble(0.1);
    String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]},"
        + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[4,12]}}";
    Safetensors st = Safetensors.read(write(file(header, data.array())));

    assertThat(st.tensor("h").get(0)).isEqualTo(1.5f);
    assertThat(st.tensor("b").get(0)).isEqualTo(-2.25f);
    assertThat(st.tensor("d").get(0)).isEqualTo(0.1f);
    assertThat(st.tensor("d").rank()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "unsupported dtype | {\"w\":{\"dtype\":\"I8\",\"shape\":[8],\"data_offsets\":[0,8]}} | dtype 'I8' is not supported",
    "missing dtype | {\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}} | field 'dtype' is missing",
    "bad shape | {\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}} | must hold integers >= 0",
    "size mismatch | {\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}} | needs 12",
    "beyond data | {\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}} | <= 8 (the data size)",
    "gap | {\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}} | belong to no tensor",
    "trailing | {\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} | tensors end at byte 4",
    "overlap | {\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}} | overlaps",
    "not json | {\"w\": | not valid JSON",
    "not object | [1,2] | must be a JSON object",
    "bad metadata | {\"__metadata__\":{\"a\":1},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} | must be a string",
  })
  void read_malformedHeader_namesFileAndProblem(String name, String header, String expected) throws IOException {
    Path p = write(file(header, floats(1, 2)));

    assertThatThrownBy(() -> Safetensors.read(p))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining(expected);
  }

  @Test
  void read_tooShort_saysSo() throws IOException {
    Path p = write(new byte[] {1, 2, 3});

    assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void read_headerLengthBeyondFile_saysTruncated() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
    Path p = write(b.array());

    assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("header length").hasMessageContaining("1000");
  }

  @Test
  void read_missingFile_isInvalidFile() {
    assertThatThrownBy(() -> Safetensors.read(dir.resolve("absent.safetensors")))
        .isInstanceOf(InvalidFileException.class).hasMessageContaining("absent.safetensors");
  }

  @Test
  void tensor_missingOrMisshapen_listsWhatIsThere() throws IOException {
    Safetensors.write(dir.resolve("m.safetensors"), Map.of("P.weight", Tensor.of(new float[6], 2, 3)), Map.of());
    Safetensors st = Safetensors.read(dir.resolve("m.safetensors"));

    assertThatThrownBy(() -> st.tensor("Q")).hasMessageContaining("no tensor 'Q'").hasMessageContaining("P.weight");
    assertThatThrownBy(() -> st.tensor("P.weight", 64, -1)).hasMessageContaining("[64, *]")
        .hasMessageContaining("[2, 3]");
    assertThat(st.tensor("P.weight", -1, 3).row(1)).hasSize(3);
  }

  @Test
  void write_reservedName_isRejected() {
    assertThatThrownBy(() -> Safetensors.toBytes(Map.of("__metadata__", Tensor.of(new float[1], 1)), Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tensorOf_wrongCount_isRejected() {
    assertThatThrownBy(() -> Tensor.of(new float[5], 2, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds 6 values but 5");
  }
}
