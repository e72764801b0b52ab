package dev.routellm.prediction;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import java.util.Map;
import java.util.function.Function;

/** Rebuilds a scorer from a router file by its kind: the one place that knows every kind. */
final class Scorers {
  private static final Map<String, Function<RouterFile, EmbeddingScorer>> LOADERS = Map.of(
      MatrixFactorization.KIND, MatrixFactorization.LinearScorer::fromFile,
      NearestNeighbors.KIND, NearestNeighbors::fromFile,
      LengthAwareNeighbors.KIND, LengthAwareNeighbors::fromFile,
      LexicalNeighbors.KIND, LexicalNeighbors::fromFile,
      LinearRegressionScorer.KIND, LinearRegressionScorer::fromFile,
      SimilarityWeightedRanking.KIND, SimilarityWeightedRanking::fromFile);

  private Scorers() {}

  static EmbeddingScorer fromFile(RouterFile file) {
    Function<RouterFile, EmbeddingScorer> loader = LOADERS.get(file.kind());
    if (loader == null) {
      throw InvalidFileException.ofResource(file.source(), "unknown router kind '" + file.kind() + "' (known: "
          + new java.util.TreeSet<>(LOADERS.keySet()) + ")", null);
    }
    return loader.apply(file);
  }
}
