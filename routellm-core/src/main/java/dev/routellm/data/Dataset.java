package dev.routellm.data;

import dev.routellm.routing.Tier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Labelled prompts for one strong and one weak model: a name, the unit its quality is reported in, the two model
 * names and the examples, in a fixed order. Qualities are means over examples of {@link Outcome#score()}, in the
 * dataset's {@link QualityUnit}.
 *
 * <p>Immutable and thread-safe. Subsets ({@link #subset(int[])}, {@link #filter(Predicate)}) share the examples and cost
 * time linear in the subset's size. Example ids are unique within a dataset. A dataset may be empty (the training
 * side of an evaluation that trains on nothing); qualities of an empty dataset are undefined and throw.
 */
public final class Dataset {
  private final String name;
  private final QualityUnit unit;
  private final String strongModel;
  private final String weakModel;
  private final List<Example> examples;
  private final double[] strongScores;
  private final double[] weakScores;

  private Dataset(String name, QualityUnit unit, String strongModel, String weakModel, List<Example> examples) {
    this.name = name;
    this.unit = unit;
    this.strongModel = strongModel;
    this.weakModel = weakModel;
    this.examples = examples;
    this.strongScores = new double[examples.size()];
    this.weakScores = new double[examples.size()];
    for (int i = 0; i < strongScores.length; i++) {
      strongScores[i] = examples.get(i).strong().score();
      weakScores[i] = examples.get(i).weak().score();
    }
  }

  /** A builder; every property is required, the examples may be empty. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this dataset's properties and examples. */
  public Builder toBuilder() {
    return builder().name(name).unit(unit).strongModel(strongModel).weakModel(weakModel).examples(examples);
  }

  /** The dataset's name, for reports ({@code "mmlu"}, a file name). */
  public String name() {
    return name;
  }

  /** The unit qualities are reported in. */
  public QualityUnit unit() {
    return unit;
  }

  /** The strong model's name, as the data names it. */
  public String strongModel() {
    return strongModel;
  }

  /** The weak model's name, as the data names it. */
  public String weakModel() {
    return weakModel;
  }

  /** The given tier's model name. */
  public String model(Tier tier) {
    return Objects.requireNonNull(tier, "tier") == Tier.STRONG ? strongModel : weakModel;
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
  public Example example(int index) {
    return examples.get(index);
  }

  /** Every example, in order (unmodifiable). */
  public List<Example> examples() {
    return examples;
  }

  /** Every example's routing prompt ({@link Example#prompt()}), in order (unmodifiable). */
  public List<String> prompts() {
    List<String> prompts = new ArrayList<>(examples.size());
    for (Example e : examples) {
      prompts.add(e.prompt());
    }
    return Collections.unmodifiableList(prompts);
  }

  /** Every example's {@link Outcome#score()} for the given tier, in order (a fresh array). */
  public double[] scores(Tier tier) {
    return (Objects.requireNonNull(tier, "tier") == Tier.STRONG ? strongScores : weakScores).clone();
  }

  /**
   * The quality of sending every example to the given tier's model: the mean score, in {@link #unit()}.
   *
   * @throws IllegalStateException when the dataset is empty
   */
  public double quality(Tier tier) {
    if (examples.isEmpty()) {
      throw new IllegalStateException("dataset '" + name + "' is empty: it has no quality");
    }
    double[] scores = Objects.requireNonNull(tier, "tier") == Tier.STRONG ? strongScores : weakScores;
    double sum = 0;
    for (double s : scores) {
      sum += s;
    }
    return unit.of(sum / scores.length);
  }

  /**
   * The examples at the given indices, in the order given, with this dataset's name, unit and models.
   *
   * @throws IllegalArgumentException when an index is out of range or repeated
   */
  public Dataset subset(int[] indices) {
    Objects.requireNonNull(indices, "indices");
    boolean[] seen = new boolean[examples.size()];
    List<Example> selected = new ArrayList<>(indices.length);
    for (int index : indices) {
      if (index < 0 || index >= seen.length) {
        throw new IllegalArgumentException(
            "index must be in [0, " + seen.length + ") but was " + index + " (dataset '" + name + "')");
      }
      if (seen[index]) {
        throw new IllegalArgumentException("index " + index + " is repeated (dataset '" + name + "')");
      }
      seen[index] = true;
      selected.add(examples.get(index));
    }
    return new Dataset(name, unit, strongModel, weakModel, List.copyOf(selected));
  }

  /** The examples that pass the filter, in order, with this dataset's name, unit and models. */
  public Dataset filter(Predicate<? super Example> keep) {
    Objects.requireNonNull(keep, "keep");
    List<Example> kept = new ArrayList<>();
    for (Example e : examples) {
      if (keep.test(e)) {
        kept.add(e);
      }
    }
    return new Dataset(name, unit, strongModel, weakModel, List.copyOf(kept));
  }

  @Override
  public String toString() {
    return "Dataset{name=" + name + ", unit=" + unit.name() + ", strong=" + strongModel + ", weak=" + weakModel
        + ", size=" + examples.size() + "}";
  }

  /** Builds a {@link Dataset}. Not thread-safe. */
  public static final class Builder {
    private String name;
    private QualityUnit unit;
    private String strongModel;
    private String weakModel;
    private List<Example> examples = List.of();

    private Builder() {}

    /** The dataset's name; not blank. */
    public Builder name(String name) {
      this.name = notBlank(name, "name");
      return this;
    }

    /** The unit qualities are reported in. */
    public Builder unit(QualityUnit unit) {
      this.unit = Objects.requireNonNull(unit, "unit");
      return this;
    }

    /** The strong model's name; not blank. */
    public Builder strongModel(String strongModel) {
      this.strongModel = notBlank(strongModel, "strongModel");
      return this;
    }

    /** The weak model's name; not blank. */
    public Builder weakModel(String weakModel) {
      this.weakModel = notBlank(weakModel, "weakModel");
      return this;
    }

    /** The examples, in order (copied); replaces earlier ones. */
    public Builder examples(List<Example> examples) {
      this.examples = List.copyOf(Objects.requireNonNull(examples, "examples"));
      return this;
    }

    /**
     * The dataset.
     *
     * @throws IllegalStateException when a property is missing, the two models have the same name, or two examples
     *     share an id
     */
    public Dataset build() {
      String missing = name == null ? "name" : unit == null ? "unit" : strongModel == null ? "strongModel"
          : weakModel == null ? "weakModel" : null;
      if (missing != null) {
        throw new IllegalStateException("a dataset needs a " + missing + " but it was not set");
      }
      if (strongModel.equals(weakModel)) {
        throw new IllegalStateException("strong and weak model must differ but both were '" + strongModel + "'");
      }
      Set<String> ids = new HashSet<>(examples.size() * 2);
      for (Example e : examples) {
        if (!ids.add(e.id())) {
          throw new IllegalStateException("example id '" + e.id() + "' appears twice in dataset '" + name + "'");
        }
      }
      return new Dataset(name, unit, strongModel, weakModel, examples);
    }

    private static String notBlank(String value, String field) {
      Objects.requireNonNull(value, field);
      if (value.isBlank()) {
        throw new IllegalArgumentException(field + " must not be blank");
      }
      return value;
    }
  }
}
