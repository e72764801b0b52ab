package dev.routellm.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The models a router chooses among, in a fixed order, with names unique. Immutable; the backends are not owned.
 *
 * <pre>{@code
 * ModelPool pool = ModelPool.builder()
 *     .model(PoolModel.of(gpt4o, 2.50, 10.00))
 *     .model(PoolModel.of(mini, 0.15, 0.60))
 *     .model(PoolModel.builder(llama).price(0.05, 0.05).capabilities(Capabilities.ALL.withTools(false)).build())
 *     .reference("gpt-4o")          // savings are measured against this model (default: the most expensive)
 *     .build();
 * }</pre>
 */
public final class ModelPool {
  private final List<PoolModel> models;
  private final Map<String, PoolModel> byName;
  private final String reference;

  private ModelPool(Builder b) {
    this.models = List.copyOf(b.models.values());
    this.byName = Map.copyOf(b.models);
    this.reference = b.reference;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A pool of these models, in this order.
   *
   * @throws IllegalArgumentException when two share a name or none is given
   */
  public static ModelPool of(PoolModel... models) {
    Builder b = builder();
    for (PoolModel m : Objects.requireNonNull(models, "models")) {
      b.model(m);
    }
    return b.build();
  }

  /** The models, in pool order. */
  public List<PoolModel> models() {
    return models;
  }

  /** The model names, in pool order. */
  public List<String> names() {
    List<String> names = new ArrayList<>(models.size());
    for (PoolModel m : models) {
      names.add(m.name());
    }
    return names;
  }

  public int size() {
    return models.size();
  }

  /** Whether {@code name} is in the pool. */
  public boolean contains(String name) {
    return byName.containsKey(Objects.requireNonNull(name, "name"));
  }

  /**
   * The model named {@code name}.
   *
   * @throws IllegalArgumentException naming the pool's models when there is none
   */
  public PoolModel model(String name) {
    PoolModel m = byName.get(Objects.requireNonNull(name, "name"));
    if (m == null) {
      throw new IllegalArgumentException("no model '" + name + "' in the pool; its models are " + names());
    }
    return m;
  }

  /**
   * The reference model set with {@link Builder#reference}: the one savings are measured against and whose answers
   * count as "strong". Empty when not set; a router then takes the most expensive model.
   */
  public Optional<String> reference() {
    return Optional.ofNullable(reference);
  }

  @Override
  public String toString() {
    return "ModelPool" + names() + (reference == null ? "" : "{reference=" + reference + "}");
  }

  /** Builds a {@link ModelPool}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, PoolModel> models = new LinkedHashMap<>();
    private String reference;

    private Builder() {}

    /**
     * Adds a model.
     *
     * @throws IllegalArgumentException when a model of the same name is already in the pool
     */
    public Builder model(PoolModel model) {
      Objects.requireNonNull(model, "model");
      if (models.containsKey(model.name())) {
        throw new IllegalArgumentException("the pool already has a model named '" + model.name()
            + "'; give each backend a distinct name");
      }
      models.put(model.name(), model);
      return this;
    }

    /** The model savings are measured against (default: the most expensive). Checked in {@link #build()}. */
    public Builder reference(String name) {
      this.reference = Objects.requireNonNull(name, "reference");
      return this;
    }

    /**
     * Builds the pool.
     *
     * @throws IllegalStateException when no model was added, or the reference is not one of them
     */
    public ModelPool build() {
      if (models.isEmpty()) {
        throw new IllegalStateException("a model pool needs at least one model");
      }
      if (reference != null && !models.containsKey(reference)) {
        throw new IllegalStateException("reference model '" + reference + "' is not in the pool " + models.keySet());
      }
      return new ModelPool(this);
    }
  }
}
