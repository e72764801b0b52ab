package dev.routellm.prediction;

import dev.routellm.embedding.Embedder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** A deterministic embedder for tests: a seeded Gaussian vector per text (equal texts, equal vectors). */
final class FakeEmbedder implements Embedder {
  private final String id;
  private final int dimension;

  FakeEmbedder(String id, int dimension) {
    this.id = id;
    this.dimension = dimension;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public float[] embed(String text) {
    Random r = new Random(java.util.Arrays.hashCode(text.getBytes(StandardCharsets.UTF_8)));
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
