package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutionOptionsTest {
  @Test
  void defaults_cpuFailFastOneThreadAllCoresWhenAloneAllOptimisations() {
    ExecutionOptions d = ExecutionOptions.defaults();
    assertThat(d.provider()).isEqualTo(ExecutionProvider.cpu());
    assertThat(d.fallback()).isEqualTo(ProviderFallback.FAIL);
    assertThat(d.intraOpThreads()).isEqualTo(ExecutionOptions.DEFAULT_INTRA_OP_THREADS);
    assertThat(d.soloIntraOpThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(d.parallelism()).isEqualTo(ExecutionOptions.defaultParallelism());
    assertThat(d.optimizationLevel()).isEqualTo(OptimizationLevel.ALL);
  }

  @Test
  void toBuilder_roundTrip_equalOptions() {
    ExecutionOptions o =
        ExecutionOptions.builder()
            .provider(ExecutionProvider.cuda(1).withMemoryLimit(1L << 30))
            .onProviderUnavailable(ProviderFallback.USE_CPU)
            .intraOpThreads(2)
            .soloIntraOpThreads(5)
            .parallelism(3)
            .optimizationLevel(OptimizationLevel.BASIC)
            .build();
    assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
    assertThat(o.toBuilder().intraOpThreads(1).build()).isNotEqualTo(o);
    assertThat(o.toBuilder().soloIntraOpThreads(1).build()).isNotEqualTo(o);
    assertThat(o.toString()).contains("intraOpThreads=2").contains("soloIntraOpThreads=5");
    assertThat(o.provider().memoryLimit()).hasValue(1L << 30);
    assertThat(o.provider().toString()).isEqualTo("CUDA:1 (limit 1073741824 bytes)");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 257})
  void builder_threadCountsOutOfRange_rejectedWithValue(int n) {
    assertThatThrownBy(() -> ExecutionOptions.builder().intraOpThreads(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was " + n);
    assertThatThrownBy(() -> ExecutionOptions.builder().soloIntraOpThreads(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("soloIntraOpThreads")
        .hasMessageContaining("but was " + n);
    assertThatThrownBy(() -> ExecutionOptions.builder().parallelism(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was " + n);
  }

  @Test
  void executionProvider_invalidValues_rejected() {
    assertThatThrownBy(() -> ExecutionProvider.cuda(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ExecutionProvider.cuda(0).withMemoryLimit(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ExecutionProvider.cpu().withMemoryLimit(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new ExecutionProvider(ExecutionProvider.Kind.CPU, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ExecutionProvider.cuda(0).memoryLimit()).isEmpty();
  }

  @Test
  void cudaWithFallbackToCpu_onCpuOnlyRuntime_runsOnCpuAndLogsOneWarning() {
    Logger logger = Logger.getLogger(Sessions.class.getName());
    List<LogRecord> records = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(capture);
    try (OnnxEmbedder e =
        OnnxEmbedder.builder()
            .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
            .execution(
                ExecutionOptions.builder()
                    .provider(ExecutionProvider.cuda(0))
                    .onProviderUnavailable(ProviderFallback.USE_CPU)
                    .build())
            .build()) {
      assertThat(e.provider()).isEqualTo(ExecutionProvider.cpu());
      assertThat(e.embed("runs on the CPU")).hasSize(384);
    } finally {
      logger.removeHandler(capture);
    }
    assertThat(records).hasSize(1);
    assertThat(records.get(0).getLevel()).isEqualTo(Level.WARNING);
    assertThat(records.get(0).getMessage())
        .contains("CUDA:0")
        .contains("all-minilm-l6-v2-q")
        .contains("onnxruntime_gpu")
        .contains("running on the CPU")
        .doesNotContain("\n");
  }

  @Test
  void cudaWithFailPolicy_onCpuOnlyRuntime_throwsConfigurationSayingWhy() {
    assertThatThrownBy(
            () ->
                OnnxEmbedder.builder()
                    .builtIn(BuiltInEmbeddingModel.ALL_MINILM_L6_V2_Q)
                    .execution(ExecutionOptions.builder().provider(ExecutionProvider.cuda(0)).build())
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("CUDA")
        .hasMessageContaining("onnxruntime_gpu")
        .hasMessageContaining("ProviderFallback.USE_CPU");
  }
}
