package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.examples.MockModel;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What quickstart prints under a row when it called the models: failed calls, the fallback, the answer. */
class QuickstartOutcomeTest {
  private static final CostModel PRICES = CostModel.builder().price("big", 10, 30).price("small", 1, 1).build();

  @Test
  void printOutcome_chosenModelFailed_namesTheFailureAndTheModelThatAnswered() throws Exception {
    try (MockModel strong = new MockModel("big");
        MockModel weak = new MockModel("small")) {
      strong.fails(503, "big overloaded");
      weak.answers("Jane Austen wrote it.", 10, 5);
      Router router = Router.builder().strong(strong.backend()).weak(weak.backend())
          .predictor(WinRatePredictor.of("always-strong", p -> 1.0)).threshold(0.5).costModel(PRICES).build();

      RoutedResponse r = router.chat(ChatRequest.of("Who wrote Pride and Prejudice?"));
      StringWriter out = new StringWriter();
      try (PrintWriter text = new PrintWriter(out)) {
        QuickstartCommand.printOutcome(text, r);
      }

      assertThat(out.toString()).contains("! big failed (http_status): ")
          .contains("big overloaded")
          .contains("answered by small instead (fallback)")
          .contains("answer: Jane Austen wrote it.");
    }
  }

  @Test
  void printOutcome_chosenModelAnswered_showsOnlyTheAnswer() throws Exception {
    try (MockModel strong = new MockModel("big");
        MockModel weak = new MockModel("small")) {
      weak.answers("four", 10, 1);
      Router router = Router.builder().strong(strong.backend()).weak(weak.backend())
          .predictor(WinRatePredictor.of("always-weak", p -> 0.0)).threshold(0.5).costModel(PRICES).build();

      RoutedResponse r = router.chat(ChatRequest.of("What is 2+2?"));
      StringWriter out = new StringWriter();
      try (PrintWriter text = new PrintWriter(out)) {
        QuickstartCommand.printOutcome(text, r);
      }

      assertThat(out.toString()).contains("answer: four").doesNotContain("failed").doesNotContain("fallback");
    }
  }
}
