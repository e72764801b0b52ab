package dev.routellm.examples.cli;

import picocli.CommandLine;

/** Reads the version from the jar's manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = RouteLlmCommand.class.getPackage().getImplementationVersion();
    return new String[] {"routellm " + (v == null ? "development build" : v)};
  }
}
