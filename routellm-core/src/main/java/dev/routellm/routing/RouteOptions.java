package dev.routellm.routing;

import dev.routellm.chat.Capability;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Limits and labels for one request: which models may answer it, what it may cost, what the answering model must
 * support, whose budget pays, and how long it may take. Immutable; {@link #defaults()} sets none of them.
 *
 * <pre>{@code
 * RouteOptions limits = RouteOptions.builder()
 *     .allowedModels("gpt-4o-mini", "llama-3.1-8b")   // never the frontier model for this request
 *     .maxCost(0.002)                                 // dollars, estimated before the call and enforced
 *     .require(Capability.JSON_MODE)
 *     .tenant("team-a")
 *     .build();
 * RoutedResponse answer = router.chat(request, limits);
 * }</pre>
 *
 * <p>A request that no model can serve within its limits fails at once with a
 * {@link dev.routellm.NoEligibleModelException} that names each model and the limit that excluded it.
 */
public final class RouteOptions {
  private static final RouteOptions DEFAULTS = new Builder().build();

  private final Set<String> allowedModels;
  private final double maxCost;
  private final Set<Capability> required;
  private final String tenant;
  private final Duration deadline;

  private RouteOptions(Builder b) {
    this.allowedModels = Set.copyOf(b.allowedModels);
    this.maxCost = b.maxCost;
    this.required = Set.copyOf(b.required);
    this.tenant = b.tenant;
    this.deadline = b.deadline;
  }

  /** No limits: every model may answer, at any cost, within the router's default deadline. */
  public static RouteOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.allowedModels.addAll(allowedModels);
    b.maxCost = maxCost;
    b.required.addAll(required);
    b.tenant = tenant;
    b.deadline = deadline;
    return b;
  }

  /** The models that may answer; empty means every model of the pool. */
  public Set<String> allowedModels() {
    return allowedModels;
  }

  /** The most this request may cost in dollars, all calls together; empty when unlimited. */
  public OptionalDouble maxCost() {
    return Double.isNaN(maxCost) ? OptionalDouble.empty() : OptionalDouble.of(maxCost);
  }

  /** Capabilities the answering model must have, besides those the request itself needs. */
  public Set<Capability> required() {
    return required;
  }

  /** Whose spend limits this request counts against; empty for the router's default tenant. */
  public Optional<String> tenant() {
    return Optional.ofNullable(tenant);
  }

  /** How long the whole request may take, retries and fallbacks included; empty for the router's default. */
  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  @Override
  public String toString() {
    return "RouteOptions{allowedModels=" + allowedModels + ", maxCost=" + (Double.isNaN(maxCost) ? "none"
        : dev.routellm.cost.Dollars.format(maxCost)) + ", required=" + required + ", tenant=" + tenant + ", deadline="
        + deadline + "}";
  }

  /** Builds {@link RouteOptions}. Setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final Set<String> allowedModels = new LinkedHashSet<>();
    private double maxCost = Double.NaN;
    private final Set<Capability> required = EnumSet.noneOf(Capability.class);
    private String tenant;
    private Duration deadline;

    private Builder() {}

    /**
     * Only these models may answer (a router rejects a name that is not in its pool). Replaces an earlier set.
     *
     * @throws IllegalArgumentException when no model is named (an allow-list that came out empty must not silently
     *     allow the whole pool; leave it unset to allow every model), or a name is blank
     */
    public Builder allowedModels(String... models) {
      return allowedModels(java.util.Arrays.asList(Objects.requireNonNull(models, "models")));
    }

    /**
     * Only these models may answer. Replaces an earlier set.
     *
     * @throws IllegalArgumentException when {@code models} is empty (leave it unset, or call {@link #allowAnyModel()},
     *     to allow every model), or a name is blank; the builder is then unchanged
     */
    public Builder allowedModels(Collection<String> models) {
      Objects.requireNonNull(models, "models");
      if (models.isEmpty()) {
        throw new IllegalArgumentException("allowedModels must name at least one model but named none; to allow every"
            + " model of the pool, do not set it");
      }
      Set<String> names = new LinkedHashSet<>();
      for (String m : models) {
        Objects.requireNonNull(m, "allowed model");
        if (m.isBlank()) {
          throw new IllegalArgumentException("allowed model names must not be blank but one was '" + m + "'");
        }
        names.add(m);
      }
      allowedModels.clear();
      allowedModels.addAll(names);
      return this;
    }

    /** Every model of the pool may answer (the default): undoes {@link #allowedModels}, e.g. on a {@code toBuilder()}. */
    public Builder allowAnyModel() {
      allowedModels.clear();
      return this;
    }

    /**
     * The most the request may cost, in dollars, all calls together. A model whose expected cost (the prompt's
     * estimated tokens plus its expected answer length, at its prices) exceeds what is left is not called, and the
     * answer's length is capped ({@code max_tokens}) so that the call cannot cost more than what is left.
     *
     * @throws IllegalArgumentException when {@code dollars} is not finite or not {@code > 0}
     */
    public Builder maxCost(double dollars) {
      if (!(dollars > 0.0 && dollars < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("maxCost must be finite and > 0 but was " + dollars);
      }
      this.maxCost = dollars;
      return this;
    }

    /** Requires a capability of the answering model (adds to earlier ones). */
    public Builder require(Capability capability) {
      required.add(Objects.requireNonNull(capability, "capability"));
      return this;
    }

    /** The tenant (team, customer, API key id) whose spend limits this request counts against. */
    public Builder tenant(String value) {
      Objects.requireNonNull(value, "tenant");
      if (value.isBlank()) {
        throw new IllegalArgumentException("tenant must not be blank");
      }
      this.tenant = value;
      return this;
    }

    /**
     * How long the whole request may take, retries and fallbacks included.
     *
     * @throws IllegalArgumentException when {@code value} is zero or negative
     */
    public Builder deadline(Duration value) {
      Objects.requireNonNull(value, "deadline");
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException("deadline must be > 0 but was " + value);
      }
      this.deadline = value;
      return this;
    }

    public RouteOptions build() {
      return new RouteOptions(this);
    }
  }
}
