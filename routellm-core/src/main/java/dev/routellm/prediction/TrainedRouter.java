package dev.routellm.prediction;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.embedding.Embedder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A trained predictor with what it needs to serve: the model pair it decides between and, once calibrated, its
 * threshold. Saved to and loaded from one {@link RouterFile}, which also records the embedder's id and dimension.
 *
 * <pre>{@code
 * TrainedRouter trained = TrainedRouter.load(Path.of("router.safetensors"), embedder);
 * Router router = Router.builder()
 *     .predictor(trained.predictor())
 *     .threshold(trained.threshold().orElseThrow())
 *     ...
 * }</pre>
 *
 * @param predictor the embedder and scorer
 * @param strongModel the strong model's name
 * @param weakModel the weak model's name
 * @param threshold the calibrated threshold, empty before calibration
 */
public record TrainedRouter(
    EmbeddingPredictor predictor, String strongModel, String weakModel, OptionalDouble threshold) {
  public TrainedRouter {
    Objects.requireNonNull(predictor, "predictor");
    Objects.requireNonNull(strongModel, "strongModel");
    Objects.requireNonNull(weakModel, "weakModel");
    Objects.requireNonNull(threshold, "threshold");
    if (threshold.isPresent() && !(threshold.getAsDouble() >= 0 && threshold.getAsDouble() <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1] but was " + threshold.getAsDouble());
    }
  }

  /**
   * Loads a router file and joins its scorer with {@code embedder}.
   *
   * @throws InvalidFileException when the file is unreadable, malformed or of an unknown kind
   * @throws ConfigurationException when {@code embedder} is not the one the router was trained with (another id or
   *     dimension); the message names both
   */
  public static TrainedRouter load(Path file, Embedder embedder) {
    Objects.requireNonNull(file, "file");
    return load(RouterFile.read(file), embedder);
  }

  /**
   * Joins a router file already read (for example from a classpath resource with {@link RouterFile#read(byte[],
   * String)}) with {@code embedder}.
   *
   * @throws InvalidFileException when the file is of an unknown kind or its weights are malformed
   * @throws ConfigurationException when {@code embedder} is not the one the router was trained with
   */
  public static TrainedRouter load(RouterFile rf, Embedder embedder) {
    Objects.requireNonNull(rf, "file");
    Objects.requireNonNull(embedder, "embedder");
    if (rf.isPool()) {
      throw InvalidFileException.ofResource(rf.source(), "holds an N-way quality predictor over " + rf.pool()
          + " (kind '" + rf.kind() + "'), not a two-model router: load it with QualityPredictors.load", null);
    }
    if (!rf.embedderId().equals(embedder.id()) || rf.dimension() != embedder.dimension()) {
      throw new ConfigurationException(rf.source() + " was trained with embedder '" + rf.embedderId() + "' ("
          + rf.dimension() + " dimensions) but is being loaded with '" + embedder.id() + "' ("
          + embedder.dimension() + " dimensions); vectors of different embedders are not comparable: load it with"
          + " the same embedder or retrain");
    }
    EmbeddingScorer scorer = Scorers.fromFile(rf);
    return new TrainedRouter(EmbeddingPredictor.of(embedder, scorer).named(rf.name()), rf.strongModel(),
        rf.weakModel(), rf.threshold());
  }

  /**
   * Checks that this router was trained for the models it is about to route between. The names are compared
   * exactly ({@code gpt-4o} is not {@code gpt-4o-2024-08-06}).
   *
   * <pre>{@code
   * trained.checkModels(strong.model(), weak.model(), ModelPairPolicy.FAIL);
   * }</pre>
   *
   * @return {@code true} when the pair is the one the router was trained for; {@code false} after the warning of
   *     {@link ModelPairPolicy#WARN}
   * @throws ConfigurationException under {@link ModelPairPolicy#FAIL} when the pair differs; the message names both
   *     pairs
   */
  public boolean checkModels(String strong, String weak, ModelPairPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    Optional<String> mismatch = modelMismatch(strong, weak);
    if (mismatch.isEmpty()) {
      return true;
    }
    if (policy == ModelPairPolicy.FAIL) {
      throw new ConfigurationException(mismatch.get() + " (ModelPairPolicy.WARN)");
    }
    System.getLogger(TrainedRouter.class.getName()).log(System.Logger.Level.WARNING, mismatch.get());
    return false;
  }

  /**
   * The one-line explanation {@link #checkModels} gives when {@code strong} and {@code weak} are not the pair this
   * router was trained for; empty when they are.
   */
  public Optional<String> modelMismatch(String strong, String weak) {
    Objects.requireNonNull(strong, "strong");
    Objects.requireNonNull(weak, "weak");
    if (strong.equals(strongModel) && weak.equals(weakModel)) {
      return Optional.empty();
    }
    return Optional.of("router '" + predictor.name() + "' was trained to choose between strong '" + strongModel
        + "' and weak '" + weakModel + "' but is routing between strong '" + strong + "' and weak '" + weak
        + "'; its scores may not carry over: retrain on these models' outcomes, or accept it knowingly");
  }

  /** This router with a (new) calibrated threshold. */
  public TrainedRouter withThreshold(double value) {
    return new TrainedRouter(predictor, strongModel, weakModel, OptionalDouble.of(value));
  }

  /** The router file's content. */
  public RouterFile toRouterFile() {
    RouterFile.Builder b = RouterFile.builder()
        .embedder(predictor.embedder().id(), predictor.embedder().dimension())
        .models(strongModel, weakModel);
    threshold.ifPresent(b::threshold);
    predictor.scorer().exportTo(b);
    if (!predictor.name().equals(predictor.scorer().kind())) {
      b.name(predictor.name());
    }
    return b.build();
  }

  /** Saves the router file. */
  public void save(Path file) {
    toRouterFile().write(Objects.requireNonNull(file, "file"));
  }
}
