package dev.routellm;

/**
 * The library was configured in a way that cannot work: a required component is missing, a model has no price, an
 * API key is absent, an execution provider cannot load. Fix the configuration; retrying will not help.
 */
public final class ConfigurationException extends RouteLlmException {
  private static final long serialVersionUID = 1L;

  public ConfigurationException(String message) {
    super(message, null);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
