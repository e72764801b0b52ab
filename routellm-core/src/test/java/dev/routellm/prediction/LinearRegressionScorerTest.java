package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearRegressionScorerTest {
  static final int DIM = 6;

  /** Prompts of 1 to 40 words with random embeddings; the target is e[0] plus a length term. */
  record Data(List<String> prompts, List<float[]> embeddings, double[] targets) {}

  static Data data(long seed, int n) {
    Random r = new Random(seed);
    List<String> prompts = new ArrayList<>();
    List<float[]> embeddings = new ArrayList<>();
    double[] targets = new double[n];
    for (int i = 0; i < n; i++) {
      int words = 1 + r.nextInt(40);
      prompts.add(String.join(" ", Collections.nCopies(words, "w")));
      float[] e = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        e[d] = (float) r.nextGaussian();
      }
      embeddings.add(e);
      targets[i] = 0.3 * e[0] + 0.2 * Math.log1p(words);
    }
    return new Data(prompts, embeddings, targets);
  }

  @Test
  void fit_linearTarget_ranksNewPromptsExactlyLikeTheTarget() {
    Data train = data(1, 300);
    Data test = data(2, 100);

    LinearRegressionScorer scorer = LinearRegressionScorer.fit(train.prompts, train.embeddings, train.targets, null,
        0);

    double[] scores = scorer.scoreAll(test.prompts, test.embeddings);
    for (int i = 0; i < scores.length; i++) {
      assertThat(scores[i]).isStrictlyBetween(0.0, 1.0);
      for (int j = 0; j < scores.length; j++) {
        if (test.targets[i] > test.targets[j] + 1e-6) {
          assertThat(scores[i]).isGreaterThan(scores[j]);
        }
      }
    }
  }

  @Test
  void fit_sampleWeights_zeroWeightPromptsDoNotCount() {
    Data a = data(3, 200);
    Data noise = data(4, 200);
    List<String> prompts = new ArrayList<>(a.prompts);
    prompts.addAll(noise.prompts);
    List<float[]> e = new ArrayList<>(a.embeddings);
    e.addAll(noise.embeddings);
    double[] targets = new double[400];
    double[] weights = new double[400];
    for (int i = 0; i < 200; i++) {
      targets[i] = a.targets[i];
      weights[i] = 1;
      targets[200 + i] = -noise.targets[i]; // the opposite signal, weighted 0
    }
    LinearRegressionScorer weighted = LinearRegressionScorer.fit(prompts, e, targets, weights, 1e-3);
    LinearRegressionScorer alone = LinearRegressionScorer.fit(a.prompts, a.embeddings, a.targets, null, 1e-3);

    Data test = data(5, 20);
    assertThat(weighted.scoreAll(test.prompts, test.embeddings))
        .containsExactly(alone.scoreAll(test.prompts, test.embeddings), within(1e-6));
  }

  @Test
  void score_withoutText_countsTheMeanLength() {
    Data train = data(6, 200);
    LinearRegressionScorer scorer = LinearRegressionScorer.fit(train.prompts, train.embeddings, train.targets, null,
        1e-3);
    float[] e = train.embeddings.get(0);
    double mean = 0;
    for (String p : train.prompts) {
      mean += Math.log1p(p.split(" ").length);
    }
    mean /= train.prompts.size();
    int words = (int) Math.round(Math.expm1(mean));

    assertThat(scorer.score(e)).isBetween(
        scorer.score(String.join(" ", Collections.nCopies(Math.max(1, words - 1), "w")), e),
        scorer.score(String.join(" ", Collections.nCopies(words + 1, "w")), e));
  }

  @Test
  void fit_badInput_isRejected() {
    Data d = data(7, 10);
    assertThatThrownBy(() -> LinearRegressionScorer.fit(d.prompts.subList(0, 9), d.embeddings, d.targets, null, 1))
        .hasMessageContaining("need one prompt, target and weight per embedding (10");
    assertThatThrownBy(() -> LinearRegressionScorer.fit(d.prompts, d.embeddings, d.targets, null, -1))
        .hasMessage("penalty must be finite and >= 0 but was -1.0");
    double[] w = new double[10];
    w[3] = -1;
    assertThatThrownBy(() -> LinearRegressionScorer.fit(d.prompts, d.embeddings, d.targets, w, 1))
        .hasMessageContaining("weight and target of prompt 3 must be finite");
    assertThatThrownBy(() -> LinearRegressionScorer.fit(d.prompts, d.embeddings, new double[10], null, 1))
        .hasMessageContaining("the fitted values do not vary");
    assertThatThrownBy(() -> LinearRegressionScorer.fit(d.prompts, d.embeddings, d.targets, new double[10], 1))
        .hasMessage("the sample weights must not all be 0");
  }

  @Test
  void fromFile_nonFiniteWeightOrParameter_isAnInvalidFile() {
    RouterFile file = RouterFile.builder().embedder("fake", 2).models("s", "w").kind("linear")
        .parameter("length_weight", "0.1").parameter("bias", "0").parameter("mean_log_length", "2")
        .tensor("weights", Tensor.of(new float[] {1, Float.NaN}, 2)).build();

    assertThatThrownBy(() -> Scorers.fromFile(file)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("tensor 'weights' holds a non-finite value NaN at index 1");
    RouterFile badBias = file.toBuilder().parameter("bias", "NaN").tensor("weights", Tensor.of(new float[] {1, 2}, 2))
        .build();
    assertThatThrownBy(() -> Scorers.fromFile(badBias)).isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("parameters 'length_weight', 'bias' and 'mean_log_length' must be finite");
  }
}
