package dev.routellm.training;

import dev.routellm.data.BattleSet;
import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.ProgressListener;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.MatrixFactorization;
import dev.routellm.prediction.SimilarityWeightedRanking;
import dev.routellm.routing.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Trains the learned routers ({@link Learner}) on preference battles ({@link BattleSet}) instead of per-question
 * outcomes. Matrix factorization and similarity-weighted ranking learn from the battles of every model at once (one
 * vector, or one rating, per model), as RouteLLM trains them on Chatbot Arena; the other learners learn the chosen
 * pair's win rate on each prompt where the two battled ({@link BattleSet#toDataset}).
 *
 * <pre>{@code
 * BattleSet battles = BattleFiles.read(Path.of("battles.jsonl"));
 * List<float[]> embeddings = BattleLearning.embed(battles, embedder, ProgressListener.NONE);
 * EmbeddingScorer scorer = BattleLearning.fit(Learner.MF, battles, embeddings, "gpt-4o", "gpt-4o-mini", 42);
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class BattleLearning {
  private BattleLearning() {}

  /** The embeddings of the battles' prompts, in order, reported to {@code progress} as they are made. */
  public static List<float[]> embed(BattleSet battles, Embedder embedder, ProgressListener progress) {
    Objects.requireNonNull(battles, "battles");
    Objects.requireNonNull(embedder, "embedder");
    Objects.requireNonNull(progress, "progress");
    return LearnedMethods.embed(battles.prompts(), embedder, "embedding battle prompts", progress);
  }

  /**
   * Fits a learner on battles for one model pair.
   *
   * @param embeddings one embedding per prompt of {@code battles}, in order
   * @throws IllegalArgumentException when the sizes differ, a model of the pair never battles, or the learner cannot
   *     learn from these battles (MF with no decided battle; SW when the pair falls in one tier; the others when the
   *     pair never battles each other)
   */
  public static EmbeddingScorer fit(Learner learner, BattleSet battles, List<float[]> embeddings,
      String strongModel, String weakModel, long seed) {
    Objects.requireNonNull(learner, "learner");
    Objects.requireNonNull(battles, "battles");
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(strongModel, "strongModel");
    Objects.requireNonNull(weakModel, "weakModel");
    if (embeddings.size() != battles.prompts().size()) {
      throw new IllegalArgumentException("need one embedding per prompt (" + battles.prompts().size() + ") but got "
          + embeddings.size());
    }
    List<String> models = battles.models();
    for (String m : List.of(strongModel, weakModel)) {
      if (!models.contains(m)) {
        throw new IllegalArgumentException("model '" + m + "' appears in no battle; the battles' models are " + models);
      }
    }
    return switch (learner) {
      case MF -> matrixFactorization(battles, embeddings, seed).scorer(strongModel, weakModel);
      case SW -> SimilarityWeightedRanking.fit(embeddings, battles.battles(), strongModel, weakModel);
      default -> learner.fit(trainingSet(battles, embeddings, strongModel, weakModel), seed);
    };
  }

  /**
   * RouteLLM's matrix factorization over every model of the battles (ties dropped), with {@link Learner#MF}'s
   * settings and this seed: serve one pair with {@link MatrixFactorization#scorer}, or a pool with
   * {@link MatrixFactorization#qualityPredictor}.
   */
  public static MatrixFactorization matrixFactorization(BattleSet battles, List<float[]> embeddings, long seed) {
    Objects.requireNonNull(battles, "battles");
    Objects.requireNonNull(embeddings, "embeddings");
    return MatrixFactorizationTrainer.builder().seed(seed).epochs(Learner.MF_EPOCHS).build()
        .train(embeddings, battles.battles());
  }

  /** The pair's outcomes implied by the battles, on the prompts where the two battled, with their embeddings. */
  static TrainingSet trainingSet(BattleSet battles, List<float[]> embeddings, String strongModel, String weakModel) {
    Dataset pair = battles.toDataset("battles", strongModel, weakModel);
    List<float[]> e = new ArrayList<>(pair.size());
    for (Example ex : pair.examples()) {
      e.add(embeddings.get(Integer.parseInt(ex.id())));
    }
    return TrainingSet.of(pair.prompts(), e, pair.scores(Tier.STRONG), pair.scores(Tier.WEAK), null, strongModel,
        weakModel);
  }
}
