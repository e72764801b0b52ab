package dev.routellm.examples.programs;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.Dollars;
import dev.routellm.prediction.QualityPredictor;
import dev.routellm.routing.Candidate;
import dev.routellm.routing.ModelPool;
import dev.routellm.routing.PoolModel;
import dev.routellm.routing.RouteOptions;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingPolicy;

/**
 * A pool of three priced models, a quality-versus-cost policy, and a budget per request: the same hard prompt is
 * answered by the best model when the budget allows it, by a cheaper one when it does not.
 *
 * <p>Usage: {@code PoolWithBudget [BASE_URL]}: one OpenAI-compatible server serving all three models (default
 * OpenAI's, key from {@code OPENAI_API_KEY}).
 */
public final class PoolWithBudget {
  private PoolWithBudget() {}

  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : "https://api.openai.com/v1";
    try (OpenAiBackend large = OpenAiBackend.builder().baseUrl(url).model("gpt-4o").build();
        OpenAiBackend small = OpenAiBackend.builder().baseUrl(url).model("gpt-4o-mini").build();
        OpenAiBackend nano = OpenAiBackend.builder().baseUrl(url).model("gpt-4.1-nano").build()) {
      ModelPool pool = ModelPool.of(PoolModel.of(large, 2.50, 10.00), PoolModel.of(small, 0.15, 0.60),
          PoolModel.of(nano, 0.10, 0.40));
      // Your own quality estimates, here by prompt length; a trained predictor does better.
      QualityPredictor byLength = QualityPredictor.of("length", pool.names(),
          p -> p.length() > 60 ? new double[] {0.95, 0.60, 0.40} : new double[] {0.95, 0.93, 0.90});
      Router router = Router.builder().pool(pool).policy(RoutingPolicy.qualityCost(byLength, 0.1)).build();

      ChatRequest hard = ChatRequest.of("Prove that there are infinitely many primes of the form 4k + 3, step by step.");
      for (double budget : new double[] {0.01, 0.0005}) {
        RoutedResponse answer = router.chat(hard, RouteOptions.builder().maxCost(budget).build());
        System.out.println("budget " + Dollars.format(budget) + ": " + answer.answeredBy() + " answered for "
            + Dollars.format(answer.cost()));
        for (Candidate c : answer.decision().candidates()) {
          System.out.println("  " + c.model() + " quality " + c.predictedQuality() + ", expected "
              + Dollars.format(c.expectedCost()) + c.excluded().map(why -> ", excluded: " + why).orElse(""));
        }
      }
    }
  }
}
