package dev.routellm.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.Outcome;
import dev.routellm.data.QualityUnit;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.Evaluation;
import dev.routellm.evaluation.Evaluator;
import dev.routellm.evaluation.ProgressListener;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.LexicalNeighbors;
import dev.routellm.prediction.LexicalRidge;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KnnLexicalTest {
  /**
   * Two independent causes of gain: the topic, which only the embedding shows (odd topics need the strong model), and
   * the word EXCEPT, which only the text shows. Prompts are random filler words; the embedding is the topic's axis plus
   * noise and never sees the words.
   */
  static final class TwoSignals implements Embedder {
    final Map<String, float[]> vectors = new HashMap<>();
    final List<Example> examples = new ArrayList<>();

    TwoSignals(int n, long seed) {
      Random r = new Random(seed);
      for (int i = 0; i < n; i++) {
        int topic = r.nextInt(6);
        boolean except = r.nextBoolean();
        String prompt = "q" + i + " w" + r.nextInt(40) + " w" + r.nextInt(40) + (except ? " EXCEPT" : "") + " w"
            + r.nextInt(40);
        float[] v = new float[8];
        for (int d = 0; d < v.length; d++) {
          v[d] = (float) (0.3 * r.nextGaussian());
        }
        v[topic] += 1;
        vectors.put(prompt, v);
        double pGain = 0.05 + 0.45 * (topic % 2) + 0.45 * (except ? 1 : 0);
        boolean gain = r.nextDouble() < pGain;
        examples.add(Example.builder().id("e" + i).prompt(prompt).group("t" + topic)
            .strong(Outcome.correct(true)).weak(Outcome.correct(!gain)).build());
      }
    }

    Dataset dataset(int from, int to) {
      return Dataset.builder().name("two-signals").unit(QualityUnit.ACCURACY_PERCENT).strongModel("big")
          .weakModel("small").examples(examples.subList(from, to)).build();
    }

    @Override
    public String id() {
      return "two-signals/8";
    }

    @Override
    public int dimension() {
      return 8;
    }

    @Override
    public float[] embed(String text) {
      return vectors.get(text).clone();
    }
  }

  private static double apgr(Dataset test, double[] scores) {
    return Evaluation.ofScores(test, "s", scores).metrics().apgr();
  }

  @Test
  void fit_topicInEmbeddingAndDifficultyInWords_blendBeatsEachPart() {
    TwoSignals data = new TwoSignals(1500, 5);
    Dataset train = data.dataset(0, 1000);
    Dataset test = data.dataset(1000, 1500);
    TrainingSet set = LearnedMethods.trainingSet(train, data, ProgressListener.NONE);
    List<float[]> testVectors = data.embedAll(test.prompts());

    EmbeddingScorer blend = Learner.KNN_LEXICAL.fit(set, 1);
    EmbeddingScorer knn = Learner.KNN_GROUPS.fit(set, 1);
    LexicalRidge words = LexicalRidge.fit(set.prompts(), set.winRatesTowardGroups(Learner.GROUP_WEIGHT), 3);
    double[] wordScores = test.prompts().stream().mapToDouble(words::score).toArray();

    double blendApgr = apgr(test, blend.scoreAll(test.prompts(), testVectors));
    double knnApgr = apgr(test, knn.scoreAll(test.prompts(), testVectors));
    double wordsApgr = apgr(test, wordScores);
    assertThat(blend).isInstanceOf(LexicalNeighbors.class);
    assertThat(knnApgr).as("kNN alone").isGreaterThan(0.55);
    assertThat(wordsApgr).as("words alone").isGreaterThan(0.55);
    assertThat(blendApgr).as("blend vs kNN %.3f and words %.3f", knnApgr, wordsApgr)
        .isGreaterThan(Math.max(knnApgr, wordsApgr) + 0.03);
  }

  @Test
  void fit_sameDataAndSeed_sameScorer() {
    TwoSignals data = new TwoSignals(120, 9);
    TrainingSet set = LearnedMethods.trainingSet(data.dataset(0, 120), data, ProgressListener.NONE);
    List<String> prompts = data.dataset(0, 10).prompts();
    List<float[]> vectors = data.embedAll(prompts);

    assertThat(Learner.KNN_LEXICAL.fit(set, 4).scoreAll(prompts, vectors))
        .containsExactly(Learner.KNN_LEXICAL.fit(set, 4).scoreAll(prompts, vectors));
  }

  /**
   * The evaluation contract: a held-out example's score comes from a model fitted without it, inner selection
   * included, so changing its own outcome cannot change its score; changing it does change the scores of examples in
   * other folds, which trained on it (so the test would see a leak).
   */
  @Test
  void evaluate_flippingAnExamplesOutcome_leavesItsOwnScoreUnchanged() {
    TwoSignals data = new TwoSignals(150, 11);
    Dataset original = data.dataset(0, 150);
    var method = LearnedMethods.of(Learner.KNN_LEXICAL, () -> data);
    Evaluator evaluator = Evaluator.builder().folds(5).seed(3).build();
    double[] before = evaluator.evaluate(original, method).scores();

    for (int j : new int[] {0, 1, 2}) {
      List<Example> flipped = new ArrayList<>(original.examples());
      Example e = flipped.get(j);
      flipped.set(j, e.toBuilder().weak(Outcome.correct(e.weak().score() == 0)).build());
      double[] after = evaluator.evaluate(original.toBuilder().examples(flipped).build(), method).scores();

      assertThat(after[j]).as("example %d", j).isEqualTo(before[j]);
      assertThat(after).as("example %d trains the other folds", j).isNotEqualTo(before);
    }
  }
}
