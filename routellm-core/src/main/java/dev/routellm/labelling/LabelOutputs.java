package dev.routellm.labelling;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes the battles and scores files from the judgements file, each written to a temporary file and moved into place,
 * so that a reader never sees half of one.
 */
final class LabelOutputs {
  /** What the files hold. */
  record Counts(int battles, int scored) {}

  private LabelOutputs() {}

  static Counts write(LabelFiles files, List<String> models, JudgeMode mode) {
    Path battlesTmp = temporary(files.battles());
    Path scoresTmp = temporary(files.scores());
    int[] counts = new int[2];
    try (BufferedWriter battles = Files.newBufferedWriter(battlesTmp, StandardCharsets.UTF_8);
        BufferedWriter scores = Files.newBufferedWriter(scoresTmp, StandardCharsets.UTF_8)) {
      if (Files.exists(files.judgements())) {
        Ledger.forEach(files.judgements(), (line, record) -> {
          try {
            for (JsonNode b : record.path("battles")) {
              battles.write(Ledger.JSON.writeValueAsString(battle(record, b)));
              battles.newLine();
              counts[0]++;
            }
            ObjectNode row = models.size() == 2 ? pairRow(record, models) : poolRow(record, models);
            if (row != null) {
              scores.write(Ledger.JSON.writeValueAsString(row));
              scores.newLine();
              counts[1]++;
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    } catch (IOException | UncheckedIOException e) {
      deleteQuietly(battlesTmp);
      deleteQuietly(scoresTmp);
      IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
      throw new UncheckedIOException("cannot write " + files.battles() + " and " + files.scores() + ": "
          + cause.getMessage(), cause);
    }
    move(battlesTmp, files.battles());
    move(scoresTmp, files.scores());
    return new Counts(counts[0], counts[1]);
  }

  /** A battle line: the battle file's fields, the judge, and the ratings (single) or verdicts (pairwise). */
  private static ObjectNode battle(ObjectNode record, JsonNode b) {
    ObjectNode n = Ledger.JSON.createObjectNode();
    n.put("id", record.get("id").asString());
    n.put("prompt", record.path("prompt").asString());
    String a = b.path("model_a").asString();
    String c = b.path("model_b").asString();
    n.put("model_a", a);
    n.put("model_b", c);
    n.put("winner", b.path("winner").asString());
    n.put("judge", record.path("judge").asString());
    n.put("mode", record.path("mode").asString());
    JsonNode scores = record.path("scores");
    if (b.has("verdicts")) {
      n.set("verdicts", b.get("verdicts"));
    } else if (scores.has(a) && scores.has(c)) {
      ObjectNode s = n.putObject("scores");
      s.set(a, scores.get(a));
      s.set(c, scores.get(c));
    }
    return n;
  }

  /** The two-model user data format: the first model as {@code strong}, the second as {@code weak}. */
  private static ObjectNode pairRow(ObjectNode record, List<String> models) {
    JsonNode scores = record.path("scores");
    if (!scores.has(models.get(0)) || !scores.has(models.get(1))) {
      return null;
    }
    ObjectNode n = Ledger.JSON.createObjectNode();
    n.put("id", record.get("id").asString());
    n.put("prompt", record.path("prompt").asString());
    String[] roles = {"strong", "weak"};
    for (int i = 0; i < 2; i++) {
      n.set(roles[i], scores.get(models.get(i)));
    }
    for (int i = 0; i < 2; i++) {
      n.put(roles[i] + "_model", models.get(i));
    }
    for (int i = 0; i < 2; i++) {
      JsonNode answer = record.path("answers").path(models.get(i));
      n.put(roles[i] + "_response", answer.path("text").asString());
      n.put(roles[i] + "_input_tokens", answer.path("input_tokens").asLong());
      n.put(roles[i] + "_output_tokens", answer.path("output_tokens").asLong());
      n.put(roles[i] + "_cost", answer.path("cost").asDouble());
    }
    return n;
  }

  /** The N-model data format: {@code outcomes}, {@code responses}, tokens and costs per model. */
  private static ObjectNode poolRow(ObjectNode record, List<String> models) {
    JsonNode scores = record.path("scores");
    for (String m : models) {
      if (!scores.has(m)) {
        return null;
      }
    }
    ObjectNode n = Ledger.JSON.createObjectNode();
    n.put("id", record.get("id").asString());
    n.put("prompt", record.path("prompt").asString());
    if (record.has("reference")) {
      n.put("answer", record.get("reference").asString());
    }
    ObjectNode outcomes = n.putObject("outcomes");
    ObjectNode responses = n.putObject("responses");
    ObjectNode input = n.putObject("input_tokens");
    ObjectNode output = n.putObject("output_tokens");
    ObjectNode costs = n.putObject("costs");
    for (String m : models) {
      JsonNode answer = record.path("answers").path(m);
      outcomes.set(m, scores.get(m));
      responses.put(m, answer.path("text").asString());
      input.put(m, answer.path("input_tokens").asLong());
      output.put(m, answer.path("output_tokens").asLong());
      costs.put(m, answer.path("cost").asDouble());
    }
    return n;
  }

  private static Path temporary(Path target) {
    Path name = target.getFileName();
    return target.resolveSibling("." + (name == null ? "labels" : name.toString()) + ".tmp");
  }

  private static void move(Path from, Path to) {
    try {
      try {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // the temporary file is left behind; the next run overwrites it
    }
  }
}
