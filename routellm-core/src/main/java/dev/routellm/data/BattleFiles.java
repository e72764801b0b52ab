package dev.routellm.data;

import dev.routellm.InvalidFileException;
import dev.routellm.internal.BoundedFiles;
import dev.routellm.prediction.Battle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes battle files: JSON Lines, one battle per line, in the format {@code routellm label} writes or in
 * Chatbot Arena's.
 *
 * <table>
 *   <caption>Fields of a battle</caption>
 *   <tr><th>field</th><th></th><th>value</th></tr>
 *   <tr><td>{@code prompt}</td><td>required unless {@code conversation_a} is given</td><td>the prompt both models
 *       answered</td></tr>
 *   <tr><td>{@code conversation_a}</td><td>Arena's</td><td>model A's conversation, an array of
 *       {@code {"role", "content"}} messages: the first user message is the prompt</td></tr>
 *   <tr><td>{@code model_a}, {@code model_b}</td><td>required</td><td>the two models, different names</td></tr>
 *   <tr><td>{@code winner}</td><td>required</td><td>{@code model_a}, {@code model_b}, {@code tie} or Arena's
 *       {@code tie (bothbad)}</td></tr>
 *   <tr><td>{@code scores}</td><td>optional</td><td>the two answers' scores, {@code {"MODEL_A": 8, "MODEL_B": 6}}: a
 *       judge's ratings, or the outcomes the battle came from ({@link BattleSet#toDataset} uses them)</td></tr>
 * </table>
 *
 * <p>Other fields ({@code judge}, {@code verdicts}, Arena's {@code question_id}, {@code language}, ...) are read by
 * other tools and ignored here. A prompt that appears on several lines is one prompt with several battles. Blank lines
 * are skipped; a file that is a JSON array (Arena's bulk dumps) must first become JSON lines ({@code jq -c '.[]'}).
 *
 * <p>Stateless and thread-safe. Every problem is an {@link InvalidFileException} naming the file, the line and the
 * field.
 */
public final class BattleFiles {
  /** The winner values this format knows, as written in a file. */
  public static final List<String> WINNERS = List.of("model_a", "model_b", "tie", "tie (bothbad)");

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private BattleFiles() {}

  /**
   * Reads a battle file.
   *
   * @throws InvalidFileException when the file is missing, unreadable or empty, or a line is malformed (the message
   *     names the file, the line and the field)
   */
  public static BattleSet read(Path file) {
    Objects.requireNonNull(file, "file");
    rejectJsonArray(file);
    BattleSet.Indexer prompts = new BattleSet.Indexer();
    List<Battle> battles = new ArrayList<>();
    List<double[]> scores = new ArrayList<>();
    JsonLines.read(file, (line, object) -> {
      String prompt = prompt(file, line, object);
      String a = JsonLines.requireString(file, line, object, "model_a");
      String b = JsonLines.requireString(file, line, object, "model_b");
      if (a.isBlank() || b.isBlank()) {
        throw InvalidFileException.atLine(file, line, "field '" + (a.isBlank() ? "model_a" : "model_b")
            + "' must not be blank");
      }
      if (a.equals(b)) {
        throw InvalidFileException.atLine(file, line, "fields 'model_a' and 'model_b' must differ but both were '"
            + a + "'");
      }
      Battle.Winner winner = winner(file, line, JsonLines.requireString(file, line, object, "winner"));
      battles.add(new Battle(prompts.of(prompt, (int) Math.min(line, Integer.MAX_VALUE)), a, b, winner));
      scores.add(scores(file, line, object, a, b));
    });
    if (battles.isEmpty()) {
      throw InvalidFileException.of(file, "holds no battles");
    }
    double[] scoresA = new double[scores.size()];
    double[] scoresB = new double[scores.size()];
    for (int i = 0; i < scoresA.length; i++) {
      scoresA[i] = scores.get(i)[0];
      scoresB[i] = scores.get(i)[1];
    }
    return BattleSet.of(prompts.prompts(), battles, scoresA, scoresB);
  }

  /** The two answers' scores from an optional {@code scores} object naming both models, else NaN. */
  private static double[] scores(Path file, long line, JsonNode object, String a, String b) {
    JsonNode scores = object.get("scores");
    if (scores == null || scores.isNull()) {
      return new double[] {Double.NaN, Double.NaN};
    }
    JsonNode sa = scores.get(a);
    JsonNode sb = scores.get(b);
    if (!scores.isObject() || sa == null || sb == null || !sa.isNumber() || !sb.isNumber()
        || !Double.isFinite(sa.doubleValue()) || !Double.isFinite(sb.doubleValue())) {
      throw InvalidFileException.atLine(file, line, "field 'scores' must give a number for '" + a + "' and for '"
          + b + "' but was " + JsonLines.describe(scores));
    }
    return new double[] {sa.doubleValue(), sb.doubleValue()};
  }

  /**
   * Reads a battle file of exactly two models as a two-model dataset ({@link BattleSet#toDataset}), the model that
   * wins more battles as the strong one; what {@link DatasetFiles#read} does with a battle file, so that
   * {@code routellm eval} and {@code calibrate} take one.
   *
   * @throws InvalidFileException when the file is malformed, holds other than two models, or both win equally often
   */
  public static Dataset readAsDataset(Path file) {
    BattleSet battles = read(file);
    List<String> pair;
    try {
      pair = battles.strongerFirst();
    } catch (IllegalArgumentException e) {
      throw InvalidFileException.of(file, "is a battle file, read as a two-model dataset, but " + e.getMessage()
          + " (with 'routellm train --benchmark FILE --strong-model A --weak-model B')", e);
    }
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    return battles.toDataset(name, pair.get(0), pair.get(1));
  }

  /**
   * Whether a {@code .jsonl} file holds battles rather than labelled prompts: its first object has a {@code model_a}
   * field. Reads the first non-blank line only.
   *
   * @throws InvalidFileException when the file cannot be read
   */
  public static boolean isBattleFile(Path file) {
    Objects.requireNonNull(file, "file");
    try (BoundedFiles.Lines lines = BoundedFiles.lines(file, BoundedFiles.MAX_DATA_BYTES, "data file")) {
      String text;
      while ((text = lines.next()) != null) {
        if (!text.isBlank()) {
          JsonNode node = JSON.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
          return node.isObject() && node.has("model_a");
        }
      }
      return false;
    } catch (BoundedFiles.LineTooLongException e) {
      throw InvalidFileException.atLine(file, e.line(), "line is longer than " + BoundedFiles.MAX_LINE_CHARS
          + " characters", e);
    } catch (IOException | UncheckedIOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    } catch (tools.jackson.core.JacksonException e) {
      return false; // not JSON: the reader that handles the file reports it
    }
  }

  /**
   * Writes battles in this format ({@code prompt}, {@code model_a}, {@code model_b}, {@code winner}, and
   * {@code scores} where a battle has them), replacing the file.
   *
   * @throws UncheckedIOException when the file cannot be written
   */
  public static void write(Path file, BattleSet battles) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(battles, "battles");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < battles.size(); i++) {
        Battle b = battles.battles().get(i);
        out.write(line(battles.prompts().get(b.prompt()), b, battles.scores(i).orElse(null)));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write battles to " + file + ": " + e.getMessage(), e);
    }
  }

  /** One battle as a line of this format, without the line break; {@code scores} (A's, B's) may be null. */
  static String line(String prompt, Battle battle, double[] scores) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("prompt", prompt);
    row.put("model_a", battle.modelA());
    row.put("model_b", battle.modelB());
    row.put("winner", winnerName(battle.winner()));
    if (scores != null) {
      Map<String, Double> s = new LinkedHashMap<>();
      s.put(battle.modelA(), scores[0]);
      s.put(battle.modelB(), scores[1]);
      row.put("scores", s);
    }
    return JSON.writeValueAsString(row);
  }

  /** The name a winner is written with: {@code model_a}, {@code model_b} or {@code tie}. */
  public static String winnerName(Battle.Winner winner) {
    return switch (Objects.requireNonNull(winner, "winner")) {
      case MODEL_A -> "model_a";
      case MODEL_B -> "model_b";
      case TIE -> "tie";
    };
  }

  private static Battle.Winner winner(Path file, long line, String value) {
    return switch (value) {
      case "model_a" -> Battle.Winner.MODEL_A;
      case "model_b" -> Battle.Winner.MODEL_B;
      case "tie", "tie (bothbad)" -> Battle.Winner.TIE;
      default -> throw InvalidFileException.atLine(file, line, "field 'winner' must be one of " + WINNERS
          + " but was '" + (value.length() <= 40 ? value : value.substring(0, 37) + "...") + "'");
    };
  }

  private static String prompt(Path file, long line, JsonNode object) {
    JsonNode prompt = object.get("prompt");
    if (prompt != null && !prompt.isNull()) {
      if (!prompt.isString() || prompt.stringValue().isBlank()) {
        throw InvalidFileException.atLine(file, line, "field 'prompt' must be a non-blank string but was "
            + JsonLines.describe(prompt));
      }
      return prompt.stringValue();
    }
    JsonNode conversation = object.get("conversation_a");
    if (conversation == null || conversation.isNull()) {
      throw InvalidFileException.atLine(file, line, "field 'prompt' is missing (and there is no Arena"
          + " 'conversation_a' to take it from)");
    }
    if (conversation.isArray()) {
      for (JsonNode message : conversation) {
        JsonNode role = message.get("role");
        JsonNode content = message.get("content");
        if (role != null && "user".equals(role.asString()) && content != null && content.isString()
            && !content.stringValue().isBlank()) {
          return content.stringValue();
        }
      }
    }
    throw InvalidFileException.atLine(file, line, "field 'conversation_a' must be an array of {\"role\", \"content\"}"
        + " messages with a non-blank user message but was " + JsonLines.describe(conversation));
  }

  private static void rejectJsonArray(Path file) {
    CsvTable.requireFile(file);
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int c;
      while ((c = reader.read()) >= 0) {
        if (c == '[') {
          throw InvalidFileException.atLine(file, 1, "is one JSON array; battle files are JSON lines, one battle"
              + " per line (convert with: jq -c '.[]' FILE)");
        }
        if (!Character.isWhitespace(c) && c != '\uFEFF') {
          return;
        }
      }
    } catch (IOException e) {
      throw InvalidFileException.of(file, "cannot be read: " + e.getMessage(), e);
    }
  }
}
