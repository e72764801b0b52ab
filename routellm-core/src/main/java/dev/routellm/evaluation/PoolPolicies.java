package dev.routellm.evaluation;

import dev.routellm.cascade.AnswerCheck;
import dev.routellm.cascade.AnswerConfidenceModel;
import dev.routellm.cascade.AnswerExtractor;
import dev.routellm.data.Outcome;
import dev.routellm.data.PoolDataset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The stock offline {@link PoolPolicy}s, each the offline twin of a served {@link dev.routellm.routing.RoutingPolicy}
 * with the same rule and arithmetic ({@link dev.routellm.routing.RoutingPolicy#utility}):
 *
 * <ul>
 *   <li>{@link #qualityCost()}: the model of best predicted quality minus {@code lambda} times its expected cost
 *       over the reference model's, {@code lambda} swept from 0 (best predicted model) to 1000 (cheapest);
 *   <li>{@link #cheapestReaching()}: the cheapest model predicted to reach a target quality, the target swept from 0
 *       to 1;
 *   <li>{@link #cascade}: a chain of steps whose cheap answers are accepted when the step's models' final answers
 *       agree (extracted by an {@link AnswerExtractor}; {@code StepCheck.agreement}) or, for a one-model step, when
 *       its answer text's confidence reaches a threshold ({@code StepCheck.confidence} with an {@link
 *       AnswerConfidenceModel}), the rest sent to the chain's last model, which is swept over the pool (or fixed);
 *   <li>{@link #routeThenCascade}: the same chain started, as {@code Cascade.Builder.startWhen} starts it, at the
 *       first step one of whose models is predicted to reach a threshold (else at the last model); the threshold is
 *       swept with the last model.
 * </ul>
 */
public final class PoolPolicies {
  /** The cost weights {@link #qualityCost()} sweeps: 0, then 10^-3 to 10^3 in 121 log-spaced steps. */
  static final double[] LAMBDAS = lambdas();
  /** The targets {@link #cheapestReaching()} sweeps: 0 to 0.9 by 0.01, then to 1 by 0.002. */
  static final double[] TARGETS = targets();
  /** The answer-text confidence thresholds a one-model checked step sweeps: 0.05 to 0.95 by 0.05, then 0.97, 0.99. */
  static final double[] CONFIDENCE_THRESHOLDS = confidenceThresholds();
  /** Folds of the cross-fitting that scores each answer's text confidence without it. */
  static final int CONFIDENCE_FOLDS = 5;
  /** Seed of that cross-fitting. */
  static final long CONFIDENCE_SEED = Evaluator.DEFAULT_SEED;
  /** The start thresholds {@link #routeThenCascade} sweeps: 0 (always start at the first step) to 1 by 0.05. */
  static final double[] SKIP_THRESHOLDS = skipThresholds();

  private PoolPolicies() {}

  private static double[] lambdas() {
    double[] l = new double[122];
    for (int i = 1; i < l.length; i++) {
      l[i] = Math.pow(10, -3 + 6.0 * (i - 1) / (l.length - 2));
    }
    return l;
  }

  private static double[] targets() {
    List<Double> t = new ArrayList<>();
    for (int i = 0; i < 90; i++) {
      t.add(i / 100.0);
    }
    for (int i = 0; i <= 50; i++) {
      t.add(0.9 + i * 0.002);
    }
    return t.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double[] skipThresholds() {
    double[] t = new double[21];
    for (int i = 0; i < t.length; i++) {
      t[i] = i / 20.0;
    }
    return t;
  }

  /**
   * A cascade's chain: its checked steps and its last model, fixed or, when empty, swept over the pool. A step of two
   * or more models (called in parallel) is checked by the agreement of their final answers; a step of one model by
   * its answer text's confidence ({@link AnswerConfidenceModel}, the threshold swept). Written {@code a+b>c}: steps
   * separated by {@code >}, the models of a step by {@code +}; a last element of one model is the last model, and a
   * last element of several models, or a trailing {@code >} ({@code a>}), leaves the last model to be swept.
   *
   * @param checkSteps the checked steps, in order; at least one
   * @param last the last model, or empty to sweep every pool model not in a checked step
   */
  public record Chain(List<List<String>> checkSteps, Optional<String> last) {
    public Chain {
      Objects.requireNonNull(checkSteps, "checkSteps");
      Objects.requireNonNull(last, "last");
      checkSteps = checkSteps.stream().map(List::copyOf).toList();
      if (checkSteps.isEmpty()) {
        throw new IllegalArgumentException("a chain needs at least one checked step");
      }
    }

    /**
     * Parses {@code a+b>c} (see the record's description).
     *
     * @throws IllegalArgumentException when a model name is empty or there is no checked step
     */
    public static Chain parse(String text) {
      Objects.requireNonNull(text, "text");
      List<String> parts = new ArrayList<>(List.of(text.split(">", -1)));
      boolean sweep = parts.size() >= 2 && parts.get(parts.size() - 1).isBlank();
      if (sweep) {
        parts.remove(parts.size() - 1);
      }
      List<List<String>> steps = new ArrayList<>();
      for (String part : parts) {
        List<String> step = new ArrayList<>();
        for (String model : part.split("\\+", -1)) {
          if (model.isBlank()) {
            throw new IllegalArgumentException("chain '" + text + "' has an empty model name: write it as a+b>c");
          }
          step.add(model.strip());
        }
        steps.add(step);
      }
      Optional<String> last = Optional.empty();
      if (!sweep && steps.size() >= 2 && steps.get(steps.size() - 1).size() == 1) {
        last = Optional.of(steps.remove(steps.size() - 1).get(0));
      }
      if (steps.size() == 1 && steps.get(0).size() == 1 && last.isEmpty() && !sweep) {
        throw new IllegalArgumentException("chain '" + text + "' has no checked step: write it as a+b>c (a and b"
            + " answer first, c when they disagree), a>c (c when a's answer looks unsure) or a> (the last model"
            + " swept)");
      }
      return new Chain(steps, last);
    }

    /**
     * The default chain for a pool: the two cheapest models (by mean cost) whose answer texts the data has, checking
     * each other; the last model swept.
     *
     * @throws IllegalArgumentException when fewer than two models have answer texts
     */
    public static Chain cheapestWithTexts(PoolCosts costs) {
      PoolDataset data = costs.data();
      List<Integer> withTexts = new ArrayList<>();
      for (int m = 0; m < data.models().size(); m++) {
        String model = data.models().get(m);
        if (data.examples().stream().anyMatch(e -> e.outcome(model).response().isPresent())) {
          withTexts.add(m);
        }
      }
      if (withTexts.size() < 2) {
        throw new IllegalArgumentException("an agreement cascade compares the answer texts of two models, but "
            + (withTexts.isEmpty() ? "no model" : "only " + data.models().get(withTexts.get(0))) + " of '"
            + data.name() + "' has them");
      }
      withTexts.sort(java.util.Comparator.comparingDouble(costs::meanCost));
      return new Chain(List.of(List.of(data.models().get(withTexts.get(0)), data.models().get(withTexts.get(1)))),
          Optional.empty());
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      for (List<String> step : checkSteps) {
        b.append(b.length() == 0 ? "" : ">").append(String.join("+", step));
      }
      return last.map(l -> b + ">" + l).orElse(b.toString());
    }
  }

  private static double[] confidenceThresholds() {
    double[] t = new double[21];
    for (int i = 0; i < 19; i++) {
      t[i] = (i + 1) / 20.0;
    }
    t[19] = 0.97;
    t[20] = 0.99;
    return t;
  }

  /** Quality minus {@code lambda} times relative expected cost, {@code lambda} swept ({@link #LAMBDAS}). */
  public static PoolPolicy qualityCost() {
    return new QualityCost();
  }

  /** The cheapest model predicted to reach a target, the target swept ({@link #TARGETS}). */
  public static PoolPolicy cheapestReaching() {
    return new CheapestReaching();
  }

  /**
   * A cascade over a chain whose cheap answers are checked: a step of several models (called in parallel) is
   * accepted when every one of them gives the same final answer (the first model's answer is kept; an answer without
   * a final answer never agrees), a step of one model when its answer text's confidence reaches a threshold
   * ({@link AnswerConfidenceModel} with the arithmetic check, each answer scored by a model fitted without it, the
   * threshold swept over {@link #CONFIDENCE_THRESHOLDS}); the chain's last model answers whatever no step accepted.
   * A chain without a fixed last model gives one operating point per pool model not in a checked step.
   *
   * @param chain the chain
   * @param extractor what "the same final answer" means
   * @throws IllegalArgumentException when a step has fewer than two models, or a model repeats
   */
  public static PoolPolicy cascade(Chain chain, AnswerExtractor extractor) {
    Objects.requireNonNull(chain, "chain");
    return new Cascade(chain.checkSteps(), chain.last(), extractor, false);
  }

  /**
   * {@link #cascade} with a predictor choosing where the chain starts: at the first checked step one of whose models
   * has a predicted quality of at least the threshold; when no step qualifies, at the last model (the cheap calls
   * are not made). The threshold ({@link #SKIP_THRESHOLDS}) and, when not fixed, the last model are swept
   * together.
   *
   * @throws IllegalArgumentException as {@link #cascade}
   */
  public static PoolPolicy routeThenCascade(Chain chain, AnswerExtractor extractor) {
    Objects.requireNonNull(chain, "chain");
    return new Cascade(chain.checkSteps(), chain.last(), extractor, true);
  }

  /** Mean score and cost over rows, for one setting: accumulated by the policies. */
  private static final class Totals {
    double score;
    double cost;
    double calls;

    OperatingPoint point(PoolTable table, String setting, Map<String, Double> parameters, int rows) {
      return new OperatingPoint(setting, parameters, cost / rows, table.data().unit().of(score / rows), calls / rows);
    }
  }

  private static void requireRows(int[] rows) {
    Objects.requireNonNull(rows, "rows");
    if (rows.length == 0) {
      throw new IllegalArgumentException("rows must not be empty");
    }
  }

  private static void requirePredictions(PoolTable table, String policy) {
    if (!table.hasPredictions()) {
      throw new IllegalArgumentException("policy '" + policy + "' needs predicted qualities, but the table has none");
    }
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }

  /** The predictive policies: one model per example, from predictions and expected costs. */
  private abstract static class Predictive implements PoolPolicy {
    private final String name;
    private final String parameter;
    private final double[] values;

    Predictive(String name, String parameter, double[] values) {
      this.name = name;
      this.parameter = parameter;
      this.values = values;
    }

    abstract int choose(double[] predicted, double[] expected, double referenceCost, double value);

    @Override
    public String name() {
      return name;
    }

    @Override
    public boolean needsPredictions() {
      return true;
    }

    @Override
    public List<String> settings(PoolTable table) {
      requirePredictions(table, name);
      List<String> out = new ArrayList<>(values.length);
      for (double v : values) {
        out.add(parameter + "=" + number(v));
      }
      return out;
    }

    @Override
    public OperatingPoint[] evaluate(PoolTable table, int[] rows) {
      requireRows(rows);
      List<String> settings = settings(table);
      OperatingPoint[] out = new OperatingPoint[values.length];
      int ref = table.reference();
      for (int s = 0; s < values.length; s++) {
        Totals t = new Totals();
        for (int i : rows) {
          double[] expected = table.expected(i);
          int m = choose(table.predicted(i), expected, expected[ref], values[s]);
          t.score += table.score(i, m);
          t.cost += table.cost(i, m);
          t.calls++;
        }
        out[s] = t.point(table, settings.get(s), Map.of(parameter, values[s]), rows.length);
      }
      return out;
    }

    @Override
    public String toString() {
      return "PoolPolicy{" + name + "}";
    }
  }

  private static final class QualityCost extends Predictive {
    QualityCost() {
      super("quality-cost", "lambda", LAMBDAS);
    }

    @Override
    int choose(double[] predicted, double[] expected, double referenceCost, double lambda) {
      return PoolChoice.bestValue(predicted, expected, referenceCost, lambda, null);
    }
  }

  private static final class CheapestReaching extends Predictive {
    CheapestReaching() {
      super("cheapest-reaching", "target", TARGETS);
    }

    @Override
    int choose(double[] predicted, double[] expected, double referenceCost, double target) {
      return PoolChoice.cheapestReaching(predicted, expected, target, null);
    }
  }

  /**
   * A chain of checked steps (agreement of two or more answers, or one answer's text confidence) and a last model;
   * optionally a predictor choosing the starting step.
   */
  private static final class Cascade implements PoolPolicy {
    private final List<List<String>> steps;
    private final Optional<String> last;
    private final AnswerExtractor extractor;
    private final boolean routeFirst;
    /** What the check steps read, per dataset, computed once. */
    private final Map<PoolDataset, Signals> signals = new HashMap<>();

    /**
     * What the checks read: each agreement model's extracted answer ({@code null} where none) and each confidence
     * model's out-of-fold answer-text confidence ({@code NaN} without an answer text), per example.
     */
    private record Signals(Map<String, String[]> answers, Map<String, double[]> confidence) {}

    Cascade(List<List<String>> checkSteps, Optional<String> last, AnswerExtractor extractor, boolean routeFirst) {
      Objects.requireNonNull(checkSteps, "checkSteps");
      this.last = Objects.requireNonNull(last, "last");
      this.extractor = Objects.requireNonNull(extractor, "extractor");
      this.routeFirst = routeFirst;
      List<List<String>> copy = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (List<String> step : checkSteps) {
        List<String> s = List.copyOf(step);
        if (s.isEmpty()) {
          throw new IllegalArgumentException("a checked step needs at least one model");
        }
        for (String m : s) {
          if (!seen.add(m)) {
            throw new IllegalArgumentException("model '" + m + "' appears twice in the chain " + checkSteps);
          }
        }
        copy.add(s);
      }
      if (last.isPresent() && seen.contains(last.get())) {
        throw new IllegalArgumentException("the last model '" + last.get() + "' is also in a checked step");
      }
      this.steps = List.copyOf(copy);
    }

    @Override
    public String name() {
      return routeFirst ? "route-then-cascade" : "cascade";
    }

    @Override
    public boolean needsPredictions() {
      return routeFirst;
    }

    private boolean hasConfidenceStep() {
      return steps.stream().anyMatch(step -> step.size() == 1);
    }

    /** The chain as written: {@code a+b > c}. */
    private String chain(String lastModel) {
      StringBuilder b = new StringBuilder();
      for (List<String> step : steps) {
        b.append(String.join("+", step)).append(" > ");
      }
      return b.append(lastModel).toString();
    }

    private List<Integer> lastModels(PoolTable table) {
      PoolDataset data = table.data();
      for (List<String> step : steps) {
        step.forEach(data::modelIndex);
      }
      if (last.isPresent()) {
        return List.of(data.modelIndex(last.get()));
      }
      List<Integer> out = new ArrayList<>();
      for (int m = 0; m < table.models(); m++) {
        String model = data.models().get(m);
        if (steps.stream().noneMatch(s -> s.contains(model))) {
          out.add(m);
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("the chain's checked steps use every model of the pool: none is left to"
            + " answer last");
      }
      return out;
    }

    private double[] startThresholds() {
      return routeFirst ? SKIP_THRESHOLDS : new double[] {0};
    }

    private double[] confidenceThresholds() {
      return hasConfidenceStep() ? CONFIDENCE_THRESHOLDS : new double[] {Double.NaN};
    }

    @Override
    public List<String> settings(PoolTable table) {
      if (routeFirst) {
        requirePredictions(table, name());
      }
      List<String> out = new ArrayList<>();
      for (int lastModel : lastModels(table)) {
        for (double confidence : confidenceThresholds()) {
          for (double t : startThresholds()) {
            StringBuilder label = new StringBuilder(chain(table.data().models().get(lastModel)));
            if (!Double.isNaN(confidence)) {
              label.append(", confidence >= ").append(number(confidence));
            }
            if (routeFirst) {
              label.append(", start where predicted >= ").append(number(t));
            }
            out.add(label.toString());
          }
        }
      }
      return out;
    }

    @Override
    public OperatingPoint[] evaluate(PoolTable table, int[] rows) {
      requireRows(rows);
      List<String> settings = settings(table);
      PoolDataset data = table.data();
      Signals signals = signals(data);
      int[][] stepModels = new int[steps.size()][];
      for (int s = 0; s < steps.size(); s++) {
        stepModels[s] = steps.get(s).stream().mapToInt(data::modelIndex).toArray();
      }
      double[] starts = startThresholds();
      // For each threshold: where each row starts (steps.size() = straight to the last model).
      int[][] start = new int[starts.length][rows.length];
      for (int k = 0; k < starts.length; k++) {
        for (int r = 0; r < rows.length; r++) {
          start[k][r] = routeFirst ? start(table.predicted(rows[r]), stepModels, starts[k]) : 0;
        }
      }
      List<Integer> lastModels = lastModels(table);
      double[] confidences = confidenceThresholds();
      OperatingPoint[] out = new OperatingPoint[settings.size()];
      int s = 0;
      for (int lastModel : lastModels) {
        for (double confidence : confidences) {
          // For each start step: what the checked steps from there do on each row, the same for every last model.
          Walk[] walks = new Walk[steps.size()];
          for (int from = 0; from < steps.size(); from++) {
            walks[from] = walk(table, rows, stepModels, signals, from, confidence);
          }
          for (int k = 0; k < starts.length; k++) {
            Totals t = new Totals();
            for (int r = 0; r < rows.length; r++) {
              int i = rows[r];
              Walk w = start[k][r] < steps.size() ? walks[start[k][r]] : null;
              if (w != null && !Double.isNaN(w.accepted[r])) {
                t.score += w.accepted[r];
                t.cost += w.cost[r];
                t.calls += w.calls[r];
              } else {
                t.score += table.score(i, lastModel);
                t.cost += (w == null ? 0 : w.cost[r]) + table.cost(i, lastModel);
                t.calls += (w == null ? 0 : w.calls[r]) + 1;
              }
            }
            Map<String, Double> parameters = new LinkedHashMap<>();
            parameters.put("last_model", (double) lastModel);
            if (!Double.isNaN(confidence)) {
              parameters.put("min_confidence", confidence);
            }
            if (routeFirst) {
              parameters.put("min_quality", starts[k]);
            }
            out[s] = t.point(table, settings.get(s), parameters, rows.length);
            s++;
          }
        }
      }
      return out;
    }

    /** What the checked steps do from one start on: the accepted score (NaN when escalated), cost and calls. */
    private record Walk(double[] accepted, double[] cost, double[] calls) {}

    private Walk walk(PoolTable table, int[] rows, int[][] stepModels, Signals signals, int start,
        double minConfidence) {
      double[] accepted = new double[rows.length];
      double[] cost = new double[rows.length];
      double[] calls = new double[rows.length];
      for (int r = 0; r < rows.length; r++) {
        int i = rows[r];
        accepted[r] = Double.NaN;
        for (int s = start; s < steps.size() && Double.isNaN(accepted[r]); s++) {
          for (int m : stepModels[s]) {
            cost[r] += table.cost(i, m);
            calls[r]++;
          }
          List<String> step = steps.get(s);
          boolean accept = step.size() == 1
              ? signals.confidence().get(step.get(0))[i] >= minConfidence
              : agree(step, signals.answers(), i);
          if (accept) {
            accepted[r] = table.score(i, stepModels[s][0]);
          }
        }
      }
      return new Walk(accepted, cost, calls);
    }

    /** The first step one of whose models is predicted to reach {@code minQuality}; the step count when none. */
    private static int start(double[] predicted, int[][] stepModels, double minQuality) {
      for (int s = 0; s < stepModels.length; s++) {
        for (int m : stepModels[s]) {
          if (predicted[m] >= minQuality) {
            return s;
          }
        }
      }
      return stepModels.length;
    }

    /** Whether every model of the step has a final answer and all are equal (StepCheck.agreement's rule). */
    private static boolean agree(List<String> step, Map<String, String[]> answers, int example) {
      String first = answers.get(step.get(0))[example];
      if (first == null) {
        return false;
      }
      for (int a = 1; a < step.size(); a++) {
        if (!first.equals(answers.get(step.get(a))[example])) {
          return false;
        }
      }
      return true;
    }

    private synchronized Signals signals(PoolDataset data) {
      Signals cached = signals.get(data);
      if (cached != null) {
        return cached;
      }
      Map<String, String[]> answers = new HashMap<>();
      Map<String, double[]> confidence = new HashMap<>();
      for (List<String> step : steps) {
        for (String model : step) {
          List<Integer> withText = new ArrayList<>();
          for (int i = 0; i < data.size(); i++) {
            if (data.example(i).outcome(model).response().isPresent()) {
              withText.add(i);
            }
          }
          if (withText.isEmpty()) {
            throw new IllegalArgumentException("model '" + model + "' of a checked step has no answer texts in '"
                + data.name() + "': " + (step.size() == 1 ? "a confidence check reads" : "an agreement check"
                + " compares") + " answers (give the data a 'responses' field, or ZeroEval's responses/ directory)");
          }
          if (step.size() == 1) {
            confidence.put(model, confidence(data, model, withText));
          } else {
            String[] a = new String[data.size()];
            for (int i : withText) {
              a[i] = extractor.extract(data.example(i).prompt(),
                  data.example(i).outcome(model).response().orElseThrow()).orElse(null);
            }
            answers.put(model, a);
          }
        }
      }
      Signals out = new Signals(answers, confidence);
      signals.clear(); // one dataset at a time is all an evaluation needs
      signals.put(data, out);
      return out;
    }

    /**
     * Each answer's text confidence ({@link AnswerConfidenceModel} with the arithmetic check), scored by a model
     * fitted without it ({@value #CONFIDENCE_FOLDS}-fold cross-fitting, seeded); NaN without an answer text.
     */
    private static double[] confidence(PoolDataset data, String model, List<Integer> withText) {
      List<String> questions = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      List<Boolean> correct = new ArrayList<>();
      for (int i : withText) {
        questions.add(data.example(i).prompt());
        texts.add(data.example(i).outcome(model).response().orElseThrow());
        correct.add(data.example(i).outcome(model).score() >= 0.5);
      }
      double[] out = new double[data.size()];
      java.util.Arrays.fill(out, Double.NaN);
      if (!correct.contains(true) || !correct.contains(false)) { // nothing to learn: every answer alike
        double c = correct.contains(true) ? 1 : 0;
        withText.forEach(i -> out[i] = c);
        return out;
      }
      double[] scored = AnswerConfidenceModel.crossValidate(questions, texts, correct,
          List.of(AnswerCheck.arithmetic()), Math.min(CONFIDENCE_FOLDS, withText.size()), CONFIDENCE_SEED);
      for (int k = 0; k < scored.length; k++) {
        out[withText.get(k)] = scored[k];
      }
      return out;
    }

    @Override
    public String toString() {
      return "PoolPolicy{" + name() + ", steps=" + steps + ", last=" + last.orElse("swept") + ", extractor="
          + extractor + "}";
    }
  }
}
