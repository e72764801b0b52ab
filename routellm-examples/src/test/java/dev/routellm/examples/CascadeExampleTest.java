package dev.routellm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * The cascade example offered for the README, run against loopback endpoints (only base URLs and the key differ):
 * the weak answer's log-probabilities sum to -20, so Alamere's confidence is 0.8129 and the weak answer is kept.
 */
class CascadeExampleTest {
  @Test
  void cascadeExample_keepsAConfidentWeakAnswer() throws Exception {
    try (MockModel big = new MockModel("meta-llama/Llama-3-70b-chat-hf");
        MockModel small = new MockModel("meta-llama/Meta-Llama-3-8B-Instruct")) {
      small.server().enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
          .body("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
              + "\"message\":{\"role\":\"assistant\",\"content\":\"16 - 3 - 4 = 9 eggs; 9 * $2 = $18.\"},"
              + "\"logprobs\":{\"content\":[{\"token\":\"16\",\"logprob\":-12.0,\"top_logprobs\":[]},"
              + "{\"token\":\" -\",\"logprob\":-8.0,\"top_logprobs\":[]}]},\"finish_reason\":\"stop\"}],"
              + "\"usage\":{\"prompt_tokens\":60,\"completion_tokens\":20}}")
          .build());
      String strongUrl = big.baseUrl();
      String weakUrl = small.baseUrl();

      // --- README example (base URLs and key swapped for loopback) ---
      try (OpenAiBackend strong = OpenAiBackend.builder()
               .baseUrl(strongUrl).model("meta-llama/Llama-3-70b-chat-hf").name("llama-3-70b").noApiKey().build();
           OpenAiBackend weak = OpenAiBackend.builder()
               .baseUrl(weakUrl).model("meta-llama/Meta-Llama-3-8B-Instruct").name("llama-3-8b").noApiKey().build()) {
        Router cascade = Router.builder()
            .strong(strong).weak(weak)
            .cascade(ConfidenceModel.alamere())    // confidence = 0.01186387 * sum(token logprobs) + 1.05021634
            .threshold(0.8)                        // escalate when the weak answer's confidence is below 0.8
            .costModel(CostModel.builder().price("llama-3-70b", 0.80, 0.80).price("llama-3-8b", 0.07, 0.07).build())
            .build();
        RoutedResponse answer = cascade.chat(ChatRequest.of("Janet's ducks lay 16 eggs per day. She eats 3 and bakes"
            + " with 4, and sells the rest at $2 each. How much does she make?"));
        System.out.println(answer.decision().reason() + "; " + answer.calls().size() + " call(s), $" + answer.cost());
        // --- end of README example ---

        assertThat(answer.decision().reason()).isEqualTo("confidence 0.8129 >= threshold 0.8000: weak answer kept");
        assertThat(answer.calls()).hasSize(1);
        assertThat(big.server().getRequestCount()).isZero();
      }
    }
  }
}
