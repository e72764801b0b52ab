package dev.routellm.evaluation;

import dev.routellm.cascade.AnswerExtractor;
import dev.routellm.embedding.Embedder;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An N-way router to evaluate: a policy and, when it predicts, the quality method that feeds it. {@link #named} builds
 * the stock ones that {@code routellm eval --prices ... --router NAME} offers:
 *
 * <table>
 *   <caption>Stock N-way routers</caption>
 *   <tr><th>name</th><th>predictor</th><th>policy</th></tr>
 *   <tr><td>{@code knn}, {@code knn-lexical}</td><td>kNN on embeddings / on words</td>
 *       <td>{@link PoolPolicies#qualityCost()}</td></tr>
 *   <tr><td>{@code knn-cheapest}, {@code knn-lexical-cheapest}</td><td>the same</td>
 *       <td>{@link PoolPolicies#cheapestReaching()}</td></tr>
 *   <tr><td>{@code cascade}</td><td>none</td>
 *       <td>{@link PoolPolicies#cascade}: agreement (or text confidence) checks on answer texts</td></tr>
 *   <tr><td>{@code knn-cascade}, {@code knn-lexical-cascade}</td><td>kNN</td>
 *       <td>{@link PoolPolicies#routeThenCascade}</td></tr>
 * </table>
 *
 * @param name the router's name
 * @param method the quality method; null when the policy does not predict
 * @param policy the policy
 */
public record PoolRouting(String name, QualityMethod method, PoolPolicy policy) {
  /** The stock routers' names. */
  public static final List<String> NAMES = List.of("knn", "knn-lexical", "knn-cheapest", "knn-lexical-cheapest",
      "cascade", "knn-cascade", "knn-lexical-cascade");

  public PoolRouting {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(policy, "policy");
    if (policy.needsPredictions() && method == null) {
      throw new IllegalArgumentException("router '" + name + "': policy '" + policy.name()
          + "' needs a quality method");
    }
  }

  /**
   * A stock router.
   *
   * @param name one of {@link #NAMES}
   * @param embedder the embedder of the embedding kNN, called on its first fit only
   * @param chain the chain of a cascade (called only by cascades, with the data's costs at hand)
   * @param extractor the cascade's answer extractor
   * @throws IllegalArgumentException naming the known routers when there is none by that name
   */
  public static PoolRouting named(String name, Supplier<? extends Embedder> embedder,
      Function<PoolCosts, PoolPolicies.Chain> chain, PoolCosts costs, AnswerExtractor extractor) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(embedder, "embedder");
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(costs, "costs");
    Objects.requireNonNull(extractor, "extractor");
    QualityMethod method = name.startsWith("knn-lexical") ? QualityMethods.knnLexical()
        : name.startsWith("knn") ? QualityMethods.knn(embedder) : null;
    String policy = method == null ? name : name.substring(method.name().length());
    PoolPolicy p = switch (policy) {
      case "" -> PoolPolicies.qualityCost();
      case "-cheapest" -> PoolPolicies.cheapestReaching();
      case "-cascade" -> PoolPolicies.routeThenCascade(chain.apply(costs), extractor);
      case "cascade" -> PoolPolicies.cascade(chain.apply(costs), extractor);
      default -> null;
    };
    if (p == null || !NAMES.contains(name)) {
      throw new IllegalArgumentException("router must be one of " + NAMES + " but was '" + name + "'");
    }
    return new PoolRouting(name, method, p);
  }
}
