package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DjlSettingsTest {
  @Test
  void ensureOffline_propertiesUnset_setsOfflineAndOptOut() {
    String offline = System.clearProperty(DjlSettings.OFFLINE);
    String optOut = System.clearProperty(DjlSettings.OPT_OUT);
    try {
      DjlSettings.ensureOffline();
      assertThat(System.getProperty(DjlSettings.OFFLINE)).isEqualTo("true");
      // surefire exports OPT_OUT_TRACKING=true in the environment, which DJL reads as well; then no property is needed
      if (System.getenv(DjlSettings.OPT_OUT) == null) {
        assertThat(System.getProperty(DjlSettings.OPT_OUT)).isEqualTo("true");
      } else {
        assertThat(System.getProperty(DjlSettings.OPT_OUT)).isNull();
      }
    } finally {
      restore(DjlSettings.OFFLINE, offline);
      restore(DjlSettings.OPT_OUT, optOut);
    }
  }

  @Test
  void ensureOffline_userChoseOtherwise_keepsUserValue() {
    String offline = System.getProperty(DjlSettings.OFFLINE);
    try {
      System.setProperty(DjlSettings.OFFLINE, "false");
      DjlSettings.ensureOffline();
      assertThat(System.getProperty(DjlSettings.OFFLINE)).isEqualTo("false");
    } finally {
      restore(DjlSettings.OFFLINE, offline);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
