package dev.routellm.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchingEmbedderTest {
  /** Records batch sizes; the first batch blocks until released, so that others queue behind it. */
  static final class GatedEmbedder implements Embedder {
    final List<Integer> batches = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public String id() {
      return "gated";
    }

    @Override
    public int dimension() {
      return 1;
    }

    @Override
    public float[] embed(String text) {
      return embedAll(List.of(text)).get(0);
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
      batches.add(texts.size());
      entered.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (texts.contains("boom")) {
        throw new IllegalStateException("model failed on boom");
      }
      List<float[]> out = new ArrayList<>();
      for (String t : texts) {
        out.add(new float[] {t.length()});
      }
      return out;
    }
  }

  @Test
  void embed_concurrentCallersWhileBusy_areEmbeddedInOneBatch() throws Exception {
    GatedEmbedder inner = new GatedEmbedder();
    BatchingEmbedder batching = BatchingEmbedder.of(inner, 16, 1);
    ExecutorService pool = Executors.newFixedThreadPool(9);
    try {
      Future<float[]> first = pool.submit(() -> batching.embed("x"));
      inner.entered.await(10, TimeUnit.SECONDS);
      List<Future<float[]>> rest = new ArrayList<>();
      for (int i = 1; i <= 8; i++) {
        String text = "y".repeat(i);
        rest.add(pool.submit(() -> batching.embed(text)));
      }
      // Wait until all eight are queued behind the busy runner, then let it go.
      while (batching.queued() < 8) {
        Thread.onSpinWait();
      }
      inner.release.countDown();

      assertThat(first.get(10, TimeUnit.SECONDS)).containsExactly(1);
      for (int i = 0; i < 8; i++) {
        assertThat(rest.get(i).get(10, TimeUnit.SECONDS)).containsExactly(i + 1);
      }
      assertThat(inner.batches).containsExactly(1, 8);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void embed_failingBatch_failsEachCallerWithTheCause() {
    GatedEmbedder inner = new GatedEmbedder();
    inner.release.countDown();
    BatchingEmbedder batching = BatchingEmbedder.of(inner, 4, 2);

    assertThatThrownBy(() -> batching.embed("boom")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("boom");
    assertThat(batching.embed("ok")).containsExactly(2);
  }

  @Test
  void embedAll_chunksByMaxBatch() {
    GatedEmbedder inner = new GatedEmbedder();
    inner.release.countDown();

    assertThat(BatchingEmbedder.of(inner, 2, 1).embedAll(List.of("a", "bb", "ccc"))).hasSize(3);
    assertThat(inner.batches).containsExactly(2, 1);
    assertThatThrownBy(() -> BatchingEmbedder.of(inner, 0, 1)).hasMessageContaining("maxBatch");
  }
}
