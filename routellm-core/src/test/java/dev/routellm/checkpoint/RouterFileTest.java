package dev.routellm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.InvalidFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterFileTest {
  @TempDir Path dir;

  @Test
  void write_thenRead_keepsEveryField() {
    RouterFile f = RouterFile.builder().kind("knn").embedder("minilm/256", 4).models("big", "small")
        .threshold(0.25).parameter("k", "7").tensor("targets", Tensor.of(new float[] {0.5f}, 1)).build();
    Path p = dir.resolve("r.safetensors");

    f.write(p);
    RouterFile r = RouterFile.read(p);

    assertThat(r.kind()).isEqualTo("knn");
    assertThat(r.embedderId()).isEqualTo("minilm/256");
    assertThat(r.dimension()).isEqualTo(4);
    assertThat(r.strongModel()).isEqualTo("big");
    assertThat(r.weakModel()).isEqualTo("small");
    assertThat(r.threshold()).hasValue(0.25);
    assertThat(r.parameter("k")).isEqualTo("7");
    assertThat(r.tensor("targets", 1).get(0)).isEqualTo(0.5f);
  }

  @Test
  void read_plainCheckpoint_saysItIsNotARouterFile() {
    Path p = dir.resolve("model.safetensors");
    Safetensors.write(p, Map.of("P.weight", Tensor.of(new float[2], 1, 2)), Map.of());

    assertThatThrownBy(() -> RouterFile.read(p)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("not a router file");
  }

  @Test
  void read_missingField_namesIt() {
    Path p = dir.resolve("r.safetensors");
    Safetensors.write(p, Map.of(), Map.of("format", RouterFile.FORMAT, "kind", "knn"));

    assertThatThrownBy(() -> RouterFile.read(p)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("embedder.id");
  }

  @Test
  void read_thresholdOutOfRange_isInvalidFile() {
    Path p = dir.resolve("r.safetensors");
    Safetensors.write(p, Map.of(), Map.of("format", RouterFile.FORMAT, "kind", "knn", "embedder.id", "e",
        "embedder.dimension", "3", "strong_model", "a", "weak_model", "b", "threshold", "1.5"));

    assertThatThrownBy(() -> RouterFile.read(p)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("threshold must be in [0, 1] but was 1.5");
  }

  @Test
  void build_withoutRequiredFields_fails() {
    assertThatThrownBy(() -> RouterFile.builder().kind("mf").build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void parameterAndTensor_absent_nameKindAndField() {
    RouterFile f = RouterFile.builder().kind("sw").embedder("e", 2).models("a", "b").build();

    assertThatThrownBy(() -> f.parameter("tiers")).hasMessageContaining("kind 'sw' lacks parameter 'tiers'");
    assertThatThrownBy(() -> f.tensor("embeddings", -1, 2)).hasMessageContaining("lacks tensor 'embeddings'");
  }

  private static RouterFile sample() {
    return RouterFile.builder().kind("knn").embedder("minilm/256", 2).models("big", "small").threshold(0.25)
        .parameter("k", "1").tensor("targets", Tensor.of(new float[] {0.5f, 0.25f}, 2)).build();
  }

  @Test
  void write_thenFlipAByteThatKeepsTheWeightFinite_readFailsTheChecksum() throws java.io.IOException {
    Path p = dir.resolve("r.safetensors");
    sample().write(p);
    byte[] bytes = java.nio.file.Files.readAllBytes(p);
    long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    bytes[(int) (8 + headerLength)] ^= 1; // lowest mantissa bit of the first value: 0.5 becomes 0.50000006
    java.nio.file.Files.write(p, bytes);

    assertThat(Safetensors.read(p).tensor("targets", 2).get(0)).isNotEqualTo(0.5f).isBetween(0.49f, 0.51f);
    assertThatThrownBy(() -> RouterFile.read(p)).isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(p + ": checksum mismatch: metadata 'checksum' records crc32c:");
  }

  @Test
  void read_metadataEditedAfterSaving_failsTheChecksum() {
    Path p = dir.resolve("r.safetensors");
    sample().write(p);
    Safetensors st = Safetensors.read(p);
    Map<String, String> meta = new java.util.LinkedHashMap<>(st.metadata());
    assertThat(meta.get(RouterFile.CHECKSUM_KEY)).matches("crc32c:[0-9a-f]{8}");
    meta.put(RouterFile.THRESHOLD_KEY, "0.35");
    Safetensors.write(p, st.tensors(), meta);

    assertThatThrownBy(() -> RouterFile.read(p)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void read_fileWithoutChecksum_isReadUnchecked() {
    Path p = dir.resolve("r.safetensors");
    sample().write(p);
    Safetensors st = Safetensors.read(p);
    Map<String, String> meta = new java.util.LinkedHashMap<>(st.metadata());
    meta.remove(RouterFile.CHECKSUM_KEY);
    meta.put(RouterFile.THRESHOLD_KEY, "0.35");
    Safetensors.write(p, st.tensors(), meta);

    assertThat(RouterFile.read(p).threshold()).hasValue(0.35);
  }

  @Test
  void tensor_withNonFiniteValue_namesFileTensorAndIndex() {
    Path p = dir.resolve("r.safetensors");
    sample().toBuilder().tensor("targets", Tensor.of(new float[] {0.5f, Float.POSITIVE_INFINITY}, 2)).build().write(p);
    RouterFile r = RouterFile.read(p);

    assertThatThrownBy(() -> r.tensor("targets", 2)).isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(p.toString())
        .hasMessageContaining("tensor 'targets' holds a non-finite value Infinity at index 1");
  }

  @Test
  void write_thenRead_keepsAPoolOfModelsInOrder() {
    RouterFile f = RouterFile.builder().kind("quality-knn").embedder("minilm/256", 2)
        .pool(java.util.List.of("gpt-4o", "gemini-1.5-flash", "llama \"3\"")).build();
    Path p = dir.resolve("pool.safetensors");

    f.write(p);
    RouterFile r = RouterFile.read(p);

    assertThat(r.isPool()).isTrue();
    assertThat(r.pool()).containsExactly("gpt-4o", "gemini-1.5-flash", "llama \"3\"");
    assertThat(r.strongModel()).isNull();
    assertThat(RouterFile.builder().kind("k").embedder("e", 1).models("a", "b").build().pool())
        .containsExactly("a", "b");
    assertThatThrownBy(() -> RouterFile.builder().pool(java.util.List.of("a", "a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
  }

  @Test
  void read_poolThatIsNotAJsonArrayOfNames_isInvalidFile() {
    Path p = dir.resolve("r.safetensors");
    Safetensors.write(p, Map.of(), Map.of("format", RouterFile.FORMAT, "kind", "quality-knn", "embedder.id", "e",
        "embedder.dimension", "3", "pool_models", "[\"a\", 3]"));

    assertThatThrownBy(() -> RouterFile.read(p)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("'pool_models' must be a non-empty JSON array of model names");
  }
}
