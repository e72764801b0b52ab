package dev.routellm.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any long work starts, that a file a command will write at the end can be written: so a typo in
 * {@code --plot} or {@code --out} fails in a second, not after an hour of evaluation. Stateless.
 */
final class OutputFiles {
  private OutputFiles() {}

  /**
   * Checks a file whose directory must exist already.
   *
   * @throws IllegalArgumentException naming {@code option} and the path when the file is a directory, exists but is
   *     read-only, or its directory does not exist or is not writable
   */
  static void requireWritable(String option, Path file) {
    requireWritable(option, file, false);
  }

  /**
   * Checks a file; with {@code createsParents}, a missing directory is fine when the command will create it, that is
   * when its nearest existing ancestor is a writable directory.
   */
  static void requireWritable(String option, Path file, boolean createsParents) {
    Path absolute = file.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      throw new IllegalArgumentException(option + ": " + file + " is a directory, not a file");
    }
    if (Files.exists(absolute)) {
      if (!Files.isWritable(absolute)) {
        throw new IllegalArgumentException(option + ": " + file + " exists and is not writable");
      }
      return;
    }
    Path dir = absolute.getParent();
    while (createsParents && dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + ": cannot write " + file + ": the directory " + dir
          + " does not exist");
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException(option + ": cannot write " + file + ": the directory " + dir
          + " is not writable");
    }
  }
}
