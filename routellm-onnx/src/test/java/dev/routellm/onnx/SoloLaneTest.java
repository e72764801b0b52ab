package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.data.Dataset;
import dev.routellm.data.RouteLlmBenchmarks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The solo lane (all cores for a call alone on the model) and the shared lane (one thread) give the same vectors. */
class SoloLaneTest {
  private static List<String> prompts;
  private static List<float[]> oneThread;

  /** RouteLLM prompts of every kind and length: MMLU questions, GSM8K problems, MT-Bench turns (long ones cut). */
  @BeforeAll
  static void setUp() {
    String dir = System.getProperty("routellm.data");
    assertThat(dir).as("system property routellm.data (../shared/data/routellm)").isNotNull();
    assertThat(Files.isDirectory(Path.of(dir))).as(dir).isTrue();
    Random random = new Random(4);
    prompts = new ArrayList<>();
    prompts.addAll(sample(RouteLlmBenchmarks.mmlu(Path.of(dir)), 60, random));
    prompts.addAll(sample(RouteLlmBenchmarks.gsm8k(Path.of(dir)), 30, random));
    prompts.addAll(sample(RouteLlmBenchmarks.mtBench(Path.of(dir)), 30, random));
    try (OnnxEmbedder e = embedder(1, 1)) {
      assertThat(e.model().hasSoloLane()).isFalse();
      oneThread = new ArrayList<>();
      for (String p : prompts) {
        oneThread.add(e.embed(p));
      }
    }
  }

  @AfterAll
  static void tearDown() {
    prompts = null;
    oneThread = null;
  }

  private static List<String> sample(Dataset d, int n, Random random) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(d.prompts().get(random.nextInt(d.size())));
    }
    return out;
  }

  private static OnnxEmbedder embedder(int shared, int solo) {
    return OnnxEmbedder.builder()
        .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
        .execution(ExecutionOptions.builder().intraOpThreads(shared).soloIntraOpThreads(solo).build())
        .build();
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4, 8})
  void embed_severalThreadsPerInference_bitIdenticalToOneThreadOnRouteLlmPrompts(int threads) {
    try (OnnxEmbedder e = embedder(threads, threads)) {
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(e.embed(prompts.get(i))).as("prompt %d with %d threads", i, threads).isEqualTo(oneThread.get(i));
      }
    }
  }

  @Test
  void embed_aloneOnIdleModel_runsOnSoloLaneWithSameVector() {
    try (OnnxEmbedder e = embedder(1, 2)) {
      assertThat(e.model().hasSoloLane()).isTrue();
      assertThat(e.embed(prompts.get(0))).isEqualTo(oneThread.get(0));
      assertThat(e.model().soloRuns()).isEqualTo(1);
    }
  }

  @Test
  void embedAll_parallelBulk_runsOnSharedLaneOnly() {
    try (OnnxEmbedder e =
        OnnxEmbedder.builder()
            .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
            .execution(ExecutionOptions.builder().soloIntraOpThreads(2).parallelism(2).build())
            .build()) {
      List<float[]> vectors = e.embedAll(prompts.subList(0, 20));
      assertThat(e.model().soloRuns()).isZero();
      for (int i = 0; i < 20; i++) {
        assertThat(vectors.get(i)).isEqualTo(oneThread.get(i));
      }
    }
  }

  @Test
  void embedAll_oneThreadAtATimeOnIdleModel_mixesLanesWithSameVectors() {
    try (OnnxEmbedder e =
        OnnxEmbedder.builder()
            .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
            .execution(ExecutionOptions.builder().soloIntraOpThreads(2).parallelism(1).build())
            .build()) {
      List<float[]> vectors = e.embedAll(prompts);
      // The policy tries both lanes (the solo one first, the shared one second), so both ran within this call.
      assertThat(e.model().soloRuns()).isBetween(1L, (long) prompts.size() - 1);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(vectors.get(i)).as("prompt %d", i).isEqualTo(oneThread.get(i));
      }
    }
  }

  @Test
  void embed_rightAfterAnotherThreadsCall_notIdleSoRunsOnSharedLane() throws Exception {
    try (OnnxEmbedder e = embedder(1, 2)) {
      e.model().turnWindowNanos(Long.MAX_VALUE / 4); // "right after" however slow this machine is
      Thread other = new Thread(() -> e.embed(prompts.get(1)));
      other.start();
      other.join();
      long before = e.model().idleRuns();
      long soloBefore = e.model().soloRuns();
      assertThat(e.embed(prompts.get(0))).isEqualTo(oneThread.get(0));
      assertThat(e.model().idleRuns()).as("callers taking turns: not idle").isEqualTo(before);
      assertThat(e.model().soloRuns()).as("so on the shared lane").isEqualTo(soloBefore);
      assertThat(e.embed(prompts.get(2))).isEqualTo(oneThread.get(2));
      assertThat(e.model().idleRuns()).as("the same caller again: idle, the policy chooses").isEqualTo(before + 1);
    }
  }

  @Test
  void embed_anotherThreadsCallLongAgo_idleSoThePolicyChooses() throws Exception {
    try (OnnxEmbedder e = embedder(1, 2)) {
      e.model().turnWindowNanos(0); // any earlier call counts as long ago
      Thread other = new Thread(() -> e.embed(prompts.get(1)));
      other.start();
      other.join();
      long before = e.model().idleRuns();
      e.embed(prompts.get(0));
      assertThat(e.model().idleRuns()).isEqualTo(before + 1);
    }
  }

  @Test
  void lengthRange_boundariesInclusive() {
    assertThat(TransformerModel.lengthRange(1)).isZero();
    assertThat(TransformerModel.lengthRange(32)).isZero();
    assertThat(TransformerModel.lengthRange(33)).isEqualTo(1);
    assertThat(TransformerModel.lengthRange(128)).isEqualTo(1);
    assertThat(TransformerModel.lengthRange(129)).isEqualTo(2);
    assertThat(TransformerModel.lengthRange(100_000)).isEqualTo(2);
  }

  @Test
  void soloThreadsNotAboveShared_noSoloLane() {
    try (OnnxEmbedder e = embedder(2, 2)) {
      assertThat(e.model().hasSoloLane()).isFalse();
      e.embed("one session only");
      assertThat(e.model().soloRuns()).isZero();
    }
  }
}
