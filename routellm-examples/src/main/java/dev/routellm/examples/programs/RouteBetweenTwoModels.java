package dev.routellm.examples.programs;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.cost.Dollars;
import dev.routellm.onnx.BuiltInRouter;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import java.util.List;

/**
 * Routes three prompts between a strong and a weak model with the built-in learned router (local, no network per
 * decision) and prints each decision, the answer's model and cost, and the running totals.
 *
 * <p>Usage: {@code RouteBetweenTwoModels [STRONG_BASE_URL [WEAK_BASE_URL]]} (default: OpenAI's gpt-4o, key from
 * {@code OPENAI_API_KEY}; Ollama's llama3.1:8b on localhost).
 */
public final class RouteBetweenTwoModels {
  private RouteBetweenTwoModels() {}

  public static void main(String[] args) {
    String strongUrl = args.length > 0 ? args[0] : "https://api.openai.com/v1";
    String weakUrl = args.length > 1 ? args[1] : "http://localhost:11434/v1";
    try (BuiltInRouter topics = BuiltInRouter.topics();
        OpenAiBackend strong = OpenAiBackend.builder().baseUrl(strongUrl).model("gpt-4o").build();
        OpenAiBackend weak = OpenAiBackend.builder().baseUrl(weakUrl).model("llama3.1:8b").noApiKey().build()) {
      Router router = Router.builder()
          .strong(strong).weak(weak)
          .predictor(topics.predictor()).threshold(topics.threshold())
          .costModel(CostModel.builder().price("gpt-4o", 2.50, 10.00).price("llama3.1:8b", 0, 0).build())
          .build();
      for (String prompt : List.of("Prove that the square root of 2 is irrational.",
          "Say hello in French.", "Solve 3x + 7 = 22 and check the answer.")) {
        RoutedResponse answer = router.chat(ChatRequest.of(prompt));
        System.out.println(answer.decision().reason() + " -> " + answer.answeredBy() + ", "
            + Dollars.format(answer.cost()) + ": " + answer.response().text());
      }
      CostSnapshot totals = router.costs();
      System.out.println(totals.requests() + " requests, " + Math.round(100 * totals.strongShare())
          + "% strong, " + Dollars.format(totals.cost()) + " spent, " + Dollars.format(totals.saving())
          + " saved against gpt-4o alone");
    }
  }
}
