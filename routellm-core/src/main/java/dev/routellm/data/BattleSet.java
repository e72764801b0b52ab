package dev.routellm.data;

import dev.routellm.prediction.Battle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Preference battles over a list of distinct prompts: what Chatbot Arena publishes, what {@code routellm label}
 * writes, and what per-question outcomes become with {@link #fromOutcomes}. Each {@link Battle} refers to its prompt
 * by index into {@link #prompts()}; a prompt may have many battles (several model pairs, several judges).
 *
 * <p>Matrix factorization and similarity-weighted ranking train on the battles of every model at once; learners that
 * need one pair's outcomes per prompt (kNN) read them with {@link #toDataset}.
 *
 * <p>Immutable and thread-safe.
 */
public final class BattleSet {
  /** The unit of a dataset made from battles: the share of battles won (a tie counts half), in percent. */
  public static final QualityUnit WIN_RATE_PERCENT = new QualityUnit("battles won %", 100.0);

  private final List<String> prompts;
  private final List<Battle> battles;
  private final double[] scoresA; // NaN where the battle has no scores
  private final double[] scoresB;

  private BattleSet(List<String> prompts, List<Battle> battles, double[] scoresA, double[] scoresB) {
    this.prompts = prompts;
    this.battles = battles;
    this.scoresA = scoresA;
    this.scoresB = scoresB;
  }

  private static double[] none(int n) {
    double[] out = new double[n];
    java.util.Arrays.fill(out, Double.NaN);
    return out;
  }

  /**
   * Battles over these prompts, without scores.
   *
   * @throws IllegalArgumentException when a prompt is blank or repeated, or a battle refers to a missing prompt
   */
  public static BattleSet of(List<String> prompts, List<Battle> battles) {
    Objects.requireNonNull(battles, "battles");
    return of(prompts, battles, none(battles.size()), none(battles.size()));
  }

  /**
   * Battles over these prompts, each with the two answers' scores where known (a judge's ratings, the outcomes a
   * battle was derived from): {@code scoresA[i]} and {@code scoresB[i]} for battle {@code i}, both {@code NaN} when it
   * has none.
   *
   * @throws IllegalArgumentException as {@link #of(List, List)}, or when the score arrays are not one per battle, a
   *     battle has one score only, or a score is infinite
   */
  public static BattleSet of(List<String> prompts, List<Battle> battles, double[] scoresA, double[] scoresB) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(battles, "battles");
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < prompts.size(); i++) {
      String p = Objects.requireNonNull(prompts.get(i), "prompt " + i);
      if (p.isBlank()) {
        throw new IllegalArgumentException("prompt " + i + " must not be blank");
      }
      Integer first = seen.putIfAbsent(p, i);
      if (first != null) {
        throw new IllegalArgumentException("prompts must be distinct but prompt " + i + " repeats prompt " + first);
      }
    }
    for (Battle b : battles) {
      Objects.requireNonNull(b, "battle");
      if (b.prompt() >= prompts.size()) {
        throw new IllegalArgumentException("a battle refers to prompt " + b.prompt() + " but there are only "
            + prompts.size() + " prompts");
      }
    }
    Objects.requireNonNull(scoresA, "scoresA");
    Objects.requireNonNull(scoresB, "scoresB");
    if (scoresA.length != battles.size() || scoresB.length != battles.size()) {
      throw new IllegalArgumentException("need two scores per battle (" + battles.size() + ") but got "
          + scoresA.length + " and " + scoresB.length);
    }
    for (int i = 0; i < scoresA.length; i++) {
      if (Double.isNaN(scoresA[i]) != Double.isNaN(scoresB[i]) || Double.isInfinite(scoresA[i])
          || Double.isInfinite(scoresB[i])) {
        throw new IllegalArgumentException("battle " + i + " must have two finite scores or none but had "
            + scoresA[i] + " and " + scoresB[i]);
      }
    }
    return new BattleSet(List.copyOf(prompts), List.copyOf(battles), scoresA.clone(), scoresB.clone());
  }

  /**
   * The battles a two-model dataset implies, as RouteLLM turns benchmark results into training battles: per example,
   * the strong model ({@code model_a}) against the weak one ({@code model_b}); the better outcome wins, equal outcomes
   * tie. Examples with the same prompt share one prompt index.
   */
  public static BattleSet fromOutcomes(Dataset data) {
    Objects.requireNonNull(data, "data");
    Map<String, double[]> outcomes = new LinkedHashMap<>();
    outcomes.put(data.strongModel(), data.scores(dev.routellm.routing.Tier.STRONG));
    outcomes.put(data.weakModel(), data.scores(dev.routellm.routing.Tier.WEAK));
    return fromOutcomes(data.prompts(), outcomes);
  }

  /**
   * The battles per-question outcomes of any number of models imply: for every prompt, every pair of models with an
   * outcome on it battles once, the first model (in the map's order) as {@code model_a}; the better outcome wins,
   * equal outcomes tie. A {@code NaN} outcome means the model did not answer that prompt. Repeated prompts share one
   * index (their battles all count). With {@code m} models this is {@code m(m-1)/2} battles per prompt.
   *
   * @param prompts the prompts, in order
   * @param outcomes each model's outcome (correctness 0/1 or a score) per prompt, in prompt order
   * @throws IllegalArgumentException when fewer than two models are given, a model's outcomes are not one per prompt
   *     or hold an infinite value, or a prompt is blank
   */
  public static BattleSet fromOutcomes(List<String> prompts, Map<String, double[]> outcomes) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(outcomes, "outcomes");
    if (outcomes.size() < 2) {
      throw new IllegalArgumentException("battles need outcomes of at least two models but got " + outcomes.keySet());
    }
    List<String> models = new ArrayList<>(outcomes.keySet());
    List<double[]> values = new ArrayList<>();
    for (String m : models) {
      double[] v = Objects.requireNonNull(outcomes.get(m), "outcomes of " + m);
      if (v.length != prompts.size()) {
        throw new IllegalArgumentException("model '" + m + "' has " + v.length + " outcomes but there are "
            + prompts.size() + " prompts");
      }
      for (int i = 0; i < v.length; i++) {
        if (Double.isInfinite(v[i])) {
          throw new IllegalArgumentException("outcome of model '" + m + "' on prompt " + i + " must be finite or NaN"
              + " (no answer) but was " + v[i]);
        }
      }
      values.add(v);
    }
    Indexer index = new Indexer();
    List<Battle> battles = new ArrayList<>();
    List<double[]> scores = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      int p = index.of(prompts.get(i), i);
      for (int a = 0; a < models.size(); a++) {
        for (int b = a + 1; b < models.size(); b++) {
          double qa = values.get(a)[i];
          double qb = values.get(b)[i];
          if (!Double.isNaN(qa) && !Double.isNaN(qb)) {
            battles.add(Battle.fromOutcome(p, models.get(a), models.get(b), qa, qb));
            scores.add(new double[] {qa, qb});
          }
        }
      }
    }
    return new BattleSet(index.prompts(), List.copyOf(battles), column(scores, 0), column(scores, 1));
  }

  private static double[] column(List<double[]> rows, int c) {
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = rows.get(i)[c];
    }
    return out;
  }

  /**
   * These battles and the other set's, the other's prompts mapped onto this set's where the text is the same.
   */
  public BattleSet plus(BattleSet other) {
    Objects.requireNonNull(other, "other");
    Indexer index = new Indexer();
    for (int i = 0; i < prompts.size(); i++) {
      index.of(prompts.get(i), i);
    }
    int[] remap = new int[other.prompts.size()];
    for (int i = 0; i < remap.length; i++) {
      remap[i] = index.of(other.prompts.get(i), i);
    }
    List<Battle> all = new ArrayList<>(battles);
    for (Battle b : other.battles) {
      all.add(new Battle(remap[b.prompt()], b.modelA(), b.modelB(), b.winner()));
    }
    return new BattleSet(index.prompts(), List.copyOf(all), concat(scoresA, other.scoresA),
        concat(scoresB, other.scoresB));
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The distinct prompts, in order of first appearance (unmodifiable). */
  public List<String> prompts() {
    return prompts;
  }

  /** Every battle, in order (unmodifiable). */
  public List<Battle> battles() {
    return battles;
  }

  /**
   * The scores of battle {@code i}'s two answers ({@code model_a}'s, then {@code model_b}'s), or empty when the battle
   * has none.
   *
   * @throws IndexOutOfBoundsException when {@code i} is not a battle's index
   */
  public java.util.Optional<double[]> scores(int i) {
    Objects.checkIndex(i, battles.size());
    return Double.isNaN(scoresA[i]) ? java.util.Optional.empty()
        : java.util.Optional.of(new double[] {scoresA[i], scoresB[i]});
  }

  /** The number of battles. */
  public int size() {
    return battles.size();
  }

  /** Every model that battles, in alphabetical order. */
  public List<String> models() {
    TreeSet<String> names = new TreeSet<>();
    for (Battle b : battles) {
      names.add(b.modelA());
      names.add(b.modelB());
    }
    return List.copyOf(names);
  }

  /**
   * Each model's record over all its battles: battles fought, won, tied; in alphabetical order of model. For
   * reports, and to tell the stronger of two models apart.
   */
  public Map<String, Record> records() {
    Map<String, int[]> counts = new TreeMap<>();
    for (Battle b : battles) {
      int[] a = counts.computeIfAbsent(b.modelA(), k -> new int[3]);
      int[] c = counts.computeIfAbsent(b.modelB(), k -> new int[3]);
      a[0]++;
      c[0]++;
      switch (b.winner()) {
        case MODEL_A -> a[1]++;
        case MODEL_B -> c[1]++;
        case TIE -> {
          a[2]++;
          c[2]++;
        }
      }
    }
    Map<String, Record> out = new LinkedHashMap<>();
    counts.forEach((m, c) -> out.put(m, new Record(c[0], c[1], c[2])));
    return Collections.unmodifiableMap(out);
  }

  /**
   * A model's battles.
   *
   * @param battles battles fought
   * @param wins battles won
   * @param ties battles tied
   */
  public record Record(int battles, int wins, int ties) {
    /** Share of battles won, a tie counting half; 0.5 without battles. */
    public double winRate() {
      return battles == 0 ? 0.5 : (wins + 0.5 * ties) / battles;
    }
  }

  /**
   * The two models of battles between exactly two, the stronger first: the one with the larger share of battles won
   * (a tie counting half). For two-model battle files, whose pair need not be named.
   *
   * @throws IllegalArgumentException when the battles hold another number of models than two, or both win equally
   *     often (the pair must then be named)
   */
  public List<String> strongerFirst() {
    Map<String, Record> r = records();
    if (r.size() != 2) {
      throw new IllegalArgumentException("the battles hold " + r.size() + " models " + r.keySet()
          + ": name the strong and the weak one");
    }
    List<String> names = new ArrayList<>(r.keySet());
    double a = r.get(names.get(0)).winRate();
    double b = r.get(names.get(1)).winRate();
    if (a == b) {
      throw new IllegalArgumentException("'" + names.get(0) + "' and '" + names.get(1) + "' win equally often ("
          + a + "): name the strong and the weak one");
    }
    return a > b ? names : List.of(names.get(1), names.get(0));
  }

  /**
   * The two-model dataset these battles imply for one pair: one example per prompt on which the two models battled
   * each other. When every such battle has scores, each model's outcome is its mean score on the prompt (unit
   * {@link QualityUnit#SCORE}): a judge's ratings and graded outcomes keep their size. Otherwise the strong model's
   * outcome is its share of those battles won (a tie counts half) and the weak model's the rest (unit
   * {@link #WIN_RATE_PERCENT}: quality is the share of battles the chosen model wins). Battles with other models are
   * left out.
   *
   * @throws IllegalArgumentException when the models are equal or never battle each other
   */
  public Dataset toDataset(String name, String strongModel, String weakModel) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(strongModel, "strongModel");
    Objects.requireNonNull(weakModel, "weakModel");
    if (strongModel.equals(weakModel)) {
      throw new IllegalArgumentException("strong and weak model must differ but both were '" + strongModel + "'");
    }
    double[] won = new double[prompts.size()];
    double[] strongScore = new double[prompts.size()];
    double[] weakScore = new double[prompts.size()];
    int[] fought = new int[prompts.size()];
    boolean scored = true;
    for (int k = 0; k < battles.size(); k++) {
      Battle b = battles.get(k);
      boolean forward = b.modelA().equals(strongModel) && b.modelB().equals(weakModel);
      boolean backward = b.modelA().equals(weakModel) && b.modelB().equals(strongModel);
      if (!forward && !backward) {
        continue;
      }
      fought[b.prompt()]++;
      won[b.prompt()] += switch (b.winner()) {
        case MODEL_A -> forward ? 1 : 0;
        case MODEL_B -> forward ? 0 : 1;
        case TIE -> 0.5;
      };
      scored &= !Double.isNaN(scoresA[k]);
      strongScore[b.prompt()] += forward ? scoresA[k] : scoresB[k];
      weakScore[b.prompt()] += forward ? scoresB[k] : scoresA[k];
    }
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      if (fought[i] > 0) {
        double s = scored ? strongScore[i] / fought[i] : won[i] / fought[i];
        double w = scored ? weakScore[i] / fought[i] : 1 - s;
        examples.add(Example.builder().id(Integer.toString(i)).prompt(prompts.get(i))
            .strong(Outcome.judged(s)).weak(Outcome.judged(w)).build());
      }
    }
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("'" + strongModel + "' and '" + weakModel + "' never battle each other; the"
          + " battles' models are " + models());
    }
    return Dataset.builder().name(name).unit(scored ? QualityUnit.SCORE : WIN_RATE_PERCENT).strongModel(strongModel)
        .weakModel(weakModel).examples(examples).build();
  }

  @Override
  public String toString() {
    return "BattleSet{" + battles.size() + " battles, " + prompts.size() + " prompts, models " + models() + "}";
  }

  /** Gives each distinct prompt text one index, in order of first appearance. Not thread-safe. */
  static final class Indexer {
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> prompts = new ArrayList<>();

    int of(String prompt, int position) {
      Objects.requireNonNull(prompt, "prompt " + position);
      if (prompt.isBlank()) {
        throw new IllegalArgumentException("prompt " + position + " must not be blank");
      }
      Integer i = index.get(prompt);
      if (i == null) {
        i = prompts.size();
        index.put(prompt, i);
        prompts.add(prompt);
      }
      return i;
    }

    List<String> prompts() {
      return List.copyOf(prompts);
    }
  }
}
