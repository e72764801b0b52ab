package dev.routellm.labelling;

import dev.routellm.InvalidFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import dev.routellm.data.JsonLines;
import dev.routellm.internal.BoundedFiles;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The judgements file: one JSON object per labelled prompt, appended with one write and forced to disk before the
 * next, so that a killed run leaves at most one incomplete last line. Opening it drops such a line (that prompt is
 * labelled again), collects the ids already labelled and what they cost, and checks that they were labelled with the
 * same models, judge and mode. Appends are thread-safe.
 */
final class Ledger implements AutoCloseable {
  static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Path file;
  private final Set<String> ids;
  private final double spent;
  private final boolean droppedPartialLine;
  private final FileChannel channel;

  private Ledger(Path file, Set<String> ids, double spent, boolean droppedPartialLine, FileChannel channel) {
    this.file = file;
    this.ids = ids;
    this.spent = spent;
    this.droppedPartialLine = droppedPartialLine;
    this.channel = channel;
  }

  /**
   * Opens (or creates) the judgements file for appending.
   *
   * @throws InvalidFileException when a complete line is not a judgement record, or a record was made with other
   *     models, judge or mode (the message names the line)
   */
  static Ledger open(Path file, List<String> models, String judge, JudgeMode mode) {
    Set<String> ids = new HashSet<>();
    double[] spent = {0};
    boolean dropped = false;
    try {
      if (Files.exists(file)) {
        BoundedFiles.check(file, BoundedFiles.MAX_DATA_BYTES, "judgements file");
        dropped = dropPartialLastLine(file);
        forEach(file, (line, record) -> {
          check(file, line, record, models, judge, mode);
          ids.add(record.get("id").asString());
          spent[0] += record.path("cost").asDouble(0);
        });
      }
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      return new Ledger(file, ids, spent[0], dropped, channel);
    } catch (IOException e) {
      throw InvalidFileException.of(file, "cannot be opened for appending: " + e.getMessage(), e);
    }
  }

  /** Calls {@code action} with each record of the file and its line number, in order. */
  static void forEach(Path file, BiConsumer<Long, ObjectNode> action) {
    JsonLines.read(file, (line, node) -> {
      if (!(node instanceof ObjectNode object) || !node.path("id").isString()) {
        throw InvalidFileException.atLine(file, line, "is not a judgement record (no string 'id')");
      }
      action.accept(line, object);
    });
  }

  private static void check(Path file, long line, JsonNode record, List<String> models, String judge,
      JudgeMode mode) {
    List<String> recorded = record.path("models").valueStream().map(JsonNode::asString).toList();
    String recordedJudge = record.path("judge").asString("");
    String recordedMode = record.path("mode").asString("");
    if (!recorded.equals(models) || !recordedJudge.equals(judge) || !recordedMode.equals(modeName(mode))) {
      throw InvalidFileException.atLine(file, line, "was labelled with models " + recorded + ", judge '"
          + recordedJudge + "', mode " + recordedMode + " but this run has models " + models + ", judge '" + judge
          + "', mode " + modeName(mode) + ": write to another output, or run with the same settings to resume");
    }
  }

  static String modeName(JudgeMode mode) {
    return mode.name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Cuts the file after its last line break when it does not end with one: the rest is a record a killed run was
   * writing. Returns whether it cut anything.
   */
  private static boolean dropPartialLastLine(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      if (size == 0) {
        return false;
      }
      long keep = size;
      ByteBuffer one = ByteBuffer.allocate(1);
      while (keep > 0) {
        one.clear();
        ch.read(one, keep - 1);
        if (one.get(0) == '\n') {
          break;
        }
        keep--;
      }
      if (keep == size) {
        return false;
      }
      ch.truncate(keep);
      ch.force(true);
      return true;
    }
  }

  /** Whether the prompt with this id is labelled already. */
  boolean contains(String id) {
    return ids.contains(id);
  }

  /** Dollars the records already in the file cost. */
  double spent() {
    return spent;
  }

  /** Whether opening dropped an incomplete last line. */
  boolean droppedPartialLine() {
    return droppedPartialLine;
  }

  Path file() {
    return file;
  }

  /** Appends one record as one line, with one write, and forces it to disk. */
  synchronized void append(ObjectNode record) {
    byte[] bytes = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
