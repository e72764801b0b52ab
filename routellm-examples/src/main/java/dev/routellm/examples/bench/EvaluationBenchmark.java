package dev.routellm.examples.bench;

import dev.routellm.data.Dataset;
import dev.routellm.data.RouteLlmBenchmarks;
import dev.routellm.evaluation.CurveMetrics;
import dev.routellm.evaluation.Evaluation;
import dev.routellm.evaluation.RoutingCurves;
import dev.routellm.prediction.RandomPredictor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to turn a precomputed score vector over MMLU (14,037 questions) into curves and metrics: the target is well
 * under 50 ms. Three peers in one run:
 *
 * <ul>
 *   <li>{@code sortScores}: sorting a copy of the scores, the floor any threshold sweep pays;
 *   <li>{@code routerCurves}: the router's exact curve, its 1% grid and RouteLLM's 11 points, with both grids'
 *       APGR and CPT(20/50/80%);
 *   <li>{@code fullEvaluation}: all of that plus the random and oracle references and the cost saving vs random, as
 *       {@code routellm eval} computes per run.
 * </ul>
 *
 * <p>Run from the repository root, with the data beside it:
 * {@code java -cp routellm-examples/target/routellm.jar org.openjdk.jmh.Main EvaluationBenchmark}
 * (add {@code -p data=DIR} for another data directory).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EvaluationBenchmark {
  /** RouteLLM's benchmark data directory. */
  @Param("../shared/data/routellm")
  public String data;

  private Dataset mmlu;
  private double[] scores;

  @Setup
  public void load() {
    mmlu = RouteLlmBenchmarks.mmlu(Path.of(data));
    scores = RandomPredictor.withSeed(42).scoreAll(mmlu.prompts());
  }

  @Benchmark
  public double sortScores() {
    double[] copy = scores.clone();
    Arrays.sort(copy);
    return copy[copy.length / 2];
  }

  @Benchmark
  public double routerCurves() {
    RoutingCurves curves = RoutingCurves.of(mmlu, scores);
    return sum(curves.fineGrid().metrics()) + sum(curves.routeLlm().metrics());
  }

  @Benchmark
  public double fullEvaluation() {
    Evaluation e = Evaluation.ofScores(mmlu, "random", scores);
    return sum(e.metrics()) + sum(e.routeLlmMetrics()) + sum(e.oracle().fineGrid().metrics())
        + sum(e.oracle().routeLlm().metrics()) + sum(e.random().fineGrid().metrics())
        + e.costSavingVsRandom(0.5) + e.costSavingVsRandom(0.8);
  }

  private static double sum(CurveMetrics m) {
    return m.apgr() + m.cpt20() + m.cpt50() + m.cpt80();
  }
}
