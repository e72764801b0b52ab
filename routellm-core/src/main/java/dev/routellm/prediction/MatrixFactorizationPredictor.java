package dev.routellm.prediction;

import dev.routellm.embedding.Embedder;
import java.util.List;
import java.util.Objects;

/**
 * A matrix factorization's predictions for a pool of N models ({@link MatrixFactorization#qualityPredictor}): each
 * model's average probability of beating the other models of the pool on the prompt. The checkpoint holds one vector
 * per model, so one matrix-vector product per prompt scores every model.
 *
 * <p>Immutable and thread-safe when its embedder is (every library embedder is). It does not own the embedder.
 */
public final class MatrixFactorizationPredictor implements QualityPredictor {
  private final Embedder embedder;
  private final List<String> models;
  private final float[][] vectors; // u_m per model of the pool

  MatrixFactorizationPredictor(Embedder embedder, List<String> models, float[][] vectors) {
    this.embedder = embedder;
    this.models = models;
    this.vectors = vectors;
  }

  @Override
  public String name() {
    return MatrixFactorization.KIND;
  }

  @Override
  public List<String> models() {
    return models;
  }

  @Override
  public double[] predict(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    return predict(embedder.embed(prompt));
  }

  @Override
  public double[][] predictAll(List<String> prompts) {
    Objects.requireNonNull(prompts, "prompts");
    List<float[]> embeddings = embedder.embedAll(prompts);
    double[][] out = new double[embeddings.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = predict(embeddings.get(i));
    }
    return out;
  }

  /**
   * Predicted quality of each model of the pool for a prompt's embedding.
   *
   * @throws IllegalArgumentException when the embedding has the wrong length or a non-finite value
   */
  public double[] predict(float[] embedding) {
    Objects.requireNonNull(embedding, "embedding");
    int n = vectors.length;
    Vectors.checkDimension(embedding, vectors[0].length, "embedding");
    double[] d = new double[n];
    for (int m = 0; m < n; m++) {
      d[m] = Vectors.dot(vectors[m], embedding, 0, embedding.length);
    }
    double[] quality = new double[n];
    for (int m = 0; m < n; m++) {
      for (int o = m + 1; o < n; o++) {
        double p = Vectors.sigmoid(d[m] - d[o]);
        quality[m] += p;
        quality[o] += 1 - p;
      }
    }
    for (int m = 0; m < n; m++) {
      quality[m] /= n - 1;
    }
    return quality;
  }

  @Override
  public String toString() {
    return "MatrixFactorizationPredictor{" + models.size() + " models, embedder=" + embedder.id() + "}";
  }
}
