package dev.routellm.evaluation;

import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.prediction.WinRatePredictor;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** The routing methods every registry has, and the adapter for pretrained predictors. */
final class StockMethods {
  static final RoutingMethod RANDOM =
      new Untrained("random", context -> new PredictorScorer(RandomPredictor.withSeed(context.seed())));

  static final RoutingMethod ORACLE = new Untrained("oracle", context -> Example::gain);

  private StockMethods() {}

  static RoutingMethod pretrained(WinRatePredictor predictor) {
    return new Untrained(predictor.name(), context -> new PredictorScorer(predictor));
  }

  /** A method that ignores its training set. */
  private static final class Untrained implements RoutingMethod {
    private final String name;
    private final Function<FitContext, Scorer> scorer;

    Untrained(String name, Function<FitContext, Scorer> scorer) {
      this.name = name;
      this.scorer = scorer;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Scorer fit(Dataset train, FitContext context) {
      Objects.requireNonNull(train, "train");
      return scorer.apply(Objects.requireNonNull(context, "context"));
    }

    @Override
    public String toString() {
      return "RoutingMethod{" + name + "}";
    }
  }

  /** Scores an example's routing prompt, in batches through {@link WinRatePredictor#scoreAll(List)}. */
  private static final class PredictorScorer implements Scorer {
    private final WinRatePredictor predictor;

    PredictorScorer(WinRatePredictor predictor) {
      this.predictor = predictor;
    }

    @Override
    public double score(Example example) {
      return predictor.score(example.prompt());
    }

    @Override
    public double[] scoreAll(List<Example> examples, String stage, ProgressListener progress) {
      Objects.requireNonNull(examples, "examples");
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(progress, "progress");
      double[] scores = new double[examples.size()];
      for (int from = 0; from < scores.length; from += PROGRESS_EVERY) {
        int to = Math.min(scores.length, from + PROGRESS_EVERY);
        List<String> prompts = examples.subList(from, to).stream().map(Example::prompt).toList();
        double[] batch = predictor.scoreAll(prompts);
        if (batch.length != prompts.size()) {
          throw new IllegalStateException("predictor '" + predictor.name() + "' returned " + batch.length
              + " scores for " + prompts.size() + " prompts");
        }
        System.arraycopy(batch, 0, scores, from, batch.length);
        progress.progress(stage, to, scores.length);
      }
      if (scores.length == 0) {
        progress.progress(stage, 0, 0);
      }
      return scores;
    }
  }
}
