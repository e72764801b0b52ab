package dev.routellm.data;

import dev.routellm.InvalidFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * Loaders for the per-question results that RouteLLM publishes for its benchmarks (the {@code routellm/evals} folder
 * of lm-sys/RouteLLM; strong model {@value #STRONG_MODEL}, weak model {@value #WEAK_MODEL}), each with RouteLLM's own
 * decontamination: questions listed as {@code eval_prompt} in the benchmark's {@code contaminated_prompts.jsonl} are
 * dropped (an MT-Bench question when either of its turns is listed).
 *
 * <p>Expected layout under the data directory:
 *
 * <ul>
 *   <li>{@code mmlu/responses/mmlu_<subject>.csv} ({@code prompt} and a True/False column per model; every such file
 *       is read, concatenated in alphabetical order of subject, the subject kept as the example's group; ids are
 *       {@code mmlu/<subject>/<row>}, the 0-based data row in its file) and {@code mmlu/contaminated_prompts.jsonl};
 *   <li>{@code gsm8k/gsm8k_responses.csv} (also {@code <model>_response}: each model's full answer, kept as the
 *       outcome's response; ids {@code gsm8k/<row>}) and {@code gsm8k/contaminated_prompts.jsonl};
 *   <li>{@code mt_bench/question.jsonl} ({@code question_id}, {@code category}, {@code turns}),
 *       {@code mt_bench/judgements.jsonl} (one GPT-4 judge score per question, model and turn) and
 *       {@code mt_bench/contaminated_prompts.jsonl}; each question keeps its turns and category, and each model's
 *       outcome holds one judgement per turn (ids {@code mt-bench/<question_id>}).
 * </ul>
 *
 * <p>MMLU and GSM8K qualities are accuracies in percent; MT-Bench's is the mean judge score over both turns, which is
 * RouteLLM's mean over judgement rows because every question has exactly one judgement per model and turn (the loader
 * checks).
 *
 * <p>Stateless and thread-safe. Every loader reads the files afresh; malformed input is an
 * {@link InvalidFileException} naming the file, the line and the field.
 */
public final class RouteLlmBenchmarks {
  /** The strong model of RouteLLM's published results. */
  public static final String STRONG_MODEL = "gpt-4-1106-preview";
  /** The weak model of RouteLLM's published results. */
  public static final String WEAK_MODEL = "mistralai/Mixtral-8x7B-Instruct-v0.1";
  /** Benchmark name of {@link #mmlu(Path)}. */
  public static final String MMLU = "mmlu";
  /** Benchmark name of {@link #gsm8k(Path)}. */
  public static final String GSM8K = "gsm8k";
  /** Benchmark name of {@link #mtBench(Path)}. */
  public static final String MT_BENCH = "mt-bench";
  /** Every benchmark name {@link #load(String, Path)} accepts. */
  public static final List<String> NAMES = List.of(MMLU, GSM8K, MT_BENCH);

  private static final String CONTAMINATED = "contaminated_prompts.jsonl";

  private RouteLlmBenchmarks() {}

  /**
   * A benchmark by name.
   *
   * @param name one of {@link #NAMES}
   * @param dataDir the directory holding {@code mmlu/}, {@code gsm8k/} and {@code mt_bench/}
   * @throws IllegalArgumentException when the name is not a known benchmark
   * @throws InvalidFileException when a file is missing or malformed
   */
  public static Dataset load(String name, Path dataDir) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataDir, "dataDir");
    switch (name) {
      case MMLU:
        return mmlu(dataDir);
      case GSM8K:
        return gsm8k(dataDir);
      case MT_BENCH:
        return mtBench(dataDir);
      default:
        throw new IllegalArgumentException("benchmark must be one of " + NAMES + " but was '" + name + "'");
    }
  }

  /**
   * MMLU: 57 subjects; 14,037 questions after decontamination in RouteLLM's files.
   *
   * @throws InvalidFileException when a file is missing or malformed
   */
  public static Dataset mmlu(Path dataDir) {
    Path dir = Objects.requireNonNull(dataDir, "dataDir").resolve("mmlu");
    Set<String> contaminated = contaminatedPrompts(dir.resolve(CONTAMINATED));
    Path responses = dir.resolve("responses");
    List<Path> files;
    try (Stream<Path> listing = Files.list(responses)) {
      files = listing
          .filter(p -> p.getFileName().toString().startsWith("mmlu_") && p.getFileName().toString().endsWith(".csv"))
          .sorted((a, b) -> subject(a).compareTo(subject(b)))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw InvalidFileException.of(responses, "cannot list the MMLU subject files: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw InvalidFileException.of(responses, "holds no mmlu_<subject>.csv file");
    }
    List<Example> examples = new ArrayList<>(16_000);
    for (Path file : files) {
      String subject = subject(file);
      addCorrectnessRows(CsvTable.read(file), MMLU + "/" + subject + "/", subject, false, contaminated, examples);
    }
    return dataset(MMLU, QualityUnit.ACCURACY_PERCENT, examples);
  }

  /**
   * GSM8K with both models' full answers; 1,307 questions after decontamination in RouteLLM's files.
   *
   * @throws InvalidFileException when a file is missing or malformed
   */
  public static Dataset gsm8k(Path dataDir) {
    Path dir = Objects.requireNonNull(dataDir, "dataDir").resolve("gsm8k");
    Set<String> contaminated = contaminatedPrompts(dir.resolve(CONTAMINATED));
    CsvTable table = CsvTable.read(dir.resolve("gsm8k_responses.csv"));
    List<Example> examples = new ArrayList<>(table.rows().size());
    addCorrectnessRows(table, GSM8K + "/", null, true, contaminated, examples);
    return dataset(GSM8K, QualityUnit.ACCURACY_PERCENT, examples);
  }

  /**
   * MT-Bench: 80 two-turn questions, each judged per model and turn by GPT-4; 72 questions after decontamination in
   * RouteLLM's files.
   *
   * @throws InvalidFileException when a file is missing or malformed, or a kept question lacks a judgement (or has
   *     two) for a model and turn
   */
  public static Dataset mtBench(Path dataDir) {
    Path dir = Objects.requireNonNull(dataDir, "dataDir").resolve("mt_bench");
    Set<String> contaminated = contaminatedPrompts(dir.resolve(CONTAMINATED));
    Path questionFile = dir.resolve("question.jsonl");
    Map<Long, Example.Builder> questions = new LinkedHashMap<>();
    Map<Long, Integer> turnCounts = new HashMap<>();
    JsonLines.read(questionFile, (line, q) -> {
      long id = JsonLines.requireLong(questionFile, line, q, "question_id");
      String category = JsonLines.requireString(questionFile, line, q, "category");
      JsonNode turnsNode = q.get("turns");
      if (turnsNode == null || !turnsNode.isArray() || turnsNode.isEmpty()) {
        throw InvalidFileException.atLine(questionFile, line,
            "field 'turns' must be a non-empty array of strings but was " + JsonLines.describe(turnsNode));
      }
      List<String> turns = new ArrayList<>();
      for (JsonNode turn : turnsNode) {
        if (!turn.isString()) {
          throw InvalidFileException.atLine(questionFile, line,
              "field 'turns' must hold strings but held " + JsonLines.describe(turn));
        }
        turns.add(turn.stringValue());
      }
      if (questions.containsKey(id) || turnCounts.containsKey(id)) {
        throw InvalidFileException.atLine(questionFile, line, "question_id " + id + " appears twice");
      }
      turnCounts.put(id, turns.size());
      if (turns.stream().noneMatch(contaminated::contains)) {
        questions.put(id, Example.builder().id(MT_BENCH + "/" + id).turns(turns).group(category));
      }
    });

    Path judgementFile = dir.resolve("judgements.jsonl");
    // (question, model) -> score per turn, and the line each came from (to name duplicates).
    Map<String, double[]> scores = new HashMap<>();
    Map<String, long[]> lines = new HashMap<>();
    JsonLines.read(judgementFile, (line, j) -> {
      long id = JsonLines.requireLong(judgementFile, line, j, "question_id");
      String model = JsonLines.requireString(judgementFile, line, j, "model");
      if (!questions.containsKey(id) || !(model.equals(STRONG_MODEL) || model.equals(WEAK_MODEL))) {
        return; // a dropped (contaminated) question, or a model this pair does not route between
      }
      long turn = JsonLines.requireLong(judgementFile, line, j, "turn");
      int turns = turnCounts.get(id);
      if (turn < 1 || turn > turns) {
        throw InvalidFileException.atLine(judgementFile, line,
            "field 'turn' must be in [1, " + turns + "] for question " + id + " but was " + turn);
      }
      double score = JsonLines.requireNumber(judgementFile, line, j, "score");
      String key = id + "\n" + model;
      double[] perTurn = scores.computeIfAbsent(key, k -> new double[turns]);
      long[] from = lines.computeIfAbsent(key, k -> new long[turns]);
      int t = (int) turn - 1;
      if (from[t] != 0) {
        throw InvalidFileException.atLine(judgementFile, line, "a second judgement of question " + id + ", model "
            + model + ", turn " + turn + " (the first is on line " + from[t] + ")");
      }
      perTurn[t] = score;
      from[t] = line;
    });

    List<Example> examples = new ArrayList<>(questions.size());
    for (Map.Entry<Long, Example.Builder> q : questions.entrySet()) {
      examples.add(q.getValue()
          .strong(Outcome.judged(judged(judgementFile, scores, lines, q.getKey(), STRONG_MODEL)))
          .weak(Outcome.judged(judged(judgementFile, scores, lines, q.getKey(), WEAK_MODEL)))
          .build());
    }
    return dataset(MT_BENCH, QualityUnit.JUDGE_SCORE, examples);
  }

  /**
   * Adds an example per row of a RouteLLM results table ({@code prompt} and a True/False column per model, and with
   * {@code responses} each model's {@code <model>_response}), skipping contaminated prompts; ids are the prefix and the
   * 0-based data row.
   */
  private static void addCorrectnessRows(CsvTable table, String idPrefix, String group, boolean responses,
      Set<String> contaminated, List<Example> out) {
    int prompt = table.requireColumn("prompt");
    int strong = table.requireColumn(STRONG_MODEL);
    int weak = table.requireColumn(WEAK_MODEL);
    int strongResponse = responses ? table.requireColumn(STRONG_MODEL + "_response") : -1;
    int weakResponse = responses ? table.requireColumn(WEAK_MODEL + "_response") : -1;
    List<CsvTable.Row> rows = table.rows();
    for (int i = 0; i < rows.size(); i++) {
      CsvTable.Row row = rows.get(i);
      String[] f = row.fields();
      if (contaminated.contains(f[prompt])) {
        continue;
      }
      Outcome strongOutcome = Outcome.correct(bool(table.file(), row, STRONG_MODEL, f[strong]));
      Outcome weakOutcome = Outcome.correct(bool(table.file(), row, WEAK_MODEL, f[weak]));
      if (responses) {
        strongOutcome = strongOutcome.withResponse(f[strongResponse]);
        weakOutcome = weakOutcome.withResponse(f[weakResponse]);
      }
      out.add(Example.builder().id(idPrefix + i).prompt(f[prompt]).group(group).strong(strongOutcome)
          .weak(weakOutcome).build());
    }
  }

  private static double[] judged(
      Path file, Map<String, double[]> scores, Map<String, long[]> lines, long question, String model) {
    String key = question + "\n" + model;
    long[] from = lines.get(key);
    if (from == null) {
      throw InvalidFileException.of(file, "question " + question + " has no judgement for model " + model);
    }
    for (int t = 0; t < from.length; t++) {
      if (from[t] == 0) {
        throw InvalidFileException.of(file,
            "question " + question + " has no judgement for model " + model + ", turn " + (t + 1));
      }
    }
    return scores.get(key);
  }

  private static Dataset dataset(String name, QualityUnit unit, List<Example> examples) {
    return Dataset.builder()
        .name(name)
        .unit(unit)
        .strongModel(STRONG_MODEL)
        .weakModel(WEAK_MODEL)
        .examples(examples)
        .build();
  }

  /** The {@code eval_prompt} of every line of a {@code contaminated_prompts.jsonl} file. */
  static Set<String> contaminatedPrompts(Path file) {
    Set<String> prompts = new HashSet<>();
    JsonLines.read(file, (line, o) -> prompts.add(JsonLines.requireString(file, line, o, "eval_prompt")));
    return prompts;
  }

  private static String subject(Path file) {
    String name = file.getFileName().toString();
    return name.substring("mmlu_".length(), name.length() - ".csv".length());
  }

  /** RouteLLM's correctness cells: True or False (pandas' spelling), in any case. */
  private static boolean bool(Path file, CsvTable.Row row, String field, String value) {
    Boolean b = CsvTable.booleanOrNull(value);
    if (b == null) {
      throw InvalidFileException.atLine(file, row.line(),
          "field '" + field + "' must be True or False but was '" + value + "'");
    }
    return b;
  }
}
