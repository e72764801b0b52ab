package dev.routellm.evaluation;

import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.prediction.WinRatePredictor;
import java.util.List;
import java.util.Objects;

/** The routing methods every registry has, and the adapter for pretrained predictors. */
final class StockMethods {
  static final RoutingMethod RANDOM = new RoutingMethod() {
    @Override
    public String name() {
      return "random";
    }

    @Override
    public Scorer fit(Dataset train, FitContext context) {
      Objects.requireNonNull(train, "train");
      return new PredictorScorer(RandomPredictor.withSeed(Objects.requireNonNull(context, "context").seed()));
    }

    @Override
    public String toString() {
      return "RoutingMethod{random}";
    }
  };

  static final RoutingMethod ORACLE = new RoutingMethod() {
    @Override
    public String name() {
      return "oracle";
    }

    @Override
    public Scorer fit(Dataset train, FitContext context) {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(context, "context");
      return Example::gain;
    }

    @Override
    public String toString() {
      return "RoutingMethod{oracle}";
    }
  };

  private StockMethods() {}

  /** A pretrained predictor: ignores the training set. */
  static final class Pretrained implements RoutingMethod {
    private final WinRatePredictor predictor;

    Pretrained(WinRatePredictor predictor) {
      this.predictor = predictor;
    }

    @Override
    public String name() {
      return predictor.name();
    }

    @Override
    public Scorer fit(Dataset train, FitContext context) {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(context, "context");
      return new PredictorScorer(predictor);
    }

    @Override
    public String toString() {
      return "RoutingMethod{pretrained " + predictor + "}";
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
