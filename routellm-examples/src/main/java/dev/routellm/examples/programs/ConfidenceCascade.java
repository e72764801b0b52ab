package dev.routellm.examples.programs;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.Dollars;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;

/**
 * The confidence cascade: the weak model answers first with token log-probabilities; Alamere's confidence decides
 * whether its answer is kept or the strong model is asked. Prints the decision and every call with its cost.
 *
 * <p>Usage: {@code ConfidenceCascade [STRONG_BASE_URL [WEAK_BASE_URL]]} (default: Together's Llama 3 70B, key from
 * {@code TOGETHER_API_KEY}; a local vLLM serving Llama 3 8B).
 */
public final class ConfidenceCascade {
  private ConfidenceCascade() {}

  public static void main(String[] args) {
    String strongUrl = args.length > 0 ? args[0] : "https://api.together.xyz/v1";
    String weakUrl = args.length > 1 ? args[1] : "http://localhost:8000/v1";
    OpenAiBackend.Builder strongBuilder = OpenAiBackend.builder().baseUrl(strongUrl)
        .model("meta-llama/Llama-3-70b-chat-hf").name("llama-3-70b");
    if (System.getenv("TOGETHER_API_KEY") != null) {
      strongBuilder.apiKeyFromEnvironment("TOGETHER_API_KEY");
    }
    try (OpenAiBackend strong = strongBuilder.build();
        OpenAiBackend weak = OpenAiBackend.builder().baseUrl(weakUrl).noApiKey()
            .model("meta-llama/Meta-Llama-3-8B-Instruct").name("llama-3-8b").build()) {
      Router cascade = Router.builder()
          .strong(strong).weak(weak)
          .cascade(ConfidenceModel.alamere())   // confidence = 0.01186387 * sum(token logprobs) + 1.05021634
          .threshold(0.8)                       // escalate when below 0.8
          .costModel(CostModel.builder().price("llama-3-70b", 0.80, 0.80).price("llama-3-8b", 0.07, 0.07).build())
          .build();
      RoutedResponse answer = cascade.chat(ChatRequest.of(
          "Janet's ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four."
              + " She sells the rest at $2 each. How much does she make every day?"));
      System.out.println(answer.decision().reason());
      for (ModelCall call : answer.calls()) {
        System.out.println("  call " + call.model() + ": " + call.usage().totalTokens() + " tokens, "
            + Dollars.format(call.cost()));
      }
      System.out.println("answer by " + answer.answeredBy() + " (" + Dollars.format(answer.cost()) + "): "
          + answer.response().text());
    }
  }
}
