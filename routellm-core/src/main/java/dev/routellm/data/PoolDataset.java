package dev.routellm.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Labelled prompts for a pool of N models: a name, the unit its quality is reported in, the models (in a fixed order)
 * and the examples, each holding one {@link Outcome} per model. The N-model counterpart of {@link Dataset}; qualities
 * are means over examples of {@link Outcome#score()}, in the dataset's {@link QualityUnit}.
 *
 * <p>Immutable and thread-safe. Example ids are unique; every example has an outcome for every model and no other.
 * Subsets share the examples. A dataset may be empty (the training side of an evaluation that trains on nothing);
 * qualities of an empty dataset are undefined and throw.
 */
public final class PoolDataset {
  /** A mean of scores in [0, 1] shown in percent (graded outcomes such as LLMRouter's). */
  public static final QualityUnit SCORE_PERCENT = new QualityUnit("mean score %", 100.0);

  private final String name;
  private final QualityUnit unit;
  private final List<String> models;
  private final Map<String, Integer> index;
  private final List<PoolExample> examples;
  private final double[][] scores; // [model][example]

  private PoolDataset(String name, QualityUnit unit, List<String> models, List<PoolExample> examples) {
    this.name = name;
    this.unit = unit;
    this.models = models;
    this.index = new HashMap<>();
    for (int m = 0; m < models.size(); m++) {
      index.put(models.get(m), m);
    }
    this.examples = examples;
    this.scores = new double[models.size()][examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      Map<String, Outcome> outcomes = examples.get(i).outcomes();
      for (int m = 0; m < models.size(); m++) {
        scores[m][i] = outcomes.get(models.get(m)).score();
      }
    }
  }

  /** A builder; name, unit and models are required, the examples may be empty. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this dataset's properties and examples. */
  public Builder toBuilder() {
    return builder().name(name).unit(unit).models(models).examples(examples);
  }

  /** The dataset's name, for reports (a file name). */
  public String name() {
    return name;
  }

  /** The unit qualities are reported in. */
  public QualityUnit unit() {
    return unit;
  }

  /** The models, in order (unmodifiable); never empty. */
  public List<String> models() {
    return models;
  }

  /**
   * The position of a model in {@link #models()}.
   *
   * @throws IllegalArgumentException when the dataset has no such model; the message lists the models it has
   */
  public int modelIndex(String model) {
    Integer m = index.get(Objects.requireNonNull(model, "model"));
    if (m == null) {
      throw new IllegalArgumentException("dataset '" + name + "' has no model '" + model + "' (it has " + models
          + ")");
    }
    return m;
  }

  /** Whether the dataset has outcomes of this model. */
  public boolean hasModel(String model) {
    return index.containsKey(Objects.requireNonNull(model, "model"));
  }

  /** The number of examples. */
  public int size() {
    return examples.size();
  }

  public boolean isEmpty() {
    return examples.isEmpty();
  }

  /**
   * The example at an index.
   *
   * @throws IndexOutOfBoundsException when {@code index} is not in {@code [0, size())}
   */
  public PoolExample example(int index) {
    return examples.get(index);
  }

  /** Every example, in order (unmodifiable). */
  public List<PoolExample> examples() {
    return examples;
  }

  /** Every example's routing prompt ({@link PoolExample#prompt()}), in order (unmodifiable). */
  public List<String> prompts() {
    List<String> prompts = new ArrayList<>(examples.size());
    for (PoolExample e : examples) {
      prompts.add(e.prompt());
    }
    return Collections.unmodifiableList(prompts);
  }

  /**
   * The score of one model on one example: {@code example(example).outcome(models().get(model)).score()}, without
   * the lookups.
   *
   * @throws IndexOutOfBoundsException when an index is out of range
   */
  public double score(int example, int model) {
    return scores[model][example];
  }

  /** Every example's score for one model, in order (a fresh array). */
  public double[] scores(String model) {
    return scores[modelIndex(model)].clone();
  }

  /**
   * The quality of sending every example to one model: the mean score, in {@link #unit()}.
   *
   * @throws IllegalStateException when the dataset is empty
   * @throws IllegalArgumentException when the dataset has no such model
   */
  public double quality(String model) {
    if (examples.isEmpty()) {
      throw new IllegalStateException("dataset '" + name + "' is empty: it has no quality");
    }
    double sum = 0;
    for (double s : scores[modelIndex(model)]) {
      sum += s;
    }
    return unit.of(sum / examples.size());
  }

  /**
   * The examples at the given indices, in the order given, with this dataset's name, unit and models.
   *
   * @throws IllegalArgumentException when an index is out of range or repeated
   */
  public PoolDataset subset(int[] indices) {
    Objects.requireNonNull(indices, "indices");
    boolean[] seen = new boolean[examples.size()];
    List<PoolExample> selected = new ArrayList<>(indices.length);
    for (int i : indices) {
      if (i < 0 || i >= seen.length) {
        throw new IllegalArgumentException(
            "index must be in [0, " + seen.length + ") but was " + i + " (dataset '" + name + "')");
      }
      if (seen[i]) {
        throw new IllegalArgumentException("index " + i + " is repeated (dataset '" + name + "')");
      }
      seen[i] = true;
      selected.add(examples.get(i));
    }
    return new PoolDataset(name, unit, models, List.copyOf(selected));
  }

  /** The examples that pass the filter, in order, with this dataset's name, unit and models. */
  public PoolDataset filter(Predicate<? super PoolExample> keep) {
    Objects.requireNonNull(keep, "keep");
    List<PoolExample> kept = new ArrayList<>();
    for (PoolExample e : examples) {
      if (keep.test(e)) {
        kept.add(e);
      }
    }
    return new PoolDataset(name, unit, models, List.copyOf(kept));
  }

  /**
   * The same examples with only the given models, in the order given (a pool chosen from the data's models).
   *
   * @throws IllegalArgumentException when {@code pool} is empty, repeats a model or names one the dataset lacks
   */
  public PoolDataset withModels(List<String> pool) {
    Objects.requireNonNull(pool, "pool");
    if (pool.isEmpty()) {
      throw new IllegalArgumentException("a pool needs at least one model");
    }
    Set<String> seen = new HashSet<>();
    for (String m : pool) {
      modelIndex(m);
      if (!seen.add(m)) {
        throw new IllegalArgumentException("model '" + m + "' appears twice in the pool " + pool);
      }
    }
    List<PoolExample> kept = new ArrayList<>(examples.size());
    for (PoolExample e : examples) {
      PoolExample.Builder b = PoolExample.builder().id(e.id()).turns(e.turns()).group(e.group().orElse(null))
          .split(e.split().orElse(null)).reference(e.reference().orElse(null));
      for (String m : pool) {
        b.outcome(m, e.outcome(m));
      }
      kept.add(b.build());
    }
    return new PoolDataset(name, unit, List.copyOf(pool), List.copyOf(kept));
  }

  @Override
  public String toString() {
    return "PoolDataset{name=" + name + ", unit=" + unit.name() + ", models=" + models.size() + ", size="
        + examples.size() + "}";
  }

  /** Builds a {@link PoolDataset}. Not thread-safe. */
  public static final class Builder {
    private String name;
    private QualityUnit unit;
    private List<String> models;
    private List<PoolExample> examples = List.of();

    private Builder() {}

    /** The dataset's name; not blank. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /** The unit qualities are reported in. */
    public Builder unit(QualityUnit unit) {
      this.unit = Objects.requireNonNull(unit, "unit");
      return this;
    }

    /**
     * The models, in order (copied).
     *
     * @throws IllegalArgumentException when the list is empty, or a name is blank or repeated
     */
    public Builder models(List<String> models) {
      List<String> copy = List.copyOf(Objects.requireNonNull(models, "models"));
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("a pool dataset needs at least one model");
      }
      Set<String> seen = new HashSet<>();
      for (String m : copy) {
        if (m.isBlank()) {
          throw new IllegalArgumentException("model names must not be blank");
        }
        if (!seen.add(m)) {
          throw new IllegalArgumentException("model '" + m + "' appears twice in " + copy);
        }
      }
      this.models = copy;
      return this;
    }

    /** The examples, in order (copied); replaces earlier ones. */
    public Builder examples(List<PoolExample> examples) {
      this.examples = List.copyOf(Objects.requireNonNull(examples, "examples"));
      return this;
    }

    /**
     * The dataset.
     *
     * @throws IllegalStateException when a property is missing, two examples share an id, or an example's models are
     *     not exactly the dataset's
     */
    public PoolDataset build() {
      String missing = name == null ? "name" : unit == null ? "unit" : models == null ? "models" : null;
      if (missing != null) {
        throw new IllegalStateException("a pool dataset needs " + missing + " but it was not set");
      }
      Set<String> ids = new HashSet<>(examples.size() * 2);
      Set<String> pool = Set.copyOf(models);
      for (PoolExample e : examples) {
        if (!ids.add(e.id())) {
          throw new IllegalStateException("example id '" + e.id() + "' appears twice in dataset '" + name + "'");
        }
        if (!e.outcomes().keySet().equals(pool)) {
          Set<String> lacking = new java.util.TreeSet<>(pool);
          lacking.removeAll(e.outcomes().keySet());
          Set<String> extra = new java.util.TreeSet<>(e.outcomes().keySet());
          extra.removeAll(pool);
          throw new IllegalStateException("example '" + e.id() + "' of dataset '" + name + "' must have an outcome"
              + " for every model and no other, but " + (lacking.isEmpty() ? "" : "lacks " + lacking)
              + (lacking.isEmpty() || extra.isEmpty() ? "" : " and ") + (extra.isEmpty() ? "" : "has extra " + extra));
        }
      }
      return new PoolDataset(name, unit, models, examples);
    }
  }
}
