package dev.routellm.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One labelled prompt for a pool of N models: its text (one or more user turns), optional group (a task, a subject),
 * split (as a published data set assigns it) and reference answer, and how each model did on it. The
 * {@link PoolDataset} fixes the models and their order; an example holds one {@link Outcome} per model, with the
 * model's answer text, token usage and cost where the data has them.
 *
 * <p>Immutable and thread-safe. Nothing returned is ever {@code null}.
 */
public final class PoolExample {
  private final String id;
  private final List<String> turns;
  private final String group;
  private final String split;
  private final String reference;
  private final Map<String, Outcome> outcomes;

  private PoolExample(Builder b) {
    this.id = b.id;
    this.turns = b.turns;
    this.group = b.group;
    this.split = b.split;
    this.reference = b.reference;
    this.outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(b.outcomes));
  }

  /** A builder; the id, the prompt (or turns) and at least one outcome are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this example's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.turns = turns;
    b.group = group;
    b.split = split;
    b.reference = reference;
    b.outcomes.putAll(outcomes);
    return b;
  }

  /** A stable identifier, unique within its dataset. */
  public String id() {
    return id;
  }

  /** The text a router decides on: the first user turn. */
  public String prompt() {
    return turns.get(0);
  }

  /** Every user turn, in order; one element for single-turn data. */
  public List<String> turns() {
    return turns;
  }

  /** The example's group (a task such as {@code "gsm8k"}, a subject), when the data has one. */
  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  /** The split a published data set puts the example in ({@code "train"}, {@code "test"}), when it has one. */
  public Optional<String> split() {
    return Optional.ofNullable(split);
  }

  /** The reference (gold) answer, when the data has one. */
  public Optional<String> reference() {
    return Optional.ofNullable(reference);
  }

  /** Every model's outcome, by model name, in the order they were added (unmodifiable). */
  public Map<String, Outcome> outcomes() {
    return outcomes;
  }

  /**
   * How one model did.
   *
   * @throws IllegalArgumentException when the example has no outcome for {@code model}
   */
  public Outcome outcome(String model) {
    Outcome o = outcomes.get(Objects.requireNonNull(model, "model"));
    if (o == null) {
      throw new IllegalArgumentException("example '" + id + "' has no outcome for model '" + model + "' (it has "
          + outcomes.keySet() + ")");
    }
    return o;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PoolExample other
        && id.equals(other.id)
        && turns.equals(other.turns)
        && Objects.equals(group, other.group)
        && Objects.equals(split, other.split)
        && Objects.equals(reference, other.reference)
        && outcomes.equals(other.outcomes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, turns, group, split, reference, outcomes);
  }

  @Override
  public String toString() {
    return "PoolExample{id=" + id + ", group=" + group + ", models=" + outcomes.size() + "}";
  }

  /** Builds a {@link PoolExample}. Not thread-safe. */
  public static final class Builder {
    private String id;
    private List<String> turns;
    private String group;
    private String split;
    private String reference;
    private final Map<String, Outcome> outcomes = new LinkedHashMap<>();

    private Builder() {}

    /** The example's identifier; not blank. */
    public Builder id(String id) {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("id must not be blank");
      }
      this.id = id;
      return this;
    }

    /** A single-turn prompt. */
    public Builder prompt(String prompt) {
      return turns(List.of(Objects.requireNonNull(prompt, "prompt")));
    }

    /** The user turns of a conversation, in order; at least one. */
    public Builder turns(List<String> turns) {
      List<String> copy = List.copyOf(Objects.requireNonNull(turns, "turns"));
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("an example needs at least one turn");
      }
      this.turns = copy;
      return this;
    }

    /** The example's group; {@code null} for none. */
    public Builder group(String group) {
      this.group = group;
      return this;
    }

    /** The example's split; {@code null} for none. */
    public Builder split(String split) {
      this.split = split;
      return this;
    }

    /** The reference answer; {@code null} for none. */
    public Builder reference(String reference) {
      this.reference = reference;
      return this;
    }

    /** One model's outcome, replacing an earlier one for the same model. */
    public Builder outcome(String model, Outcome outcome) {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(outcome, "outcome");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model name must not be blank");
      }
      outcomes.put(model, outcome);
      return this;
    }

    /**
     * The example.
     *
     * @throws IllegalStateException when the id, the prompt or every outcome is missing
     */
    public PoolExample build() {
      if (id == null || turns == null || outcomes.isEmpty()) {
        throw new IllegalStateException("an example needs an id, a prompt and at least one outcome but "
            + (id == null ? "id" : turns == null ? "prompt" : "every outcome") + " was not set"
            + (id == null ? "" : " (example '" + id + "')"));
      }
      return new PoolExample(this);
    }
  }
}
