package dev.routellm.onnx;

import dev.routellm.ConfigurationException;
import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.RouterFile;
import dev.routellm.checkpoint.Tensor;
import dev.routellm.embedding.Embedder;
import dev.routellm.prediction.QualityPredictor;
import dev.routellm.prediction.WinRatePredictor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A small N-way quality predictor that ships inside this module, for well-known models, so that routing among more
 * than two models works offline with no training. It knows about 60 models: those of ZeroEval's GSM8K and MATH
 * level 5 (gpt-4o, gpt-4o-mini, claude-3-haiku, gemini-1.5-flash, the Llama 3 and 3.1 models, Qwen2.5-72B, ...),
 * LLMRouter's 9 open models and RouteLLM's GPT-4 and Mixtral ({@link #knownModels()}).
 *
 * <p>How it predicts: the built-in router's difficulty score ({@link BuiltInRouter#predictor()}: a ridge regression on
 * the MiniLM embedding and the prompt's length) gives a prompt's difficulty {@code d} (the logit of that score); each
 * model has a calibration curve, {@code P(correct) = 1 / (1 + exp(-(a + b * d)))}, two numbers fitted by weighted
 * logistic regression to the model's outcomes on the benchmark questions it was graded on (each benchmark weighing
 * the same). The curves take under a kilobyte; the resource {@value #RESOURCE} records a checksum of the difficulty
 * regression they were fitted on, and loading fails when the two disagree.
 *
 * <pre>{@code
 * try (BuiltInRouter builtIn = BuiltInRouter.topics()) {
 *   QualityPredictor quality = builtIn.qualityPredictor(List.of("gpt-4o", "gpt-4o-mini", "llama-3.1-8b"));
 *   Router router = Router.builder().pool(pool).policy(RoutingPolicy.qualityCost(quality, 0.1)).build();
 * }
 * }</pre>
 *
 * <p>What it knows is benchmark questions (math word problems, competition math, multiple-choice knowledge, short
 * code tasks, MT-Bench chat), each model graded on its own benchmark's terms: a model known only from ZeroEval's math
 * has a curve fitted to math. It has never seen your traffic; a predictor trained on your own outcomes ({@code
 * routellm eval --prices}, {@link dev.routellm.prediction.QualityPredictors}) knows it better. Figures (held-out and
 * cross-benchmark) are in BENCHMARKS.md. Regenerate the curves with {@code java -cp
 * routellm-examples/target/routellm.jar dev.routellm.examples.bench.BuiltInQualityBenchmark --write
 * routellm-onnx/src/main/resources/dev/routellm/onnx/builtin-quality.safetensors}.
 *
 * <p>Model names: {@link #resolve} accepts a known name in any case, with or without a provider suffix
 * ({@code @together}) or a vendor prefix ({@code meta-llama/}), and common short names ({@code gpt-4o} for
 * {@code gpt-4o-2024-08-06}, {@code llama-3.1-8b} for {@code llama-3.1-8b-instruct}; {@link #aliases()}).
 *
 * <p>Immutable and thread-safe when its difficulty predictor is (the built-in one is). It does not own the difficulty
 * predictor or its embedder.
 */
public final class BuiltInQualityPredictor implements QualityPredictor {
  /** The predictor's name in decisions. */
  public static final String NAME = "builtin";

  static final String RESOURCE = "builtin-quality.safetensors";
  static final String KIND = "difficulty-curves";
  static final String CURVES = "curves";
  static final String DIFFICULTY_CHECKSUM = "difficulty_crc32c";

  /** Spellings of one model in the data, pooled under one name. */
  private static final Map<String, String> MERGED = Map.of(
      "llama-3.1-405b-instruct-turbo", "llama-3.1-405b-instruct",
      "llama-3.1-405b-inst", "llama-3.1-405b-instruct");

  /** Short names people use, to the known name they mean (the newest snapshot where there are several). */
  private static final Map<String, String> ALIASES = aliasTable(
      "gpt-4o gpt-4o-2024-08-06; gpt-4o-mini gpt-4o-mini-2024-07-18; gpt-4-turbo gpt-4-turbo-2024-04-09;"
          + " gpt-3.5-turbo gpt-3.5-turbo-0125; o1-mini o1-mini-2024-09-12; o1-preview o1-preview-2024-09-12;"
          + " claude-3-5-sonnet claude-3-5-sonnet-20240620; claude-3.5-sonnet claude-3-5-sonnet-20240620;"
          + " claude-3-opus claude-3-opus-20240229; claude-3-sonnet claude-3-sonnet-20240229;"
          + " claude-3-haiku claude-3-haiku-20240307; llama-3-8b llama-3-8b-instruct;"
          + " llama-3-70b llama-3-70b-instruct; llama-3.1-8b llama-3.1-8b-instruct;"
          + " llama-3.1-70b llama-3.1-70b-instruct; llama-3.1-405b llama-3.1-405b-instruct;"
          + " mixtral-8x7b mixtral-8x7b-instruct-v0.1; mistral-7b mistral-7b-instruct-v0.3;"
          + " mistral-large mistral-large-2; qwen2.5-72b qwen2.5-72b-instruct; qwen2.5-32b qwen2.5-32b-instruct;"
          + " qwen2.5-7b qwen2.5-7b-instruct; qwen2.5-3b qwen2.5-3b-instruct; qwen2-72b qwen2-72b-instruct;"
          + " qwen2-7b qwen2-7b-instruct; gemma-2-2b gemma-2-2b-it; gemma-2-9b gemma-2-9b-it;"
          + " gemma-2-27b gemma-2-27b-it; deepseek-v2.5 deepseek-v2.5-0908; phi-3.5-mini phi-3.5-mini-instruct;"
          + " llama-3.1-nemotron-51b llama-3.1-nemotron-51b-instruct;"
          + " llama-3.3-nemotron-super-49b llama-3.3-nemotron-super-49b-v1");

  private static Map<String, Curve> shipped;

  private final WinRatePredictor difficulty;
  private final List<String> models;
  private final Curve[] curves;

  /**
   * One model's calibration curve: predicted quality {@code 1 / (1 + exp(-(intercept + slope * d)))} at difficulty
   * {@code d}, the logit of the difficulty score.
   *
   * @param intercept the curve's log-odds at difficulty 0, finite
   * @param slope its change per unit of difficulty, finite (negative: harder prompts, lower quality)
   */
  public record Curve(double intercept, double slope) {
    public Curve {
      if (!Double.isFinite(intercept) || !Double.isFinite(slope)) {
        throw new IllegalArgumentException("intercept and slope must be finite but were " + intercept + " and "
            + slope);
      }
    }

    /** The predicted quality at difficulty {@code d}, in [0, 1]. */
    public double quality(double d) {
      return 1.0 / (1.0 + Math.exp(-(intercept + slope * d)));
    }
  }

  private BuiltInQualityPredictor(WinRatePredictor difficulty, List<String> models, Curve[] curves) {
    this.difficulty = difficulty;
    this.models = models;
    this.curves = curves;
  }

  /**
   * A predictor from a difficulty score and curves of one's own: what the regeneration command fits on training
   * folds to measure this recipe held out. The models are the map's keys, in its iteration order.
   *
   * @param difficulty a score in [0, 1] that grows with a prompt's difficulty; curves read its logit
   * @throws IllegalArgumentException when {@code curves} is empty or has a blank name
   */
  public static BuiltInQualityPredictor of(WinRatePredictor difficulty, Map<String, Curve> curves) {
    Objects.requireNonNull(difficulty, "difficulty");
    Objects.requireNonNull(curves, "curves");
    if (curves.isEmpty()) {
      throw new IllegalArgumentException("curves must not be empty");
    }
    List<String> names = new ArrayList<>(curves.size());
    Curve[] c = new Curve[curves.size()];
    for (Map.Entry<String, Curve> e : curves.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "model name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("model names must not be blank");
      }
      c[names.size()] = Objects.requireNonNull(e.getValue(), () -> "curve of '" + name + "'");
      names.add(name);
    }
    return new BuiltInQualityPredictor(difficulty, List.copyOf(names), c);
  }

  /**
   * The shipped curves for {@code models} (known names or aliases, {@link #resolve}) on the built-in difficulty score
   * computed with {@code embedder}, which must give MiniLM's vectors: for evaluations that cache embeddings. The
   * predictor's {@link #models()} are the names as given. The caller keeps ownership of the embedder.
   *
   * @throws ConfigurationException when a model is unknown (the message lists the known names) or the embedder is
   *     not MiniLM
   * @throws IllegalArgumentException when {@code models} is empty or has duplicates
   */
  public static BuiltInQualityPredictor withEmbedder(Embedder embedder, List<String> models) {
    Objects.requireNonNull(embedder, "embedder");
    return forModels(BuiltInRouter.withEmbedder(embedder).predictor(), identity(models));
  }

  /**
   * {@link #withEmbedder(Embedder, List)} for pool names mapped to known names ({@code "llama3.1:8b"} to {@code
   * "llama-3.1-8b"}): the predictor's models are the map's keys, in its iteration order.
   *
   * @throws ConfigurationException when a mapped-to model is unknown or the embedder is not MiniLM
   * @throws IllegalArgumentException when {@code models} is empty or a pool name is blank
   */
  public static BuiltInQualityPredictor withEmbedder(Embedder embedder, Map<String, String> models) {
    Objects.requireNonNull(embedder, "embedder");
    identity(new ArrayList<>(Objects.requireNonNull(models, "models").keySet()));
    return forModels(BuiltInRouter.withEmbedder(embedder).predictor(), models);
  }

  /**
   * The id of the embedder the built-in difficulty score reads ({@link dev.routellm.embedding.Embedder#id()} of the
   * quantized MiniLM), for callers that open or share embedders by id.
   */
  public static String embedderId() {
    return BuiltInRouter.read().embedderId();
  }

  /** The shipped curves for pool names mapped to known names, on {@code difficulty} (the built-in score). */
  static BuiltInQualityPredictor forModels(WinRatePredictor difficulty, Map<String, String> poolToKnown) {
    Map<String, Curve> all = shipped();
    Map<String, Curve> chosen = new LinkedHashMap<>();
    resolveAll(poolToKnown).forEach((pool, known) -> chosen.put(pool, all.get(known)));
    return of(difficulty, chosen);
  }

  /**
   * Resolves the models of a pool at once ({@link #resolve}): each pool name (a key) to the known model its value
   * names. For configuration checks that must fail before anything loads: it reads the curves, not the embedding
   * model.
   *
   * @return pool name to known name, in the map's order
   * @throws ConfigurationException naming every unknown model and listing the known names and the short names
   * @throws IllegalArgumentException when {@code poolToKnown} is empty
   */
  public static Map<String, String> resolveAll(Map<String, String> poolToKnown) {
    Objects.requireNonNull(poolToKnown, "models");
    if (poolToKnown.isEmpty()) {
      throw new IllegalArgumentException("models must not be empty");
    }
    Map<String, String> out = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> e : poolToKnown.entrySet()) {
      String pool = Objects.requireNonNull(e.getKey(), "model name");
      String known = Objects.requireNonNull(e.getValue(), () -> "known model for '" + pool + "'");
      Optional<String> resolved = resolve(known);
      if (resolved.isEmpty()) {
        unknown.add(known.equals(pool) ? "'" + pool + "'" : "'" + known + "' (for '" + pool + "')");
      } else {
        out.put(pool, resolved.get());
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigurationException("the built-in quality predictor does not know " + String.join(", ", unknown)
          + "; it knows " + String.join(", ", knownModels()) + ", and the short names "
          + String.join(", ", ALIASES.keySet()) + " (map a model of yours to the known model it is, or train a"
          + " predictor on your own outcomes: routellm eval --prices)");
    }
    return Collections.unmodifiableMap(out);
  }

  /** Each name mapped to itself, checked: not empty, no duplicates, none blank. */
  static Map<String, String> identity(List<String> models) {
    Objects.requireNonNull(models, "models");
    Map<String, String> m = new LinkedHashMap<>();
    for (String name : models) {
      Objects.requireNonNull(name, "model name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("model names must not be blank but were " + models);
      }
      if (m.put(name, name) != null) {
        throw new IllegalArgumentException("models must be distinct but '" + name + "' appears twice in " + models);
      }
    }
    if (m.isEmpty()) {
      throw new IllegalArgumentException("models must not be empty");
    }
    return m;
  }

  /** Every model the shipped curves know, by their names (lower case), sorted. */
  public static List<String> knownModels() {
    return List.copyOf(new TreeMap<>(shipped()).keySet());
  }

  /** The short names accepted for known models, each to the known name it means. */
  public static Map<String, String> aliases() {
    return ALIASES;
  }

  /**
   * The known model a name means: the name in any case, without a provider suffix ({@code @together}), a vendor
   * prefix ({@code meta-llama/}) or a leading {@code meta-}, or one of the {@link #aliases()}. Empty when unknown.
   */
  public static Optional<String> resolve(String name) {
    Objects.requireNonNull(name, "name");
    Map<String, Curve> all = shipped();
    String key = normalize(name);
    if (all.containsKey(key)) {
      return Optional.of(key);
    }
    String alias = ALIASES.get(key);
    return alias != null && all.containsKey(alias) ? Optional.of(alias) : Optional.empty();
  }

  /**
   * The name under which a model's outcomes are pooled: lower case, without a provider suffix ({@code @together}), a
   * vendor prefix ({@code mistralai/}) or a leading {@code meta-}; the data's three spellings of Llama 3.1 405B are
   * one model. The regeneration command pools outcomes by it.
   */
  public static String normalize(String name) {
    String n = Objects.requireNonNull(name, "name").strip().toLowerCase(Locale.ROOT);
    int at = n.indexOf('@');
    if (at > 0) {
      n = n.substring(0, at);
    }
    n = n.substring(n.lastIndexOf('/') + 1);
    if (n.startsWith("meta-llama-")) {
      n = n.substring("meta-".length());
    }
    return MERGED.getOrDefault(n, n);
  }

  /**
   * Writes curves as the resource this class ships, tied to the built-in difficulty regression now on the class path
   * (its checksum): what the regeneration command does.
   *
   * @throws IllegalArgumentException when {@code curves} is empty or a name is not {@link #normalize normalised}
   */
  public static void write(Map<String, Curve> curves, Path file) {
    Objects.requireNonNull(curves, "curves");
    Objects.requireNonNull(file, "file");
    if (curves.isEmpty()) {
      throw new IllegalArgumentException("curves must not be empty");
    }
    List<String> names = new ArrayList<>(new TreeMap<>(curves).keySet());
    double[] values = new double[2 * names.size()];
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      if (!normalize(n).equals(n)) {
        throw new IllegalArgumentException("model name '" + n + "' must be normalised, as '" + normalize(n) + "'");
      }
      values[2 * i] = curves.get(n).intercept();
      values[2 * i + 1] = curves.get(n).slope();
    }
    RouterFile difficulty = BuiltInRouter.read();
    RouterFile.builder().kind(KIND).name(NAME).embedder(difficulty.embedderId(), difficulty.dimension()).pool(names).parameter(DIFFICULTY_CHECKSUM, difficultyChecksum())
        .tensor(CURVES, Tensor.of(values, names.size(), 2)).build().write(file);
  }

  /** The shipped curves by known name, read once. */
  static synchronized Map<String, Curve> shipped() {
    if (shipped == null) {
      shipped = read();
    }
    return shipped;
  }

  private static Map<String, Curve> read() {
    String name = "classpath:/dev/routellm/onnx/" + RESOURCE;
    RouterFile file = RouterFile.read(resourceBytes(RESOURCE), name);
    if (!KIND.equals(file.kind()) || !file.isPool()) {
      throw InvalidFileException.ofResource(name, "holds a '" + file.kind() + "' predictor, not the built-in"
          + " quality curves ('" + KIND + "')", null);
    }
    String expected = difficultyChecksum();
    if (!expected.equals(file.parameter(DIFFICULTY_CHECKSUM))) {
      throw InvalidFileException.ofResource(name, "was fitted on another difficulty regression (checksum "
          + file.parameter(DIFFICULTY_CHECKSUM) + ", the shipped one is " + expected + "): regenerate it with"
          + " BuiltInQualityBenchmark --write", null);
    }
    List<String> names = file.pool();
    float[] v = file.tensor(CURVES, names.size(), 2).values();
    Map<String, Curve> out = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      if (!normalize(n).equals(n) || !seen.add(n)) {
        throw InvalidFileException.ofResource(name, "model name '" + n + "' is not normalised or appears twice",
            null);
      }
      try {
        out.put(n, new Curve(v[2 * i], v[2 * i + 1]));
      } catch (IllegalArgumentException e) {
        throw InvalidFileException.ofResource(name, "curve of '" + n + "': " + e.getMessage(), e);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** CRC-32C of the shipped difficulty regression's file, in hex. */
  static String difficultyChecksum() {
    CRC32C crc = new CRC32C();
    crc.update(resourceBytes(BuiltInRouter.RESOURCE));
    return HexFormat.of().toHexDigits((int) crc.getValue());
  }

  private static byte[] resourceBytes(String resource) {
    String name = "classpath:/dev/routellm/onnx/" + resource;
    try (InputStream in = BuiltInQualityPredictor.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw InvalidFileException.ofResource(name, "missing from the class path", null);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw InvalidFileException.ofResource(name, "cannot be read: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> aliasTable(String table) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String entry : table.split(";")) {
      String[] parts = entry.strip().split(" ");
      m.put(parts[0], parts[1]);
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * The difficulty the curves read from a difficulty score in [0, 1]: its logit (scores within 1e-13 of 0 or 1 count
   * as that far from them).
   */
  public static double difficulty(double score) {
    double s = Math.min(1 - 1e-13, Math.max(1e-13, score));
    return Math.log(s) - Math.log1p(-s);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> models() {
    return models;
  }

  /** Each model's curve, in the order of {@link #models()}. */
  public List<Curve> curves() {
    return List.of(curves);
  }

  @Override
  public double[] predict(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    return qualities(difficulty.score(prompt));
  }

  @Override
  public double[][] predictAll(List<String> prompts) {
    Objects.requireNonNull(prompts, "prompts");
    double[] scores = difficulty.scoreAll(prompts);
    double[][] out = new double[scores.length][];
    for (int i = 0; i < scores.length; i++) {
      out[i] = qualities(scores[i]);
    }
    return out;
  }

  private double[] qualities(double score) {
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalStateException("difficulty predictor '" + difficulty.name() + "' returned " + score
          + ", outside [0, 1]");
    }
    double d = difficulty(score);
    double[] q = new double[curves.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = curves[i].quality(d);
    }
    return q;
  }

  @Override
  public String toString() {
    return "BuiltInQualityPredictor{" + models + ", difficulty=" + difficulty.name() + "}";
  }
}
