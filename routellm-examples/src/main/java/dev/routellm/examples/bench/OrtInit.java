package dev.routellm.examples.bench;

import ai.onnxruntime.OrtEnvironment;

/**
 * Loads ONNX Runtime on a thread with a large stack before LangChain4j touches it. ONNX Runtime 1.29's native
 * initialisation can overflow a default 1 MB thread stack (SIGSEGV), and LangChain4j loads it on the calling thread;
 * routellm-onnx does this itself, so only the peer needs it.
 */
final class OrtInit {
  private OrtInit() {}

  static void onLargeStack() throws InterruptedException {
    Thread t = new Thread(null, OrtEnvironment::getEnvironment, "ort-init", 16L << 20);
    t.start();
    t.join();
  }
}
