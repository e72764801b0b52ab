package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class LabelMappingTest {
  @Test
  void routeLlm_threeLogits_probabilityOfLabelZero() {
    FloatBuffer logits = FloatBuffer.wrap(new float[] {9, 2f, 0f, 1f});
    double e0 = Math.exp(2);
    double expected = e0 / (e0 + Math.exp(0) + Math.exp(1));
    assertThat(LabelMapping.routeLlm().strongWinRate(logits, 1)).isCloseTo(expected, within(1e-12));
    assertThat(LabelMapping.routeLlm().labelCount()).isEqualTo(3);
  }

  @Test
  void softmax_hugeLogits_staysFiniteAndInRange() {
    FloatBuffer logits = FloatBuffer.wrap(new float[] {1e30f, -1e30f});
    assertThat(LabelMapping.softmax(1, 0).strongWinRate(logits, 0)).isEqualTo(1.0);
    assertThat(LabelMapping.softmax(0, 1).strongWinRate(logits, 0)).isEqualTo(0.0);
  }

  @Test
  void sigmoid_zeroLogit_isOneHalf() {
    assertThat(LabelMapping.sigmoid().strongWinRate(FloatBuffer.wrap(new float[] {0f}), 0)).isEqualTo(0.5);
    assertThat(LabelMapping.sigmoid().strongWinRate(FloatBuffer.wrap(new float[] {2f}), 0))
        .isCloseTo(1 / (1 + Math.exp(-2)), within(1e-12));
  }

  @Test
  void strongWinRate_nanLogit_returnsNan() {
    assertThat(LabelMapping.routeLlm().strongWinRate(FloatBuffer.wrap(new float[] {Float.NaN, 0, 0}), 0)).isNaN();
  }

  @Test
  void softmax_invalidWeights_rejectedWithReason() {
    assertThatThrownBy(() -> LabelMapping.softmax(1)).hasMessageContaining("at least 2 labels");
    assertThatThrownBy(() -> LabelMapping.softmax(1, 1.5)).hasMessageContaining("label 1").hasMessageContaining("1.5");
    assertThatThrownBy(() -> LabelMapping.softmax(Double.NaN, 1)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> LabelMapping.softmax(0, 0, 0)).hasMessageContaining("all weights are 0");
    assertThatThrownBy(() -> LabelMapping.softmax((double[]) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void softmax_sameWeights_equalAndDefensivelyCopied() {
    double[] w = {1, 0.5, 0};
    LabelMapping m = LabelMapping.softmax(w);
    w[0] = 0;
    assertThat(m).isEqualTo(LabelMapping.softmax(1, 0.5, 0)).hasSameHashCodeAs(LabelMapping.softmax(1, 0.5, 0));
    assertThat(m).isNotEqualTo(LabelMapping.routeLlm());
    assertThat(LabelMapping.softmax(1, 0, 0)).isEqualTo(LabelMapping.routeLlm());
  }
}
