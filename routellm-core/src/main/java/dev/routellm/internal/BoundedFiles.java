package dev.routellm.internal;

import dev.routellm.InvalidFileException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads files the library is given without ever running out of memory on them: a file must be a regular file (not a
 * directory, FIFO or device such as {@code /dev/zero}), no larger than a limit that fits what it holds and no larger
 * than half of the JVM's maximum heap, and is read with that bound even if it grows meanwhile; text is read line by
 * line with a bound on a line's length. Every refusal is an {@link InvalidFileException} naming the file, its size and
 * the limit. Not an API. Stateless and thread-safe.
 */
public final class BoundedFiles {
  /** Most bytes of a JSON document read whole (a model or configuration file, calibration). */
  public static final long MAX_JSON_BYTES = 64L << 20;
  /** Most bytes of a tokenizer file ({@code tokenizer.json} of multilingual models reaches 17 MiB). */
  public static final long MAX_TOKENIZER_BYTES = 256L << 20;
  /** Most bytes of a tensor file, a router file or a data file: far above any router or benchmark here. */
  public static final long MAX_DATA_BYTES = 1L << 30;
  /** Most bytes of a plain text file read whole (a prompt template, a list of prompts). */
  public static final long MAX_TEXT_BYTES = 64L << 20;
  /** Longest line of a text file, in characters. */
  public static final int MAX_LINE_CHARS = 16 << 20;

  private BoundedFiles() {}

  /**
   * Checks that {@code file} is a readable regular file of at most {@code maxBytes} and of at most half the heap.
   *
   * @param what what the file is, for messages ({@code "safetensors file"})
   * @return the file's size in bytes
   * @throws InvalidFileException when it is missing, not a regular file, unreadable or too large
   */
  public static long check(Path file, long maxBytes, String what) {
    if (!Files.isRegularFile(file)) {
      if (Files.isDirectory(file)) {
        throw InvalidFileException.of(file, "is a directory, not a " + what);
      }
      throw InvalidFileException.of(file, Files.exists(file)
          ? "is not a regular file (a device, FIFO or socket); a " + what + " must be a regular file"
          : "no such file");
    }
    if (!Files.isReadable(file)) {
      throw InvalidFileException.of(file, "is not readable");
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    }
    if (size > maxBytes) {
      throw InvalidFileException.of(file, "is " + size(size) + " (" + size + " bytes), over the limit of "
          + size(maxBytes) + " for a " + what);
    }
    long heap = Runtime.getRuntime().maxMemory();
    if (heap != Long.MAX_VALUE && size > heap / 2) {
      throw InvalidFileException.of(file, "is " + size(size) + ", more than half of the JVM's maximum heap ("
          + size(heap) + "); give the JVM more memory (-Xmx) to read this " + what);
    }
    return size;
  }

  /**
   * The bytes of {@code file}, {@linkplain #check checked} first and read with the bound.
   *
   * @throws InvalidFileException as {@link #check}, or when it cannot be read
   */
  public static byte[] readAllBytes(Path file, long maxBytes, String what) {
    check(file, maxBytes, what);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
      if (bytes.length > maxBytes) {
        throw InvalidFileException.of(file, "grew past the limit of " + size(maxBytes) + " for a " + what
            + " while it was read");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw InvalidFileException.of(file, "no such file", e);
    } catch (IOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * The text of {@code file} as UTF-8, {@linkplain #check checked} first and read with the bound; a byte sequence
   * that is not UTF-8 is an error.
   *
   * @throws InvalidFileException as {@link #readAllBytes}, or when it is not UTF-8
   */
  public static String readString(Path file, long maxBytes, String what) {
    byte[] bytes = readAllBytes(file, maxBytes, what);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw InvalidFileException.of(file, "is not UTF-8 text", e);
    }
  }

  /**
   * Opens {@code file} ({@linkplain #check checked} first) for reading UTF-8 lines of at most {@link #MAX_LINE_CHARS}.
   *
   * @throws InvalidFileException as {@link #check}, or when it cannot be opened
   */
  public static Lines lines(Path file, long maxBytes, String what) {
    check(file, maxBytes, what);
    try {
      return new Lines(Files.newInputStream(file), MAX_LINE_CHARS);
    } catch (IOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    }
  }

  /** A size for people: {@code 3 GiB}, {@code 1.5 MiB}, {@code 200 bytes}. */
  public static String size(long bytes) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    if (unit == 0) {
      return bytes + " bytes";
    }
    return (value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value))
        + " " + units[unit];
  }

  /** The lines of a UTF-8 text, each at most a given length; malformed UTF-8 is replaced. Not thread-safe. */
  public static final class Lines implements Closeable {
    private final BufferedReader reader;
    private final int maxChars;
    private final StringBuilder line = new StringBuilder();
    private long number;

    Lines(InputStream in, int maxChars) {
      this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
      this.maxChars = maxChars;
    }

    /**
     * The next line without its terminator ({@code \n}, {@code \r\n} or {@code \r}), or null at the end.
     *
     * @throws LineTooLongException when a line passes the limit
     * @throws IOException when reading fails
     */
    public String next() throws IOException {
      line.setLength(0);
      int c;
      while ((c = reader.read()) >= 0) {
        if (c == '\n') {
          break;
        }
        if (c == '\r') {
          reader.mark(1);
          if (reader.read() != '\n') {
            reader.reset();
          }
          break;
        }
        if (line.length() >= maxChars) {
          throw new LineTooLongException(number + 1, maxChars);
        }
        line.append((char) c);
      }
      if (c < 0 && line.length() == 0) {
        return null;
      }
      number++;
      return line.toString();
    }

    /** The 1-based number of the line last returned. */
    public long number() {
      return number;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  /** A line longer than the limit. */
  public static final class LineTooLongException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long line;

    LineTooLongException(long line, int maxChars) {
      super("line " + line + " is longer than " + maxChars + " characters");
      this.line = line;
    }

    /** The 1-based number of the line. */
    public long line() {
      return line;
    }
  }
}
