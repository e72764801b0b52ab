package dev.routellm.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routellm.ConfigurationException;
import dev.routellm.checkpoint.Tensor;
import dev.routellm.embedding.Embedder;
import java.util.List;
import org.junit.jupiter.api.Test;

class MatrixFactorizationPredictorTest {
  /** Three models in a 2-d space with no projection: d(m, e) = w2 . (v_m * e), w2 = (1, 1). */
  static MatrixFactorization mf() {
    Tensor p = Tensor.of(new float[] {3, 0, 0, 4, 1, 1}, 3, 2); // unit rows (1,0), (0,1), (0.71,0.71)
    return MatrixFactorization.fromTensors(List.of("x", "y", "z"), p, null, Tensor.of(new float[] {1, 1}, 1, 2));
  }

  /** An embedder that reads two numbers from the text: "a,b". */
  static final class Coordinates implements Embedder {
    @Override
    public String id() {
      return "coordinates";
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public float[] embed(String text) {
      String[] parts = text.split(",");
      return new float[] {Float.parseFloat(parts[0]), Float.parseFloat(parts[1])};
    }
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  @Test
  void predict_isEachModelsMeanWinProbabilityAgainstThePool() {
    QualityPredictor q = mf().qualityPredictor(new Coordinates(), List.of("x", "y", "z"));
    double r = Math.sqrt(0.5);
    double dx = 2;
    double dy = -1;
    double dz = r * 2 + r * -1;

    double[] p = q.predict("2,-1");

    assertThat(q.name()).isEqualTo("mf");
    assertThat(q.models()).containsExactly("x", "y", "z");
    assertThat(p[0]).isCloseTo((sigmoid(dx - dy) + sigmoid(dx - dz)) / 2, within(1e-6));
    assertThat(p[1]).isCloseTo((sigmoid(dy - dx) + sigmoid(dy - dz)) / 2, within(1e-6));
    assertThat(p[2]).isCloseTo((sigmoid(dz - dx) + sigmoid(dz - dy)) / 2, within(1e-6));
    assertThat(p[0]).isGreaterThan(p[2]).isGreaterThan(0.5);
    assertThat(p[1]).isLessThan(p[2]);
  }

  @Test
  void predict_twoModels_isThePairScorersWinRate() {
    MatrixFactorization mf = mf();
    QualityPredictor q = mf.qualityPredictor(new Coordinates(), List.of("z", "x"));
    float[] e = {0.3f, -1.7f};

    double[] p = q.predict("0.3,-1.7");

    assertThat(p[0]).isCloseTo(mf.scorer("z", "x").score(e), within(1e-6));
    assertThat(p[0] + p[1]).isCloseTo(1, within(1e-12));
    assertThat(q.predictAll(List.of("0.3,-1.7", "2,-1"))[0]).containsExactly(p);
  }

  @Test
  void qualityPredictor_badPoolOrEmbedder_isRejected() {
    MatrixFactorization mf = mf();
    assertThatThrownBy(() -> mf.qualityPredictor(new Coordinates(), List.of("x")))
        .hasMessageContaining("at least two distinct models");
    assertThatThrownBy(() -> mf.qualityPredictor(new Coordinates(), List.of("x", "x")))
        .hasMessageContaining("at least two distinct models");
    assertThatThrownBy(() -> mf.qualityPredictor(new Coordinates(), List.of("x", "w")))
        .hasMessageContaining("unknown model 'w'");
    assertThatThrownBy(() -> mf.qualityPredictor(new FakeEmbedder("fake", 3), List.of("x", "y")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("expects 2");
  }
}
