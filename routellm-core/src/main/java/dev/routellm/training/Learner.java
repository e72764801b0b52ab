package dev.routellm.training;

import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.LengthAwareNeighbors;
import dev.routellm.prediction.LexicalNeighbors;
import dev.routellm.prediction.LinearRegressionScorer;
import dev.routellm.prediction.NearestNeighbors;
import dev.routellm.prediction.SimilarityWeightedRanking;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The learned routers, by name: each turns a {@link TrainingSet} into an {@link EmbeddingScorer}. What
 * {@code routellm train --router NAME} and {@code routellm eval --router NAME} choose from.
 *
 * <p>Immutable and thread-safe; {@link #fit} keeps no state between calls.
 */
public enum Learner {
  /**
   * k nearest neighbours predicting the gain ({@link TrainingSet#winRates()}), {@value
   * NearestNeighbors#DEFAULT_K} neighbours.
   */
  KNN("knn") {
    @Override
    public EmbeddingScorer fit(TrainingSet data, long seed) {
      return NearestNeighbors.fit(data.embeddings(), data.winRates(), NearestNeighbors.DEFAULT_K);
    }
  },
  /**
   * k nearest neighbours whose targets are pulled halfway toward their group's mean gain ({@link
   * TrainingSet#winRatesTowardGroups}): a topic prior voted by the neighbours, plus their own outcomes. Needs groups
   * in the training data only; the same as {@link #KNN} without them.
   */
  KNN_GROUPS("knn-groups") {
    @Override
    public EmbeddingScorer fit(TrainingSet data, long seed) {
      return NearestNeighbors.fit(data.embeddings(), data.winRatesTowardGroups(GROUP_WEIGHT), GROUP_K);
    }
  },
  /**
   * k nearest neighbours blended with the prompt's length in words, by ranks ({@link LengthAwareNeighbors}): on math
   * word problems longer questions are harder for the weak model, which an embedding of the topic does not show.
   */
  KNN_LENGTH("knn-length") {
    @Override
    public EmbeddingScorer fit(TrainingSet data, long seed) {
      return LengthAwareNeighbors.fit(data.prompts(), data.embeddings(), data.winRates(), NearestNeighbors.DEFAULT_K,
          LengthAwareNeighbors.DEFAULT_LENGTH_WEIGHT);
    }
  },
  /**
   * {@link #KNN_GROUPS} blended by ranks with a ridge regression on the prompt's words ({@link LexicalNeighbors},
   * {@link dev.routellm.prediction.LexicalRidge}): the neighbours carry the topic, the words how hard the question is
   * within it. The ridge penalty and the blend weight are chosen by a cross-validation inside the training data
   * ({@link LexicalBlend}); nothing else is tuned. About ten times the fitting work of {@link #KNN_GROUPS}.
   */
  KNN_LEXICAL("knn-lexical") {
    @Override
    public EmbeddingScorer fit(TrainingSet data, long seed) {
      return LexicalBlend.fit(data, seed);
    }
  },
  /**
   * One point per group: the mean unit embedding of its training prompts, carrying the group's mean win rate; a
   * prompt scores as the similarity-weighted mean of its {@value #CENTROID_K} nearest group centroids. A topic prior
   * the size of the number of groups (a few kilobytes), for small router files. Needs a group for every training
   * prompt.
   */
  TOPIC_CENTROIDS("topic-centroids") {
    @Override
    public EmbeddingScorer fit(TrainingSet data, long seed) {
      return data.groupCentroids(CENTROID_K);
    }
  },
  /**
   * A ridge regression of the win rate on the prompt's embedding and log length ({@link LinearRegressionScorer}):
   * one weight per dimension, a router file of a few kilobytes, a direction of the embedding space rather than a
   * table of topics. What the built-in router is (trained on a difficulty target instead).
   */
  LINEAR("linear") {
    @Override
    public EmbeddingScorer fit(TrainingSet data, long seed) {
      return LinearRegressionScorer.fit(data.prompts(), data.embeddings(), data.winRates(), null,
          LinearRegressionScorer.DEFAULT_PENALTY);
    }
  },
  /** RouteLLM's matrix factorization trained on the implied battles with RouteLLM's recipe and the given seed. */
  MF("mf") {
    @Override
    public EmbeddingScorer fit(TrainingSet data, long seed) {
      return MatrixFactorizationTrainer.builder().seed(seed).epochs(MF_EPOCHS).build()
          .train(data.embeddings(), data.battles()).scorer(data.strongModel(), data.weakModel());
    }
  },
  /** RouteLLM's similarity-weighted ranking over the implied battles. */
  SW("sw") {
    @Override
    public EmbeddingScorer fit(TrainingSet data, long seed) {
      return SimilarityWeightedRanking.fit(data.embeddings(), data.battles(), data.strongModel(), data.weakModel());
    }
  };

  /** Weight of the group mean in {@link #KNN_GROUPS}'s targets. */
  public static final double GROUP_WEIGHT = 0.5;
  /** Neighbours of {@link #KNN_GROUPS}. */
  public static final int GROUP_K = NearestNeighbors.DEFAULT_K;
  /** Centroids per query of {@link #TOPIC_CENTROIDS}. */
  public static final int CENTROID_K = 3;
  /** Epochs of {@link #MF} (RouteLLM trains 100 on Arena battles; outcome data converges sooner). */
  public static final int MF_EPOCHS = 100;

  private final String id;

  Learner(String id) {
    this.id = id;
  }

  /** The name ({@code "knn"}, {@code "mf"}, ...). */
  public String id() {
    return id;
  }

  /**
   * Trains on {@code data}; {@code seed} drives anything random.
   *
   * @throws IllegalArgumentException when the data cannot train this learner (for example MF with no decided battle)
   */
  public abstract EmbeddingScorer fit(TrainingSet data, long seed);

  /**
   * The learner with this name.
   *
   * @throws IllegalArgumentException naming the known learners when there is none
   */
  public static Learner byId(String id) {
    Objects.requireNonNull(id, "id");
    for (Learner l : values()) {
      if (l.id.equals(id.toLowerCase(Locale.ROOT))) {
        return l;
      }
    }
    throw new IllegalArgumentException("router must be one of " + Arrays.stream(values()).map(Learner::id).toList()
        + " but was '" + id + "'");
  }
}
