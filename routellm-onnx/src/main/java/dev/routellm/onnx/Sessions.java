package dev.routellm.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;

/** Opens ONNX Runtime sessions with the requested execution provider, falling back to the CPU as the user chose. */
final class Sessions {
  private static final System.Logger LOG = System.getLogger(Sessions.class.getName());

  private Sessions() {}

  /** An open session and the provider it actually runs on. */
  record Opened(OrtSession session, ExecutionProvider provider) {}

  static Opened open(ModelSource source, ExecutionOptions options) {
    OrtEnvironment env = OrtRuntime.environment();
    ExecutionProvider requested = options.provider();
    if (requested.kind() == ExecutionProvider.Kind.CUDA) {
      String problem;
      if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
        problem =
            "the ONNX Runtime on the class path has no CUDA provider (it is the CPU build: use"
                + " com.microsoft.onnxruntime:onnxruntime_gpu instead of com.microsoft.onnxruntime:onnxruntime)";
      } else {
        try (SessionOptions so = base(options)) {
          addCuda(so, requested);
          return new Opened(source.open(env, so), requested);
        } catch (OrtException e) {
          problem = oneLine(e.getMessage());
        }
      }
      OrtSession cpu = openCpu(env, source, options); // throws InvalidFileException if the model itself is bad
      String message =
          "CUDA execution provider " + requested + " is not usable for model " + source.name() + ": " + problem;
      if (options.fallback() == ProviderFallback.FAIL) {
        closeQuietly(cpu);
        throw new ConfigurationException(
            message + ". Install CUDA 12 and cuDNN 9 with onnxruntime_gpu, or choose ProviderFallback.USE_CPU");
      }
      LOG.log(System.Logger.Level.WARNING, message + "; running on the CPU instead");
      return new Opened(cpu, ExecutionProvider.cpu());
    }
    return new Opened(openCpu(env, source, options), ExecutionProvider.cpu());
  }

  /**
   * A second CPU session of the model for inferences that find the model idle, with {@link
   * ExecutionOptions#soloIntraOpThreads()} threads. Its threads spin-wait for work, as ONNX Runtime's do by default
   * (one inference is hundreds of short parallel steps, and a sleeping thread is slow to wake, on virtual machines
   * especially), but for at most {@value #SOLO_SPIN_MICROS} microseconds after their last work instead of ONNX
   * Runtime's default of about 35 ms of a core after every inference (measured on a 2-core virtual machine). The short
   * spin still carries calls that follow each other closely; stopping all spinning when an inference ends ({@code
   * session.force_spinning_stop}) used as much CPU time on sparse calls and made inferences slower and more erratic.
   */
  static OrtSession openSolo(ModelSource source, ExecutionOptions options) {
    try (SessionOptions so = base(options, options.soloIntraOpThreads())) {
      so.addConfigEntry(SPIN_DURATION_KEY, Integer.toString(SOLO_SPIN_MICROS));
      return source.open(OrtRuntime.environment(), so);
    } catch (OrtException e) {
      throw InvalidFileException.ofResource(
          source.modelLocation(), "cannot open a second session for calls alone on the model: "
              + oneLine(e.getMessage()), e);
    }
  }

  /** How long the solo session's idle threads spin before they sleep, in microseconds. */
  static final int SOLO_SPIN_MICROS = 1000;

  /** ONNX Runtime's session configuration key (onnxruntime_session_options_config_keys.h; ONNX Runtime 1.26+). */
  private static final String SPIN_DURATION_KEY = "session.intra_op.spin_duration_us";

  private static OrtSession openCpu(OrtEnvironment env, ModelSource source, ExecutionOptions options) {
    try (SessionOptions so = base(options)) {
      return source.open(env, so);
    } catch (OrtException e) {
      throw InvalidFileException.ofResource(
          source.modelLocation(), "not an ONNX model that ONNX Runtime can load: " + oneLine(e.getMessage()), e);
    }
  }

  private static SessionOptions base(ExecutionOptions options) {
    return base(options, options.intraOpThreads());
  }

  private static SessionOptions base(ExecutionOptions options, int intraOpThreads) {
    SessionOptions so = new SessionOptions();
    try {
      so.setIntraOpNumThreads(intraOpThreads);
      so.setInterOpNumThreads(1);
      so.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
      so.setOptimizationLevel(options.optimizationLevel().toOrt());
      return so;
    } catch (OrtException e) {
      so.close();
      throw new ConfigurationException(
          "ONNX Runtime rejected the session options " + options + ": " + e.getMessage(), e);
    }
  }

  private static void addCuda(SessionOptions so, ExecutionProvider cuda) throws OrtException {
    try (OrtCUDAProviderOptions cudaOptions = new OrtCUDAProviderOptions(cuda.deviceId())) {
      if (cuda.memoryLimit().isPresent()) {
        cudaOptions.add("gpu_mem_limit", Long.toString(cuda.memoryLimitBytes()));
      }
      so.addCUDA(cudaOptions);
    }
  }

  static String oneLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    String line = message.replace('\n', ' ').replace('\r', ' ').strip();
    return line.length() > 500 ? line.substring(0, 500) + "..." : line;
  }

  static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException | IllegalStateException e) {
      // Nothing useful to do: the session is being discarded after another failure (or was closed already).
    }
  }
}
