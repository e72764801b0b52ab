package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LexicalRidgeTest {
  @Test
  void buckets_ignoreCaseAndSpacing_andSplitDigitsFromLetters() {
    assertThat(LexicalRidge.buckets("Which is NOT true?"))
        .containsExactly(LexicalRidge.buckets("which  is\nnot true ?"));
    // "3pm" is two tokens, "3" and "pm": unigrams 3, pm and the bigram "3 pm".
    assertThat(LexicalRidge.buckets("3pm")).containsExactly(LexicalRidge.buckets("3 pm"));
    assertThat(LexicalRidge.buckets("3pm")).hasSize(3);
    assertThat(LexicalRidge.buckets("   ")).isEmpty();
  }

  @Test
  void fit_aWordThatSignalsGain_scoresUnseenPromptsWithItHigher() {
    Random r = new Random(3);
    List<String> prompts = new ArrayList<>();
    double[] targets = new double[200];
    for (int i = 0; i < targets.length; i++) {
      boolean except = i % 2 == 0;
      prompts.add("word" + r.nextInt(50) + " word" + r.nextInt(50) + (except ? " EXCEPT" : "") + " word"
          + r.nextInt(50));
      targets[i] = except ? 0.9 : 0.3;
    }
    LexicalRidge ridge = LexicalRidge.fit(prompts, targets, 1);

    assertThat(ridge.intercept()).isEqualTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(ridge.score("word7 all EXCEPT word9")).isGreaterThan(ridge.score("word7 all word9") + 0.2);
    assertThat(ridge.score("nothing known here")).isEqualTo(ridge.intercept());
  }

  @Test
  void fitPath_largerPenalty_shrinksTowardTheMean() {
    List<String> prompts = List.of("hard one", "easy one", "hard two", "easy two");
    double[] targets = {1, 0, 1, 0};
    LexicalRidge[] path = LexicalRidge.fitPath(prompts, targets, new double[] {0.1, 100});

    double small = path[0].score("hard") - path[0].intercept();
    double large = path[1].score("hard") - path[1].intercept();
    assertThat(small).isGreaterThan(large);
    assertThat(large).isPositive();
  }

  @Test
  void fit_badInputs_areRejectedWithTheReason() {
    assertThatThrownBy(() -> LexicalRidge.fit(List.of("a"), new double[] {0.5}, 0))
        .hasMessageContaining("lambda must be > 0 and finite but was 0");
    assertThatThrownBy(() -> LexicalRidge.fit(List.of("a", "b"), new double[] {0.5}, 1))
        .hasMessageContaining("2 prompts and 1 targets");
    assertThatThrownBy(() -> LexicalRidge.fit(List.of("a"), new double[] {Double.NaN}, 1))
        .hasMessageContaining("target 0 must be finite");
  }
}
