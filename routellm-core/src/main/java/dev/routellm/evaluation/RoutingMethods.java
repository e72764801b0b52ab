package dev.routellm.evaluation;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Routing methods by name: what {@code routellm eval --router NAME} chooses from. {@link #defaults()} holds
 * {@code random} and {@code oracle}; a learned router joins with {@code RoutingMethods.defaults().toBuilder()
 * .add(myMethod).build()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RoutingMethods {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");

  private final Map<String, RoutingMethod> methods;

  private RoutingMethods(Map<String, RoutingMethod> methods) {
    this.methods = Collections.unmodifiableMap(new TreeMap<>(methods));
  }

  /** The stock methods: {@link RoutingMethod#random()} and {@link RoutingMethod#oracle()}. */
  public static RoutingMethods defaults() {
    return builder().add(RoutingMethod.random()).add(RoutingMethod.oracle()).build();
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder(Map.of());
  }

  /** A builder holding this registry's methods. */
  public Builder toBuilder() {
    return new Builder(methods);
  }

  /**
   * The method with this name.
   *
   * @throws IllegalArgumentException when no method has this name; the message lists the known names
   */
  public RoutingMethod get(String name) {
    Objects.requireNonNull(name, "name");
    RoutingMethod method = methods.get(name);
    if (method == null) {
      throw new IllegalArgumentException("router must be one of " + methods.keySet() + " but was '" + name + "'");
    }
    return method;
  }

  /** Whether a method has this name. */
  public boolean contains(String name) {
    return methods.containsKey(Objects.requireNonNull(name, "name"));
  }

  /** Every name, in alphabetical order. */
  public Set<String> names() {
    return methods.keySet();
  }

  @Override
  public String toString() {
    return "RoutingMethods" + methods.keySet();
  }

  /** Builds a {@link RoutingMethods}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, RoutingMethod> methods;

    private Builder(Map<String, RoutingMethod> methods) {
      this.methods = new TreeMap<>(methods);
    }

    /**
     * Adds a method under its {@link RoutingMethod#name()}.
     *
     * @throws IllegalArgumentException when the name is not lower-case letters, digits, {@code _ . -}, or is taken
     */
    public Builder add(RoutingMethod method) {
      Objects.requireNonNull(method, "method");
      String name = Objects.requireNonNull(method.name(), "method.name()");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "a router name must be lower-case letters, digits, '_', '.' or '-' but was '" + name + "'");
      }
      if (methods.putIfAbsent(name, method) != null) {
        throw new IllegalArgumentException("a router named '" + name + "' is already registered");
      }
      return this;
    }

    public RoutingMethods build() {
      return new RoutingMethods(methods);
    }
  }
}
