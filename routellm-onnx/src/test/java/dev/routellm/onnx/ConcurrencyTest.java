package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {
  private static final int THREADS = 4;
  private static List<String> texts;
  private static List<float[]> expected;
  private static ExecutorService pool;

  @BeforeAll
  static void setUp() {
    texts = OnnxEmbedderTest.prompts();
    try (OnnxEmbedder reference = OnnxEmbedder.allMiniLmL6V2()) {
      expected = new ArrayList<>();
      for (String t : texts) {
        expected.add(reference.embed(t));
      }
    }
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterAll
  static void tearDown() {
    pool.shutdownNow();
  }

  @Test
  void embed_manyThreadsOnOneInstance_sameVectorsAsOneThread() throws Exception {
    try (OnnxEmbedder shared = OnnxEmbedder.allMiniLmL6V2()) {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int offset = t;
        futures.add(
            pool.submit(
                () -> {
                  int checked = 0;
                  for (int i = 0; i < 40; i++) {
                    int k = (i + offset) % texts.size();
                    assertThat(shared.embed(texts.get(k))).isEqualTo(expected.get(k));
                    checked++;
                  }
                  return checked;
                }));
      }
      for (Future<Integer> f : futures) {
        assertThat(f.get(2, TimeUnit.MINUTES)).isEqualTo(40);
      }
    }
  }

  @Test
  void embedAll_anyParallelism_sameVectorsInOrder() {
    for (int parallelism : new int[] {1, 3}) {
      try (OnnxEmbedder e =
          OnnxEmbedder.builder()
              .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
              .execution(ExecutionOptions.builder().parallelism(parallelism).intraOpThreads(2).build())
              .build()) {
        List<float[]> vectors = e.embedAll(texts);
        for (int i = 0; i < texts.size(); i++) {
          assertThat(vectors.get(i)).as("parallelism %d, text %d", parallelism, i).isEqualTo(expected.get(i));
        }
      }
    }
  }

  @Test
  void embedAll_severalInvalidTextsInParallel_reportsLowestIndex() {
    List<String> withBlanks = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      withBlanks.add(i == 7 || i == 3 || i == 31 ? " " : "text number " + i);
    }
    try (OnnxEmbedder e =
        OnnxEmbedder.builder()
            .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
            .execution(ExecutionOptions.builder().parallelism(4).build())
            .build()) {
      for (int attempt = 0; attempt < 5; attempt++) {
        assertThatThrownBy(() -> e.embedAll(withBlanks))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("text at index 3 ");
      }
    }
  }

  @Test
  void close_whileOtherThreadsEmbed_eachCallSucceedsOrReportsClosed() throws Exception {
    OnnxEmbedder shared = OnnxEmbedder.allMiniLmL6V2();
    CountDownLatch warmedUp = new CountDownLatch(THREADS * 5);
    AtomicInteger succeeded = new AtomicInteger();
    List<Future<String>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int offset = t;
      futures.add(
          pool.submit(
              () -> {
                for (int i = 0; ; i++) {
                  int k = (i + offset) % texts.size();
                  float[] v;
                  try {
                    v = i % 3 == 0 ? shared.embedAll(List.of(texts.get(k))).get(0) : shared.embed(texts.get(k));
                  } catch (IllegalStateException closed) {
                    return closed.getMessage();
                  }
                  assertThat(v).isEqualTo(expected.get(k));
                  succeeded.incrementAndGet();
                  warmedUp.countDown();
                }
              }));
    }
    assertThat(warmedUp.await(2, TimeUnit.MINUTES)).isTrue();
    shared.close();
    for (Future<String> f : futures) {
      assertThat(f.get(2, TimeUnit.MINUTES)).contains("closed");
    }
    assertThat(succeeded.get()).isGreaterThanOrEqualTo(THREADS * 5);
    shared.close(); // still idempotent after a contended close
  }
}
