package dev.routellm.examples.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code --json} option shared by every subcommand: with it, the command prints exactly one JSON object on stdout
 * and its human-readable text on stderr; without it, the text goes to stdout.
 */
public final class OutputOptions {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object on stdout; human text goes to stderr.")
  boolean json;

  /** Whether {@code --json} was given. */
  public boolean json() {
    return json;
  }

  /** Where human-readable text goes. */
  public PrintWriter text() {
    return json ? spec.commandLine().getErr() : spec.commandLine().getOut();
  }

  /** Where warnings go: stderr, always. */
  public PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Prints the JSON result when {@code --json} was given; does nothing otherwise. */
  public void result(Object value) {
    if (json) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(JSON.writeValueAsString(value));
      out.flush();
    }
  }

  /** The shared JSON mapper. */
  public static ObjectMapper mapper() {
    return JSON;
  }
}
