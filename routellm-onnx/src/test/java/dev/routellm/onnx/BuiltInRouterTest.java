package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltInRouterTest {
  @Test
  void topics_loadsOfflineWithCalibratedThresholdAsASmallLinearModel() throws Exception {
    try (BuiltInRouter topics = BuiltInRouter.topics();
        var in = BuiltInRouter.class.getResourceAsStream(BuiltInRouter.RESOURCE)) {
      assertThat(topics.predictor().name()).isEqualTo("topics");
      assertThat(topics.threshold()).isStrictlyBetween(0.0, 1.0);
      assertThat(topics.strongModel()).isEqualTo("strong");
      assertThat(topics.weakModel()).isEqualTo("weak");
      assertThat(in.readAllBytes().length).as("bytes").isLessThan(4096);
    }
  }

  @Test
  void predictor_longMathProblemScoresAboveAGreeting() {
    try (BuiltInRouter topics = BuiltInRouter.topics()) {
      double greeting = topics.predictor().score("Hi! How are you today?");
      double math = topics.predictor().score("Find all real x such that x^2 - 5x + 6 < 0, and prove that no other"
          + " real number satisfies the inequality.");
      assertThat(math).isGreaterThan(topics.threshold()).isGreaterThan(greeting);
      assertThat(greeting).isLessThan(topics.threshold());
    }
  }

  @Test
  void predictor_scoresInUnitIntervalSameAloneAndInBulk() {
    List<String> prompts = List.of(
        "Janet has 3 apples and buys 2 bags of 6 apples each. How many apples does she have?",
        "Which of the following is a function of the liver?\nA. bile\nB. insulin\nC. storage\nD. gas exchange",
        "In a contract dispute, when is a promise enforceable without consideration?");
    try (BuiltInRouter topics = BuiltInRouter.topics()) {
      double[] bulk = topics.predictor().scoreAll(prompts);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(bulk[i]).isBetween(0.0, 1.0).isEqualTo(topics.predictor().score(prompts.get(i)));
      }
      assertThat(bulk).as("different topics get different scores").doesNotHaveDuplicates();
    }
  }

  @Test
  void close_twice_isHarmless() {
    BuiltInRouter topics = BuiltInRouter.topics();
    topics.close();
    topics.close();
    assertThat(topics.threshold()).isPositive();
  }
}
