package dev.routellm;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A model, router or data file is missing, unreadable or malformed. The message names the file and, where known,
 * the line and the field at fault, for example {@code "data.csv line 12: field 'strong' must be true or false but
 * was 'yes'"}.
 */
public final class InvalidFileException extends RouteLlmException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long line;

  private InvalidFileException(String file, long line, String message, Throwable cause) {
    super(message, cause);
    this.file = file;
    this.line = line;
  }

  /** A problem with the file as a whole. */
  public static InvalidFileException of(Path file, String problem) {
    return of(file, problem, null);
  }

  /** A problem with the file as a whole, with its cause. */
  public static InvalidFileException of(Path file, String problem, Throwable cause) {
    String name = String.valueOf(Objects.requireNonNull(file, "file"));
    return new InvalidFileException(name, 0, name + ": " + problem, cause);
  }

  /** A problem on one line (1-based) of a text file. */
  public static InvalidFileException atLine(Path file, long line, String problem) {
    return atLine(file, line, problem, null);
  }

  /** A problem on one line (1-based) of a text file, with its cause. */
  public static InvalidFileException atLine(Path file, long line, String problem, Throwable cause) {
    String name = String.valueOf(Objects.requireNonNull(file, "file"));
    return new InvalidFileException(name, line, name + " line " + line + ": " + problem, cause);
  }

  /** A problem in a named resource that is not a file on disk (a classpath resource, a stream). */
  public static InvalidFileException ofResource(String resource, String problem, Throwable cause) {
    Objects.requireNonNull(resource, "resource");
    return new InvalidFileException(resource, 0, resource + ": " + problem, cause);
  }

  /** The file (or resource) at fault, as given by the caller. */
  public String file() {
    return file;
  }

  /** The 1-based line at fault, or empty when the problem is not tied to a line. */
  public OptionalLong line() {
    return line > 0 ? OptionalLong.of(line) : OptionalLong.empty();
  }
}
