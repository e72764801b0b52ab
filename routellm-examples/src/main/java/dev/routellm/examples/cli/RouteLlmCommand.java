package dev.routellm.examples.cli;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.RouteLlmException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code routellm} command line. Exit codes: 0 on success, 2 on bad usage or bad input (with a one-line message
 * on stderr), 1 on any other failure (a backend that cannot answer, an internal error).
 */
@Command(
    name = "routellm",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Cost-aware routing between a strong and a weak LLM.",
    subcommands = {
      QuickstartCommand.class,
      RouteCommand.class,
      EvalCommand.class,
      TrainCommand.class,
      LabelCommand.class,
      CalibrateCommand.class,
      CascadeCommand.class,
      ServeCommand.class,
      BenchCommand.class,
      ServerBenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class RouteLlmCommand implements Runnable {
  /** Exit code for bad usage or bad input. */
  public static final int EXIT_USAGE = 2;
  /** Exit code for failures that are not the user's input. */
  public static final int EXIT_FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (for tests: nothing calls {@code System.exit}). */
  public static int execute(String... args) {
    return newCommandLine().execute(args);
  }

  /** The configured command line, with the project's exit codes and one-line error messages. */
  public static CommandLine newCommandLine() {
    CommandLine cmd = new CommandLine(new RouteLlmCommand());
    cmd.setExitCodeExceptionMapper(RouteLlmCommand::exitCode);
    cmd.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("routellm: " + ex.getMessage());
          err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more.");
          err.flush();
          return EXIT_USAGE;
        });
    cmd.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          err.println("routellm: " + oneLine(ex));
          err.flush();
          if (Boolean.getBoolean("routellm.debug")) {
            ex.printStackTrace(err);
          }
          return exitCode(ex);
        });
    return cmd;
  }

  static int exitCode(Throwable t) {
    if (t instanceof InvalidFileException
        || t instanceof ConfigurationException
        || t instanceof IllegalArgumentException
        || t instanceof CommandLine.ParameterException) {
      return EXIT_USAGE;
    }
    return EXIT_FAILURE;
  }

  /** The exception's message on one line, with the cause's when the top one is only a wrapper. */
  static String oneLine(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      message = t.getClass().getSimpleName();
    }
    if (!(t instanceof RouteLlmException) && !(t instanceof IllegalArgumentException) && t.getCause() != null
        && t.getCause().getMessage() != null) {
      message = message + ": " + t.getCause().getMessage();
    }
    return message.replace('\n', ' ').replace('\r', ' ');
  }
}
