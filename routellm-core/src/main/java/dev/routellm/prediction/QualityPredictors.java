package dev.routellm.prediction;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.embedding.Embedder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Loads N-way quality predictors saved as router files ({@link EmbeddingQualityPredictor#save},
 * {@link LexicalQualityNeighbors#save}): the one place that knows every N-way kind.
 *
 * <pre>{@code
 * QualityPredictor knn = QualityPredictors.load(Path.of("pool-knn.safetensors"), embedder); // other embedder: error
 * QualityPredictor lexical = QualityPredictors.load(Path.of("pool-lexical.safetensors"));   // needs no embedder
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class QualityPredictors {
  private static final Map<String, Function<RouterFile, EmbeddingQualityScorer>> EMBEDDING_KINDS =
      Map.of(QualityNeighbors.KIND, QualityNeighbors::fromFile);
  private static final Map<String, Function<RouterFile, QualityPredictor>> TEXT_KINDS =
      Map.of(LexicalQualityNeighbors.KIND, LexicalQualityNeighbors::fromFile);

  private QualityPredictors() {}

  /**
   * Saves one of the library's N-way predictors (an {@link EmbeddingQualityPredictor} or a
   * {@link LexicalQualityNeighbors}, as {@code QualityMethods} fits them) to a router file.
   *
   * @throws IllegalArgumentException when {@code predictor} is another implementation, which the library cannot save
   */
  public static void save(QualityPredictor predictor, Path file) {
    Objects.requireNonNull(predictor, "predictor");
    Objects.requireNonNull(file, "file");
    if (predictor instanceof EmbeddingQualityPredictor p) {
      p.save(file);
    } else if (predictor instanceof LexicalQualityNeighbors p) {
      p.save(file);
    } else {
      throw new IllegalArgumentException("predictor '" + predictor.name() + "' (" + predictor.getClass().getName()
          + ") is not one of the library's N-way predictors, which are the ones it can save");
    }
  }

  /**
   * Loads a predictor that needs no embedder (a lexical one).
   *
   * @throws InvalidFileException when the file is unreadable, malformed, not an N-way predictor or of an unknown kind
   * @throws ConfigurationException when the predictor needs an embedder (use {@link #load(Path, Embedder)})
   */
  public static QualityPredictor load(Path file) {
    Objects.requireNonNull(file, "file");
    return load(RouterFile.read(file), null);
  }

  /**
   * Loads a predictor, joining an embedding-based one with {@code embedder}; a predictor that needs no embedder
   * ignores it.
   *
   * @throws InvalidFileException when the file is unreadable, malformed, not an N-way predictor or of an unknown kind
   * @throws ConfigurationException when {@code embedder} is not the one the predictor was trained with (another id or
   *     dimension); the message names both
   */
  public static QualityPredictor load(Path file, Embedder embedder) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(embedder, "embedder");
    return load(RouterFile.read(file), embedder);
  }

  /**
   * Rebuilds a predictor from a router file already read; {@code embedder} may be null for kinds that need none.
   *
   * @throws InvalidFileException as {@link #load(Path, Embedder)}
   * @throws ConfigurationException as {@link #load(Path, Embedder)}, or when an embedder is needed and null
   */
  public static QualityPredictor load(RouterFile file, Embedder embedder) {
    Objects.requireNonNull(file, "file");
    if (!file.isPool()) {
      throw InvalidFileException.ofResource(file.source(), "holds a two-model router (" + file.strongModel() + " vs "
          + file.weakModel() + ", kind '" + file.kind() + "'), not an N-way quality predictor: load it with"
          + " TrainedRouter.load", null);
    }
    Function<RouterFile, QualityPredictor> text = TEXT_KINDS.get(file.kind());
    if (text != null) {
      return text.apply(file);
    }
    Function<RouterFile, EmbeddingQualityScorer> scorer = EMBEDDING_KINDS.get(file.kind());
    if (scorer == null) {
      TreeSet<String> known = new TreeSet<>(EMBEDDING_KINDS.keySet());
      known.addAll(TEXT_KINDS.keySet());
      throw InvalidFileException.ofResource(file.source(), "unknown N-way predictor kind '" + file.kind()
          + "' (known: " + known + ")", null);
    }
    if (embedder == null) {
      throw new ConfigurationException(file.source() + " holds a " + file.kind() + " predictor trained with embedder '"
          + file.embedderId() + "': load it with that embedder");
    }
    if (!file.embedderId().equals(embedder.id()) || file.dimension() != embedder.dimension()) {
      throw new ConfigurationException(file.source() + " was trained with embedder '" + file.embedderId() + "' ("
          + file.dimension() + " dimensions) but is being loaded with '" + embedder.id() + "' ("
          + embedder.dimension() + " dimensions); vectors of different embedders are not comparable: load it with"
          + " the same embedder or retrain");
    }
    return EmbeddingQualityPredictor.of(embedder, scorer.apply(file)).named(file.name());
  }
}
