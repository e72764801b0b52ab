package dev.routellm.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.routellm.onnx.BuiltInEmbeddingModel;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BenchInputsTest {
  private static HuggingFaceTokenizer tokenizer;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in =
        BenchInputsTest.class
            .getClassLoader()
            .getResourceAsStream(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q.tokenizerResource())) {
      tokenizer =
          HuggingFaceTokenizer.newInstance(
              in, Map.of("padding", "false", "truncation", "false", "maxLength", "100000"));
    }
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static int textTokens(String text) {
    return tokenizer.encode(text).getIds().length - 2; // [CLS] and [SEP]
  }

  @Test
  void prompts_asNamed_haveTwentyAndTwoHundredTokens() {
    assertThat(textTokens(BenchInputs.PROMPT_20)).isEqualTo(20);
    assertThat(textTokens(BenchInputs.PROMPT_200)).isEqualTo(200);
  }

  @Test
  void batch_fixedSeed_sixtyFourMixedLengthTexts() {
    assertThat(BenchInputs.BATCH).hasSize(BenchInputs.BATCH_SIZE).doesNotContainNull();
    int min = Integer.MAX_VALUE;
    int max = 0;
    long sum = 0;
    for (String t : BenchInputs.BATCH) {
      int n = textTokens(t);
      min = Math.min(min, n);
      max = Math.max(max, n);
      sum += n;
    }
    assertThat(min).isLessThan(30);
    assertThat(max).isGreaterThan(150);
    assertThat(sum / BenchInputs.BATCH.size()).isBetween(50L, 150L);
  }
}
