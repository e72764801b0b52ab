package dev.routellm.training;

import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.FitContext;
import dev.routellm.evaluation.ProgressListener;
import dev.routellm.evaluation.RoutingMethod;
import dev.routellm.evaluation.RoutingMethods;
import dev.routellm.evaluation.Scorer;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.routing.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The learned routers ({@link Learner}) as evaluation methods: for each fold, the training prompts are embedded, the
 * learner is fitted on them, and the held-out prompts are embedded and scored. The scorer sees only the prompt: a
 * dataset's groups (MMLU subjects) are used for training targets, never for scoring.
 *
 * <p>The embedder comes from a supplier, called on the first fit, so that listing the methods costs nothing; wrap it
 * in a {@link dev.routellm.embedding.CachingEmbedder} to embed each prompt once across folds and runs.
 */
public final class LearnedMethods {
  /** Prompts embedded per progress report. */
  static final int CHUNK = 256;

  private LearnedMethods() {}

  /** Adds every {@link Learner} to a registry under its id. */
  public static RoutingMethods.Builder addAll(RoutingMethods.Builder registry, Supplier<? extends Embedder> embedder) {
    Objects.requireNonNull(registry, "registry");
    Supplier<Embedder> shared = memoize(embedder);
    for (Learner l : Learner.values()) {
      registry.add(of(l, shared));
    }
    return registry;
  }

  /** One learner as a routing method. */
  public static RoutingMethod of(Learner learner, Supplier<? extends Embedder> embedder) {
    Objects.requireNonNull(learner, "learner");
    Objects.requireNonNull(embedder, "embedder");
    return new RoutingMethod() {
      @Override
      public String name() {
        return learner.id();
      }

      @Override
      public Scorer fit(Dataset train, FitContext context) {
        if (train.isEmpty()) {
          throw new dev.routellm.ConfigurationException("router '" + learner.id() + "' learns from data: evaluate it"
              + " with --folds 2 or more");
        }
        Embedder e = embedder.get();
        TrainingSet set = trainingSet(train, e, context.progress());
        EmbeddingScorer scorer = learner.fit(set, context.seed());
        return new Scorer() {
          @Override
          public double score(Example example) {
            return scorer.score(example.prompt(), e.embed(example.prompt()));
          }

          @Override
          public double[] scoreAll(List<Example> examples, String stage, ProgressListener progress) {
            List<String> prompts = new ArrayList<>(examples.size());
            for (Example ex : examples) {
              prompts.add(ex.prompt());
            }
            return scorer.scoreAll(prompts, embed(prompts, e, stage, progress));
          }
        };
      }

      @Override
      public String toString() {
        return "LearnedMethod{" + learner.id() + "}";
      }
    };
  }

  /** A training set from a dataset: its prompts embedded, both models' scores, its groups. */
  public static TrainingSet trainingSet(Dataset data, Embedder embedder, ProgressListener progress) {
    List<String> groups = new ArrayList<>(data.size());
    for (Example ex : data.examples()) {
      groups.add(ex.group().orElse(null));
    }
    return TrainingSet.of(data.prompts(), embed(data.prompts(), embedder, "embedding training prompts", progress),
        data.scores(Tier.STRONG), data.scores(Tier.WEAK), groups, data.strongModel(), data.weakModel());
  }

  static List<float[]> embed(List<String> prompts, Embedder embedder, String stage,
      ProgressListener progress) {
    List<float[]> out = new ArrayList<>(prompts.size());
    for (int from = 0; from < prompts.size(); from += CHUNK) {
      out.addAll(embedder.embedAll(prompts.subList(from, Math.min(prompts.size(), from + CHUNK))));
      progress.progress(stage, out.size(), prompts.size());
    }
    return out;
  }

  private static Supplier<Embedder> memoize(Supplier<? extends Embedder> supplier) {
    Objects.requireNonNull(supplier, "embedder");
    return new Supplier<>() {
      private Embedder value;

      @Override
      public synchronized Embedder get() {
        if (value == null) {
          value = Objects.requireNonNull(supplier.get(), "embedder supplier returned null");
        }
        return value;
      }
    };
  }
}
