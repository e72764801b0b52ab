package dev.routellm.data;

import dev.routellm.routing.Tier;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One labelled prompt: its text (one or more user turns), an optional group (an MMLU subject, an MT-Bench category),
 * and how the strong and the weak model did on it. The models themselves are named once, by the {@link Dataset}.
 *
 * <p>Immutable and thread-safe. Nothing returned is ever {@code null}.
 */
public final class Example {
  private final String id;
  private final List<String> turns;
  private final String group;
  private final Outcome strong;
  private final Outcome weak;

  private Example(Builder b) {
    this.id = b.id;
    this.turns = b.turns;
    this.group = b.group;
    this.strong = b.strong;
    this.weak = b.weak;
  }

  /** A builder; {@code id}, the prompt (or turns) and both outcomes are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this example's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.turns = turns;
    b.group = group;
    b.strong = strong;
    b.weak = weak;
    return b;
  }

  /** A stable identifier, unique within its dataset (for example {@code "mmlu/anatomy/12"}, {@code "mt-bench/81"}). */
  public String id() {
    return id;
  }

  /**
   * The text a router decides on: the first user turn. A multi-turn conversation (an MT-Bench question) is routed once,
   * on its first turn, as RouteLLM does; {@link #turns()} has the rest.
   */
  public String prompt() {
    return turns.get(0);
  }

  /** Every user turn, in order; one element for single-turn data. */
  public List<String> turns() {
    return turns;
  }

  /** The example's group, when the data has one (an MMLU subject, an MT-Bench category). */
  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  /** How the strong model did. */
  public Outcome strong() {
    return strong;
  }

  /** How the weak model did. */
  public Outcome weak() {
    return weak;
  }

  /** How the given tier's model did. */
  public Outcome outcome(Tier tier) {
    return Objects.requireNonNull(tier, "tier") == Tier.STRONG ? strong : weak;
  }

  /**
   * What routing this example to the strong model instead of the weak one gains: the strong score minus the weak
   * score (positive when the strong model did better).
   */
  public double gain() {
    return strong.score() - weak.score();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Example other
        && id.equals(other.id)
        && turns.equals(other.turns)
        && Objects.equals(group, other.group)
        && strong.equals(other.strong)
        && weak.equals(other.weak);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, turns, group, strong, weak);
  }

  @Override
  public String toString() {
    return "Example{id=" + id + ", group=" + group + ", strong=" + strong.score() + ", weak=" + weak.score() + "}";
  }

  /** Builds an {@link Example}. Not thread-safe. */
  public static final class Builder {
    private String id;
    private List<String> turns;
    private String group;
    private Outcome strong;
    private Outcome weak;

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

    /** The user turns of a multi-turn conversation, in order; at least one. */
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

    /** How the strong model did. */
    public Builder strong(Outcome strong) {
      this.strong = Objects.requireNonNull(strong, "strong");
      return this;
    }

    /** How the weak model did. */
    public Builder weak(Outcome weak) {
      this.weak = Objects.requireNonNull(weak, "weak");
      return this;
    }

    /**
     * The example.
     *
     * @throws IllegalStateException when the id, the prompt or an outcome was not set
     */
    public Example build() {
      if (id == null || turns == null || strong == null || weak == null) {
        throw new IllegalStateException("an example needs an id, a prompt and both outcomes but "
            + (id == null ? "id" : turns == null ? "prompt" : strong == null ? "the strong outcome" : "the weak outcome")
            + " was not set" + (id == null ? "" : " (example '" + id + "')"));
      }
      return new Example(this);
    }
  }
}
