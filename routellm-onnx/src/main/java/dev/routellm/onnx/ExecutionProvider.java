package dev.routellm.onnx;

import java.util.OptionalLong;

/**
 * Where a model runs: on the CPU (the default) or on an NVIDIA GPU through ONNX Runtime's CUDA execution provider.
 *
 * <p>CUDA needs the {@code com.microsoft.onnxruntime:onnxruntime_gpu} artifact <em>instead of</em> {@code
 * com.microsoft.onnxruntime:onnxruntime} (exclude the latter from {@code routellm-onnx}; never put both on one class
 * path), plus the CUDA and cuDNN libraries that ONNX Runtime's release notes name for that version (for 1.29.0: CUDA
 * 12.x and cuDNN 9). With the CPU artifact, asking for CUDA either fails or falls back to the CPU, as {@link
 * ProviderFallback} says.
 *
 * <p>Immutable value; thread-safe.
 *
 * @param kind CPU or CUDA
 * @param deviceId the CUDA device ordinal; 0 for the CPU
 * @param memoryLimitBytes the most GPU memory ONNX Runtime's arena may take, or 0 for no limit; 0 for the CPU
 */
public record ExecutionProvider(Kind kind, int deviceId, long memoryLimitBytes) {
  /** The two providers this library drives. */
  public enum Kind {
    /** ONNX Runtime's default CPU provider. */
    CPU,
    /** NVIDIA GPUs through the CUDA provider of {@code onnxruntime_gpu}. */
    CUDA
  }

  private static final ExecutionProvider CPU = new ExecutionProvider(Kind.CPU, 0, 0);

  /** Validates the fields: a non-null kind, non-negative device and limit, and no device or limit for the CPU. */
  public ExecutionProvider {
    java.util.Objects.requireNonNull(kind, "kind");
    if (deviceId < 0) {
      throw new IllegalArgumentException("deviceId must be >= 0 but was " + deviceId);
    }
    if (memoryLimitBytes < 0) {
      throw new IllegalArgumentException("memoryLimitBytes must be >= 0 (0 = no limit) but was " + memoryLimitBytes);
    }
    if (kind == Kind.CPU && (deviceId != 0 || memoryLimitBytes != 0)) {
      throw new IllegalArgumentException("the CPU provider takes no device id or memory limit");
    }
  }

  /** The CPU provider. */
  public static ExecutionProvider cpu() {
    return CPU;
  }

  /** CUDA on the given device, with no memory limit. */
  public static ExecutionProvider cuda(int deviceId) {
    return new ExecutionProvider(Kind.CUDA, deviceId, 0);
  }

  /**
   * The same CUDA device with a cap on the GPU memory ONNX Runtime may take.
   *
   * @throws IllegalStateException on the CPU provider
   * @throws IllegalArgumentException when {@code bytes} is not positive
   */
  public ExecutionProvider withMemoryLimit(long bytes) {
    if (kind != Kind.CUDA) {
      throw new IllegalStateException("a memory limit applies to CUDA only");
    }
    if (bytes <= 0) {
      throw new IllegalArgumentException("memory limit must be > 0 bytes but was " + bytes);
    }
    return new ExecutionProvider(kind, deviceId, bytes);
  }

  /** The memory limit, or empty when there is none. */
  public OptionalLong memoryLimit() {
    return memoryLimitBytes > 0 ? OptionalLong.of(memoryLimitBytes) : OptionalLong.empty();
  }

  @Override
  public String toString() {
    if (kind == Kind.CPU) {
      return "CPU";
    }
    return "CUDA:" + deviceId + (memoryLimitBytes > 0 ? " (limit " + memoryLimitBytes + " bytes)" : "");
  }
}
