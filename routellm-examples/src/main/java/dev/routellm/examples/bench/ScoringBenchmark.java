package dev.routellm.examples.bench;

import dev.routellm.checkpoint.Tensor;
import dev.routellm.prediction.Battle;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.MatrixFactorization;
import dev.routellm.prediction.NearestNeighbors;
import dev.routellm.prediction.SimilarityWeightedRanking;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scoring alone, given an embedding: matrix factorization (a RouteLLM-shaped checkpoint, 64 models, hidden 128,
 * collapsed to one vector), k-nearest neighbours and similarity-weighted ranking over a training set the size of
 * MMLU's folds (11,230 prompts). Vectors are random: the cost does not depend on their values.
 *
 * <pre>
 * java -cp routellm-examples/target/routellm.jar org.openjdk.jmh.Main ScoringBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScoringBenchmark {
  /** Embedding dimension: 384 for MiniLM/BGE-small, 1536 for OpenAI's text-embedding-3-small (RouteLLM's). */
  @Param({"384", "1536"})
  public int dimension;

  /** Training prompts for kNN and SW. */
  @Param({"11230"})
  public int prompts;

  private EmbeddingScorer mf;
  private EmbeddingScorer knn;
  private EmbeddingScorer sw;
  private float[][] queries;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    Random r = new Random(1);
    List<String> models = MatrixFactorization.ROUTELLM_MODELS;
    mf = MatrixFactorization.fromTensors(models, Tensor.of(gaussian(r, models.size() * 128), models.size(), 128),
        Tensor.of(gaussian(r, 128 * dimension), 128, dimension), Tensor.of(gaussian(r, 128), 1, 128))
        .scorer("gpt-4-1106-preview", "mixtral-8x7b-instruct-v0.1");
    List<float[]> train = new ArrayList<>();
    double[] targets = new double[prompts];
    List<Battle> battles = new ArrayList<>();
    for (int i = 0; i < prompts; i++) {
      train.add(gaussian(r, dimension));
      int gain = r.nextInt(10) < 2 ? 1 : r.nextInt(10) < 1 ? -1 : 0;
      targets[i] = (1 + gain) / 2.0;
      battles.add(Battle.fromOutcome(i, "strong", "weak", gain > 0 ? 1 : 0, gain < 0 ? 1 : 0));
    }
    knn = NearestNeighbors.fit(train, targets, NearestNeighbors.DEFAULT_K);
    sw = SimilarityWeightedRanking.fit(train, battles, "strong", "weak");
    queries = new float[64][];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = gaussian(r, dimension);
    }
  }

  private static float[] gaussian(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private float[] query() {
    next = (next + 1) & 63;
    return queries[next];
  }

  @Benchmark
  public double matrixFactorization() {
    return mf.score(query());
  }

  @Benchmark
  public double nearestNeighbors() {
    return knn.score(query());
  }

  @Benchmark
  public double similarityWeightedRanking() {
    return sw.score(query());
  }
}
