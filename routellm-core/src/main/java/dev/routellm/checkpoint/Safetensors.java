package dev.routellm.checkpoint;

import dev.routellm.internal.BoundedFiles;
import dev.routellm.InvalidFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format: an 8-byte
 * little-endian header length, a JSON header mapping each tensor name to its {@code dtype}, {@code shape} and
 * {@code data_offsets} (relative to the end of the header), an optional {@code __metadata__} map of strings, then the
 * raw little-endian data. This is how PyTorch's {@code PyTorchModelHubMixin} saves RouteLLM's checkpoints, and how this
 * library saves the models it trains, so both load the same way.
 *
 * <p>Reading accepts {@code F32}, {@code F64}, {@code F16} and {@code BF16} tensors and returns them as float32; it
 * checks the header, every dtype, shape and offset, and that the tensors tile the data exactly (no overlap, no gap, no
 * trailing bytes), and names the file and the tensor at fault. Writing produces {@code F32} tensors in the order
 * given, with the header padded with spaces to a multiple of 8 bytes as the reference implementation does.
 *
 * <p>An instance is an immutable, thread-safe view of a read file.
 */
public final class Safetensors {
  /** The key of the optional string-to-string metadata map in the header. */
  public static final String METADATA_KEY = "__metadata__";

  /**
   * Files above this size are refused before they are read ({@value} bytes, 1 GiB: 268 million float32 values, far
   * above any router); so are files above half the JVM's maximum heap, directories, FIFOs and devices.
   */
  public static final long MAX_FILE_BYTES = BoundedFiles.MAX_DATA_BYTES;

  /** Headers above this size are refused, as the reference implementation does. */
  static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final String source;
  private final Map<String, Tensor> tensors;
  private final Map<String, String> metadata;

  private Safetensors(String source, Map<String, Tensor> tensors, Map<String, String> metadata) {
    this.source = source;
    this.tensors = Collections.unmodifiableMap(tensors);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  /**
   * Reads a safetensors file.
   *
   * @throws InvalidFileException when the file cannot be read or is not a valid safetensors file; the message names
   *     the file, the tensor and the field at fault
   */
  public static Safetensors read(Path file) {
    Objects.requireNonNull(file, "file");
    byte[] bytes = BoundedFiles.readAllBytes(file, MAX_FILE_BYTES, "safetensors file");
    return parse(bytes, problem -> InvalidFileException.of(file, problem), file.toString());
  }

  /**
   * Reads safetensors from memory (for example a classpath resource); {@code name} identifies it in error messages.
   *
   * @throws InvalidFileException when the bytes are not a valid safetensors file
   */
  public static Safetensors read(byte[] bytes, String name) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(name, "name");
    return parse(bytes, problem -> InvalidFileException.ofResource(name, problem, null), name);
  }

  private interface Problem {
    InvalidFileException at(String problem);
  }

  private static Safetensors parse(byte[] bytes, Problem problem, String source) {
    if (bytes.length < 8) {
      throw problem.at("too short to be a safetensors file (" + bytes.length + " bytes; the header length alone"
          + " takes 8)");
    }
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength <= 0 || headerLength > bytes.length - 8L || headerLength > MAX_HEADER_BYTES) {
      throw problem.at("header length must be in [1, " + Math.min(bytes.length - 8L, MAX_HEADER_BYTES)
          + "] but was " + headerLength + " (not a safetensors file, or truncated)");
    }
    int dataStart = 8 + (int) headerLength;
    JsonNode header;
    try {
      header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      throw problem.at("header is not valid JSON: " + e.getOriginalMessage());
    }
    if (header == null || !header.isObject()) {
      throw problem.at("header must be a JSON object");
    }
    long dataLength = bytes.length - (long) dataStart;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : header.properties()) {
      String name = field.getKey();
      JsonNode node = field.getValue();
      if (METADATA_KEY.equals(name)) {
        readMetadata(node, metadata, problem);
      } else {
        entries.add(readEntry(name, node, dataLength, problem));
      }
    }
    checkTiling(entries, dataLength, problem);
    ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Entry e : entries) {
      tensors.put(e.name, Tensor.wrap(e.dtype.decode(data, dataStart + (int) e.begin, (int) e.count), e.shape));
    }
    return new Safetensors(source, tensors, metadata);
  }

  private static void readMetadata(JsonNode node, Map<String, String> out, Problem problem) {
    if (!node.isObject()) {
      throw problem.at("'" + METADATA_KEY + "' must be an object of strings but was " + node.getNodeType());
    }
    for (Map.Entry<String, JsonNode> m : node.properties()) {
      if (!m.getValue().isString()) {
        throw problem.at("'" + METADATA_KEY + "." + m.getKey() + "' must be a string but was "
            + m.getValue().getNodeType());
      }
      out.put(m.getKey(), m.getValue().stringValue());
    }
  }

  private record Entry(String name, Dtype dtype, int[] shape, long count, long begin, long end) {}

  private static Entry readEntry(String name, JsonNode node, long dataLength, Problem problem) {
    String at = "tensor '" + name + "'";
    if (!node.isObject()) {
      throw problem.at(at + " must be an object with dtype, shape and data_offsets");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isString()) {
      throw problem.at(at + ": field 'dtype' is missing or not a string");
    }
    Dtype dtype = Dtype.parse(dtypeNode.stringValue());
    if (dtype == null) {
      throw problem.at(at + ": dtype '" + dtypeNode.stringValue() + "' is not supported (supported: "
          + Arrays.toString(Dtype.values()) + ")");
    }
    JsonNode shapeNode = node.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw problem.at(at + ": field 'shape' is missing or not an array");
    }
    int[] shape = new int[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToInt() || !d.isIntegralNumber() || d.intValue() < 0) {
        throw problem.at(at + ": shape " + shapeNode + " must hold integers >= 0");
      }
      shape[i] = d.intValue();
    }
    long count;
    try {
      count = Tensor.elementCount(shape);
    } catch (ArithmeticException e) {
      throw problem.at(at + ": shape " + shapeNode + " is too large");
    }
    JsonNode offsets = node.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
        || !offsets.get(1).isIntegralNumber()) {
      throw problem.at(at + ": field 'data_offsets' must be [begin, end]");
    }
    long begin = offsets.get(0).longValue();
    long end = offsets.get(1).longValue();
    if (begin < 0 || end < begin || end > dataLength) {
      throw problem.at(at + ": data_offsets [" + begin + ", " + end + "] must satisfy 0 <= begin <= end <= "
          + dataLength + " (the data size)");
    }
    if (end - begin != count * dtype.bytes) {
      throw problem.at(at + ": data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes but shape "
          + Arrays.toString(shape) + " of " + dtype + " needs " + count * dtype.bytes);
    }
    return new Entry(name, dtype, shape, count, begin, end);
  }

  private static void checkTiling(List<Entry> entries, long dataLength, Problem problem) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long position = 0;
    String previous = null;
    for (Entry e : sorted) {
      if (e.begin < position) {
        throw problem.at("tensor '" + e.name + "' (offsets " + e.begin + ".." + e.end + ") overlaps tensor '"
            + previous + "'");
      }
      if (e.begin > position) {
        throw problem.at("bytes " + position + ".." + e.begin + " of the data belong to no tensor (before tensor '"
            + e.name + "')");
      }
      position = e.end;
      previous = e.name;
    }
    if (position != dataLength) {
      throw problem.at("the data holds " + dataLength + " bytes but the tensors end at byte " + position);
    }
  }

  /**
   * Writes tensors as float32, in iteration order, with optional string metadata. The file is written to a temporary
   * sibling first and moved into place, so readers never see half a file.
   *
   * @throws IllegalArgumentException when a tensor is named {@value #METADATA_KEY} or the name is blank
   * @throws UncheckedIOException when the file cannot be written
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    Objects.requireNonNull(file, "file");
    byte[] bytes = toBytes(tensors, metadata);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      try {
        Files.write(tmp, bytes);
        // Temporary files are private to their owner; a model file is not.
        if (Files.getFileAttributeView(tmp, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
          Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write safetensors file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The bytes of a safetensors file holding these tensors (float32) and metadata. */
  public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
    Objects.requireNonNull(tensors, "tensors");
    Objects.requireNonNull(metadata, "metadata");
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject(METADATA_KEY);
      metadata.forEach((k, v) -> meta.put(Objects.requireNonNull(k, "metadata key"),
          Objects.requireNonNull(v, () -> "metadata value of " + k)));
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "tensor name");
      Tensor t = Objects.requireNonNull(e.getValue(), () -> "tensor " + name);
      if (name.isBlank() || METADATA_KEY.equals(name)) {
        throw new IllegalArgumentException("invalid tensor name '" + name + "'");
      }
      ObjectNode node = header.putObject(name);
      node.put("dtype", Dtype.F32.name());
      var shape = node.putArray("shape");
      for (int d : t.shape()) {
        shape.add(d);
      }
      long end = offset + 4L * t.size();
      node.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    long total = 8L + padded + offset;
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensors too large for one file: " + total + " bytes");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded);
    out.put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (Tensor t : tensors.values()) {
      for (float v : t.raw()) {
        out.putFloat(v);
      }
    }
    return out.array();
  }

  /** Where this was read from. */
  public String source() {
    return source;
  }

  /** Every tensor by name, in the order of their data (unmodifiable). */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  /** The header's {@value #METADATA_KEY} map, empty when absent (unmodifiable). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The tensor with this name, checked against an expected shape; {@code -1} in {@code expectedShape} matches any
   * size.
   *
   * @throws InvalidFileException when the tensor is missing (the message lists those present) or has another shape
   */
  public Tensor tensor(String name, int... expectedShape) {
    Objects.requireNonNull(name, "name");
    Tensor t = tensors.get(name);
    if (t == null) {
      throw InvalidFileException.ofResource(source, "has no tensor '" + name + "' (tensors present: "
          + tensors.keySet() + ")", null);
    }
    if (expectedShape.length > 0 && !t.hasShape(expectedShape)) {
      throw InvalidFileException.ofResource(source, "tensor '" + name + "' must have shape "
          + Tensor.pattern(expectedShape) + " but has " + Arrays.toString(t.shape()), null);
    }
    return t;
  }

  /** The element types this reader understands. */
  private enum Dtype {
    F32(4),
    F64(8),
    F16(2),
    BF16(2);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }

    static Dtype parse(String s) {
      for (Dtype d : values()) {
        if (d.name().equals(s)) {
          return d;
        }
      }
      return null;
    }

    float[] decode(ByteBuffer data, int start, int count) {
      float[] out = new float[count];
      for (int i = 0; i < count; i++) {
        int at = start + i * bytes;
        out[i] = switch (this) {
          case F32 -> data.getFloat(at);
          case F64 -> (float) data.getDouble(at);
          case F16 -> halfToFloat(data.getShort(at));
          case BF16 -> Float.intBitsToFloat((data.getShort(at) & 0xffff) << 16);
        };
      }
      return out;
    }

    private static float halfToFloat(short h) {
      int bits = h & 0xffff;
      int sign = (bits & 0x8000) << 16;
      int exp = (bits >>> 10) & 0x1f;
      int mant = bits & 0x3ff;
      if (exp == 0x1f) {
        return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
      }
      if (exp == 0) {
        float v = mant * 0x1p-24f;
        return sign == 0 ? v : -v;
      }
      return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
  }
}
