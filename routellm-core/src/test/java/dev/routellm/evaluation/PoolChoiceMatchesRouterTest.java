package dev.routellm.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.prediction.QualityPredictor;
import dev.routellm.routing.Candidate;
import dev.routellm.routing.ModelPool;
import dev.routellm.routing.PoolModel;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import dev.routellm.routing.RoutingPolicy;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The offline policies choose exactly what the served ones do: for random predictions, the model {@link PoolChoice}
 * picks from a decision's candidates (their predicted qualities and expected costs) is the model the router picked.
 */
class PoolChoiceMatchesRouterTest {
  static final List<String> MODELS = List.of("m0", "m1", "m2", "m3", "m4");

  /** Never called: {@link Router#route} decides without calling a model. */
  record Unused(String model) implements ModelBackend {
    @Override
    public Capabilities capabilities() {
      return Capabilities.ALL;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      throw new AssertionError("route() must not call a model");
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      throw new AssertionError("route() must not call a model");
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
      throw new AssertionError("route() must not call a model");
    }

    @Override
    public void close() {}
  }

  /** Seeded predictions per prompt, coarse so that ties happen. */
  record Seeded(long seed) implements QualityPredictor {
    @Override
    public String name() {
      return "seeded";
    }

    @Override
    public List<String> models() {
      return MODELS;
    }

    @Override
    public double[] predict(String prompt) {
      Random r = new Random(seed * 31 + prompt.hashCode());
      double[] q = new double[MODELS.size()];
      for (int m = 0; m < q.length; m++) {
        q[m] = r.nextInt(11) / 10.0;
      }
      return q;
    }
  }

  private static ModelPool pool() {
    double[][] prices = {{10, 30}, {2.5, 10}, {0.5, 1.5}, {0.15, 0.6}, {0.15, 0.6}};
    int[] lengths = {300, 250, 200, 264, 100};
    ModelPool.Builder pool = ModelPool.builder();
    for (int m = 0; m < MODELS.size(); m++) {
      pool.model(PoolModel.builder(new Unused(MODELS.get(m))).price(prices[m][0], prices[m][1])
          .expectedOutputTokens(lengths[m]).build());
    }
    return pool.build();
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 0.01, 0.1, 0.5, 3})
  void bestValue_choosesWhatTheQualityCostPolicyServes(double lambda) {
    check(RoutingPolicy.qualityCost(new Seeded(7), lambda), (q, c, ref) -> PoolChoice.bestValue(q, c, ref, lambda,
        null));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 0.3, 0.65, 0.9, 1})
  void cheapestReaching_choosesWhatTheServedPolicyServes(double target) {
    check(RoutingPolicy.cheapestReaching(new Seeded(11), target), (q, c, ref) -> PoolChoice.cheapestReaching(q, c,
        target, null));
  }

  interface Offline {
    int choose(double[] quality, double[] cost, double referenceCost);
  }

  private static void check(RoutingPolicy policy, Offline offline) {
    Router router = Router.builder().pool(pool()).policy(policy).build();
    for (int i = 0; i < 200; i++) {
      String prompt = "question " + i + " " + "x".repeat(i * 7);
      RoutingDecision decision = router.route(ChatRequest.of(prompt));
      double[] q = new double[MODELS.size()];
      double[] c = new double[MODELS.size()];
      for (int m = 0; m < q.length; m++) {
        Candidate candidate = decision.candidate(MODELS.get(m)).orElseThrow();
        q[m] = candidate.predictedQuality();
        c[m] = candidate.expectedCost();
      }
      int chosen = offline.choose(q, c, c[0]); // the reference: the most expensive model, m0
      assertThat(MODELS.get(chosen)).as("prompt %d, qualities %s", i, java.util.Arrays.toString(q))
          .isEqualTo(decision.model());
    }
  }
}
