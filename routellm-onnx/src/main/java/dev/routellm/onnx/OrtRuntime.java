package dev.routellm.onnx;

import ai.onnxruntime.OrtEnvironment;
import dev.routellm.ConfigurationException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process-wide ONNX Runtime environment, created once on a thread with a large stack.
 *
 * <p>Why: loading ONNX Runtime 1.29's native library runs initialisers that need more than the JVM's default 1 MB of
 * thread stack when the class path is long (measured on Linux x64: a 4.6 kB class path crashed the JVM with SIGSEGV in
 * {@code OrtEnvironment.getEnvironment()} on a 1 MB thread and worked on 1.5 MB; sessions and runs afterwards are fine
 * on 256 kB threads). Creating the environment on a 16 MB thread makes the library safe on any caller thread.
 */
final class OrtRuntime {
  private static final long INIT_THREAD_STACK_BYTES = 16L << 20;
  private static volatile OrtEnvironment environment;

  private OrtRuntime() {}

  /**
   * The environment, created on first use.
   *
   * @throws ConfigurationException when ONNX Runtime's native library cannot load on this platform
   */
  static OrtEnvironment environment() {
    OrtEnvironment env = environment;
    if (env != null) {
      return env;
    }
    synchronized (OrtRuntime.class) {
      if (environment == null) {
        environment = createOnLargeStack();
      }
      return environment;
    }
  }

  private static OrtEnvironment createOnLargeStack() {
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread init =
        new Thread(
            null,
            () -> {
              try {
                outcome.set(OrtEnvironment.getEnvironment());
              } catch (Throwable t) { // UnsatisfiedLinkError, OrtException wrapped by ORT in IllegalStateException
                outcome.set(t);
              }
            },
            "routellm-onnx-init",
            INIT_THREAD_STACK_BYTES);
    init.setDaemon(true);
    init.start();
    boolean interrupted = false;
    while (true) {
      try {
        init.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // finish loading: a half-loaded native library is worse than a late interrupt
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Object result = outcome.get();
    if (result instanceof OrtEnvironment env) {
      return env;
    }
    Throwable failure = (Throwable) result;
    throw new ConfigurationException(
        "ONNX Runtime cannot load on this platform (" + System.getProperty("os.name") + " "
            + System.getProperty("os.arch") + "): " + failure,
        failure);
  }
}
