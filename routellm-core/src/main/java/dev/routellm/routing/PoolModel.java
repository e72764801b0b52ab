package dev.routellm.routing;

import dev.routellm.chat.Capabilities;
import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.ModelPrice;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * One model of a {@link ModelPool}: its backend, its price, what it can do, and how long its answers usually are.
 * Immutable; the backend is not owned (never closed by the pool or the router).
 *
 * <pre>{@code
 * PoolModel mini = PoolModel.builder(miniBackend)
 *     .price(0.15, 0.60)                  // dollars per million input and output tokens
 *     .capabilities(Capabilities.ALL.withContextTokens(128_000))
 *     .expectedOutputTokens(350)
 *     .build();
 * }</pre>
 */
public final class PoolModel {
  /**
   * Answer length assumed when none is given: 264 tokens, the average GPT-4 answer in RouteLLM's paper. Expected
   * costs (for per-request cost limits and N-way policies) use it.
   */
  public static final int DEFAULT_EXPECTED_OUTPUT_TOKENS = 264;

  private final ModelBackend backend;
  private final ModelPrice price;
  private final Capabilities capabilities;
  private final int expectedOutputTokens;
  private final CircuitBreakerConfig circuitBreaker;

  private PoolModel(Builder b) {
    this.backend = b.backend;
    this.price = b.price;
    this.capabilities = b.capabilities != null ? b.capabilities : b.backend.capabilities();
    this.expectedOutputTokens = b.expectedOutputTokens;
    this.circuitBreaker = b.circuitBreaker;
  }

  /** A model answered by {@code backend}, with the backend's capabilities, priced by the router's cost model. */
  public static Builder builder(ModelBackend backend) {
    return new Builder(backend);
  }

  /** A model at {@code inputPerMillion}/{@code outputPerMillion} dollars per million tokens, defaults otherwise. */
  public static PoolModel of(ModelBackend backend, double inputPerMillion, double outputPerMillion) {
    return builder(backend).price(inputPerMillion, outputPerMillion).build();
  }

  public Builder toBuilder() {
    Builder b = new Builder(backend);
    b.price = price;
    b.capabilities = capabilities;
    b.expectedOutputTokens = expectedOutputTokens;
    b.circuitBreaker = circuitBreaker;
    return b;
  }

  /** The model's name: its backend's {@link ModelBackend#model()}. */
  public String name() {
    return backend.model();
  }

  public ModelBackend backend() {
    return backend;
  }

  /** The model's own price; empty when the router's {@link dev.routellm.cost.CostModel} prices it. */
  public Optional<ModelPrice> price() {
    return Optional.ofNullable(price);
  }

  public Capabilities capabilities() {
    return capabilities;
  }

  /** Tokens an answer of this model usually has, for expected costs. */
  public int expectedOutputTokens() {
    return expectedOutputTokens;
  }

  /** The model's own circuit-breaker settings; empty when the router's defaults apply. */
  public Optional<CircuitBreakerConfig> circuitBreaker() {
    return Optional.ofNullable(circuitBreaker);
  }

  @Override
  public String toString() {
    return "PoolModel{" + name() + (price == null ? "" : ", price=" + price) + ", " + capabilities
        + ", expectedOutputTokens=" + expectedOutputTokens + "}";
  }

  /** Builds a {@link PoolModel}. Setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final ModelBackend backend;
    private ModelPrice price;
    private Capabilities capabilities;
    private int expectedOutputTokens = DEFAULT_EXPECTED_OUTPUT_TOKENS;
    private CircuitBreakerConfig circuitBreaker;

    private Builder(ModelBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** The price in dollars per million input and output tokens. */
    public Builder price(double inputPerMillion, double outputPerMillion) {
      return price(new ModelPrice(inputPerMillion, outputPerMillion));
    }

    public Builder price(ModelPrice value) {
      this.price = Objects.requireNonNull(value, "price");
      return this;
    }

    /** What the model supports. Default: its backend's {@link ModelBackend#capabilities()}. */
    public Builder capabilities(Capabilities value) {
      this.capabilities = Objects.requireNonNull(value, "capabilities");
      return this;
    }

    /**
     * Tokens an answer usually has. Default {@link #DEFAULT_EXPECTED_OUTPUT_TOKENS}.
     *
     * @throws IllegalArgumentException when {@code tokens} is not {@code > 0}
     */
    public Builder expectedOutputTokens(int tokens) {
      if (tokens <= 0) {
        throw new IllegalArgumentException("expectedOutputTokens must be > 0 but was " + tokens);
      }
      this.expectedOutputTokens = tokens;
      return this;
    }

    /** Circuit-breaker settings for this model, instead of the router's. */
    public Builder circuitBreaker(CircuitBreakerConfig value) {
      this.circuitBreaker = Objects.requireNonNull(value, "circuitBreaker");
      return this;
    }

    public PoolModel build() {
      return new PoolModel(this);
    }
  }
}
