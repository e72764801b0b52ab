package dev.routellm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.ConfigurationException;
import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.Outcome;
import dev.routellm.data.QualityUnit;
import dev.routellm.embedding.Embedder;
import dev.routellm.evaluation.Evaluation;
import dev.routellm.evaluation.Evaluator;
import dev.routellm.evaluation.FitContext;
import dev.routellm.evaluation.ProgressListener;
import dev.routellm.evaluation.RoutingMethods;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LearnedMethodsTest {
  /**
   * Prompts "topic-T item-I": the embedding is a noisy topic direction (8 topics in 16 dimensions). On odd topics the
   * strong model is mostly right where the weak one is wrong; on even topics the weak one often wins. The topic is
   * also the group.
   */
  static Dataset topics(int n, long seed) {
    Random r = new Random(seed);
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int topic = r.nextInt(8);
      boolean odd = topic % 2 == 1;
      boolean strongRight = odd || r.nextDouble() < 0.6;
      boolean weakRight = odd ? r.nextDouble() < 0.1 : true;
      examples.add(Example.builder().id("e" + i).prompt("topic-" + topic + " item-" + i).group("t" + topic)
          .strong(Outcome.correct(strongRight)).weak(Outcome.correct(weakRight)).build());
    }
    return Dataset.builder().name("topics").unit(QualityUnit.ACCURACY_PERCENT).strongModel("big")
        .weakModel("small").examples(examples).build();
  }

  /** Embeds "topic-T ..." as the T-th axis plus noise seeded by the text; counts texts. */
  static final class TopicEmbedder implements Embedder {
    final AtomicInteger texts = new AtomicInteger();

    @Override
    public String id() {
      return "topic/16";
    }

    @Override
    public int dimension() {
      return 16;
    }

    @Override
    public float[] embed(String text) {
      texts.incrementAndGet();
      int topic = text.charAt(6) - '0';
      Random r = new Random(text.hashCode());
      float[] v = new float[16];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (0.3 * r.nextGaussian());
      }
      v[topic] += 1;
      return v;
    }
  }

  @ParameterizedTest
  @EnumSource(Learner.class)
  void evaluate_fiveFolds_learnsTheTopicsThatNeedTheStrongModel(Learner learner) {
    TopicEmbedder embedder = new TopicEmbedder();
    RoutingMethods registry = LearnedMethods.addAll(RoutingMethods.defaults().toBuilder(), () -> embedder).build();

    Evaluation e = Evaluator.builder().folds(5).seed(1).build().evaluate(topics(400, 3), registry.get(learner.id()));

    // Random routing scores 0.5; the odd topics carry all the gain, so a router that learns them scores well above.
    assertThat(e.metrics().apgr()).as(learner.id()).isGreaterThan(0.7);
  }

  @Test
  void addAll_registersEveryLearnerWithoutCreatingTheEmbedder() {
    RoutingMethods registry = LearnedMethods.addAll(RoutingMethods.defaults().toBuilder(), () -> {
      throw new AssertionError("embedder created too early");
    }).build();

    assertThat(registry.names()).contains("knn", "knn-groups", "mf", "sw", "random", "oracle");
  }

  @Test
  void fit_emptyTrainingSet_saysToUseFolds() {
    var method = LearnedMethods.of(Learner.KNN, TopicEmbedder::new);
    Dataset empty = topics(4, 1).subset(new int[0]);

    assertThatThrownBy(() -> method.fit(empty, new FitContext(1, ProgressListener.NONE)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("--folds 2");
  }
}
