package dev.routellm.onnx;

/**
 * Keeps DJL's tokenizer library off the network. Unless told otherwise, DJL reads a cloud metadata address and sends
 * usage data when a tokenizer is created; {@code ai.djl.offline=true} and {@code OPT_OUT_TRACKING=true} stop both. The
 * properties are set only where the user has not set them already (in the JVM or, for the opt-out, the environment).
 */
final class DjlSettings {
  static final String OFFLINE = "ai.djl.offline";
  static final String OPT_OUT = "OPT_OUT_TRACKING";

  private DjlSettings() {}

  static void ensureOffline() {
    if (System.getProperty(OFFLINE) == null) {
      System.setProperty(OFFLINE, "true");
    }
    if (System.getProperty(OPT_OUT) == null && System.getenv(OPT_OUT) == null) {
      System.setProperty(OPT_OUT, "true");
    }
  }
}
