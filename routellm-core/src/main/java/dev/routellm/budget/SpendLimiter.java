package dev.routellm.budget;

import dev.routellm.BudgetExceededException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Daily spend limits per tenant (an API key, a customer) and for all tenants together, enforced before a model is
 * called and shared by every replica that uses the same {@link SpendStore}.
 *
 * <pre>{@code
 * SpendLimiter limits = SpendLimiter.builder()
 *     .store(RedisSpendStore.connect(URI.create("redis://localhost:6379")))   // or SpendStore.inMemory()
 *     .dailyLimit(500.00)                 // all tenants together, dollars per day
 *     .tenantDailyLimit(20.00)            // every tenant...
 *     .tenantDailyLimit("acme", 100.00)   // ...unless given its own
 *     .build();
 * Reservation r = limits.reserve("acme", estimatedCost);   // BudgetExceededException when it does not fit
 * try {
 *   ChatResponse answer = backend.chat(request);
 *   limits.settle(r, costModel.cost(backend.model(), answer.usage()));
 * } catch (RuntimeException e) {
 *   limits.release(r);
 *   throw e;
 * }
 * }</pre>
 *
 * <p><b>Guarantee.</b> A reservation is granted only when, on the tenant's account and on the all-tenants account of
 * the day, what was spent plus what calls in flight have reserved plus this estimate stays within the limit, checked
 * and reserved atomically in the store. So when actual costs do not exceed their estimates, the day's spending never
 * passes a limit, however many processes share the store; when an actual cost exceeds its estimate, the excess is
 * spent anyway and counted, so the limit is passed by at most that excess. Days begin at midnight in the {@linkplain
 * Builder#zone zone} (UTC by default) on the injected {@link Clock}; a request's reservation and settlement count on
 * the day it was reserved.
 *
 * <p><b>Not guaranteed.</b> A reservation that a crashed process never settles holds its estimate until {@linkplain
 * Builder#reservationTimeout it expires}. Reservations made with a store that is unreachable fail with {@link
 * SpendStoreException}: requests are refused rather than run unchecked.
 *
 * <p>Immutable and thread-safe. It does not own the store: close the store yourself.
 */
public final class SpendLimiter {
  /** How long a reservation holds before it is dropped as abandoned: longer than any call should take. */
  public static final Duration DEFAULT_RESERVATION_TIMEOUT = Duration.ofMinutes(15);
  /** The prefix of every key in the store. */
  public static final String DEFAULT_KEY_PREFIX = "routellm:spend";
  /** The tenant of requests that name none. */
  public static final String DEFAULT_TENANT = "default";

  private static final int MAX_TENANT_CHARS = 256;

  private final SpendStore store;
  private final Clock clock;
  private final ZoneId zone;
  private final double dailyLimit;
  private final double tenantDailyLimit;
  private final Map<String, Double> tenantLimits;
  private final Duration reservationTimeout;
  private final String keyPrefix;

  private SpendLimiter(Builder b) {
    this.store = b.store;
    this.clock = b.clock;
    this.zone = b.zone;
    this.dailyLimit = b.dailyLimit;
    this.tenantDailyLimit = b.tenantDailyLimit;
    this.tenantLimits = Map.copyOf(b.tenantLimits);
    this.reservationTimeout = b.reservationTimeout;
    this.keyPrefix = b.keyPrefix;
  }

  /** A builder: an in-process store, the system clock, UTC days, no limits until some are set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reserves {@code estimatedCost} for a request of {@code tenant} on today's accounts.
   *
   * @param tenant the API key or customer the request is for ({@link #DEFAULT_TENANT} when there is none); non-blank,
   *     at most 256 characters
   * @param estimatedCost the request's estimated cost in dollars, finite and {@code >= 0}
   * @return the reservation, to be {@linkplain #settle settled} or {@linkplain #release released} exactly once
   * @throws BudgetExceededException when the estimate does not fit in the tenant's or all tenants' daily limit
   * @throws SpendStoreException when the store fails
   */
  public Reservation reserve(String tenant, double estimatedCost) {
    checkTenant(tenant);
    checkAmount(estimatedCost, "estimatedCost");
    Instant now = clock.instant();
    LocalDate day = LocalDate.ofInstant(now, zone);
    String tenantKey = tenantKey(day, tenant);
    String allKey = allKey(day);
    double tenantLimit = tenantLimit(tenant);
    List<SpendStore.Account> accounts =
        List.of(
            new SpendStore.Account(tenantKey, units(tenantLimit)),
            new SpendStore.Account(allKey, units(dailyLimit)));
    String id = UUID.randomUUID().toString();
    long amount = units(estimatedCost);
    Instant keepUntil = day.plusDays(2).atStartOfDay(zone).toInstant();
    SpendStore.Grant grant;
    try {
      grant = store.reserve(accounts, id, amount, now, now.plus(reservationTimeout), keepUntil);
    } catch (SpendStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SpendStoreException("spend store " + store + " failed to reserve for tenant '" + tenant + "': " + e, e);
    }
    if (!grant.granted()) {
      boolean ofTenant = grant.refused() == 0;
      throw new BudgetExceededException(
          ofTenant ? "daily limit of tenant '" + tenant + "'" : "daily limit of all tenants together",
          tenant,
          day,
          zone,
          ofTenant ? tenantLimit : dailyLimit,
          dollars(grant.spent()),
          dollars(grant.reserved()),
          estimatedCost);
    }
    return new Reservation(this, id, tenant, day, estimatedCost, List.of(tenantKey, allKey));
  }

  /**
   * Ends {@code reservation} with what the request actually cost, which counts as spent on its day.
   *
   * @param actualCost dollars, finite and {@code >= 0}; it may exceed the estimate (the excess is spent all the same)
   * @throws IllegalArgumentException when the reservation is another limiter's
   * @throws IllegalStateException when it was already settled or released
   * @throws SpendStoreException when the store fails
   */
  public void settle(Reservation reservation, double actualCost) {
    checkOwn(reservation);
    checkAmount(actualCost, "actualCost");
    end(reservation);
    try {
      store.settle(reservation.keys(), reservation.id(), units(actualCost));
    } catch (RuntimeException e) {
      throw storeFailure("settle", reservation, e);
    }
  }

  /**
   * Ends {@code reservation} without spending anything: the request failed before a model charged for it.
   *
   * @throws IllegalArgumentException when the reservation is another limiter's
   * @throws IllegalStateException when it was already settled or released
   * @throws SpendStoreException when the store fails
   */
  public void release(Reservation reservation) {
    checkOwn(reservation);
    end(reservation);
    try {
      store.release(reservation.keys(), reservation.id());
    } catch (RuntimeException e) {
      throw storeFailure("release", reservation, e);
    }
  }

  /**
   * Today's amounts for {@code tenant}: spent, and reserved by calls in flight.
   *
   * @throws SpendStoreException when the store fails
   */
  public DailySpend spend(String tenant) {
    checkTenant(tenant);
    Instant now = clock.instant();
    LocalDate day = LocalDate.ofInstant(now, zone);
    return spendOf(tenantKey(day, tenant), day, tenant, tenantLimit(tenant), now);
  }

  /**
   * Today's amounts for all tenants together.
   *
   * @throws SpendStoreException when the store fails
   */
  public DailySpend spendOfAll() {
    Instant now = clock.instant();
    LocalDate day = LocalDate.ofInstant(now, zone);
    return spendOf(allKey(day), day, null, dailyLimit, now);
  }

  private DailySpend spendOf(String key, LocalDate day, String tenant, double limit, Instant now) {
    SpendStore.Balance b;
    try {
      b = store.balance(key, now);
    } catch (RuntimeException e) {
      throw new SpendStoreException("spend store " + store + " failed to read " + key + ": " + e, e);
    }
    return new DailySpend(day, tenant, dollars(b.spent()), dollars(b.reserved()), limit);
  }

  /**
   * One account's amounts on one day.
   *
   * @param day the day
   * @param tenant the tenant, or null for all tenants together
   * @param spent settled costs, in dollars
   * @param reserved estimates of calls in flight, in dollars
   * @param limit the daily limit in dollars, or {@code Double.POSITIVE_INFINITY} when there is none
   */
  public record DailySpend(LocalDate day, String tenant, double spent, double reserved, double limit) {
    /** As a record prints itself, with the amounts as plain decimals. */
    @Override
    public String toString() {
      return "DailySpend[day=" + day + ", tenant=" + tenant + ", spent=" + dev.routellm.cost.Dollars.format(spent)
          + ", reserved=" + dev.routellm.cost.Dollars.format(reserved) + ", limit="
          + (Double.isInfinite(limit) ? "none" : dev.routellm.cost.Dollars.format(limit)) + "]";
    }
  }

  /** The daily limit of {@code tenant}: its own, else the tenants' default; infinite when none. */
  double tenantLimit(String tenant) {
    return tenantLimits.getOrDefault(tenant, tenantDailyLimit);
  }

  private String tenantKey(LocalDate day, String tenant) {
    // The day in braces is a Redis Cluster hash tag: a day's accounts share a slot, as a multi-key script needs.
    return keyPrefix + ":{" + day + "}:tenant:" + tenant;
  }

  private String allKey(LocalDate day) {
    return keyPrefix + ":{" + day + "}:all";
  }

  private void checkOwn(Reservation reservation) {
    Objects.requireNonNull(reservation, "reservation");
    if (reservation.owner() != this) {
      throw new IllegalArgumentException("reservation " + reservation.id() + " was made by another SpendLimiter");
    }
  }

  private static void end(Reservation reservation) {
    if (!reservation.end()) {
      throw new IllegalStateException("reservation " + reservation.id() + " was already settled or released");
    }
  }

  private SpendStoreException storeFailure(String what, Reservation r, RuntimeException e) {
    return e instanceof SpendStoreException s
        ? s
        : new SpendStoreException("spend store " + store + " failed to " + what + " reservation " + r.id()
            + " of tenant '" + r.tenant() + "': " + e, e);
  }

  private static void checkTenant(String tenant) {
    Objects.requireNonNull(tenant, "tenant");
    if (tenant.isBlank() || tenant.length() > MAX_TENANT_CHARS) {
      throw new IllegalArgumentException(
          "tenant must be non-blank and at most " + MAX_TENANT_CHARS + " characters but was '"
              + (tenant.length() > 40 ? tenant.substring(0, 40) + "...' (" + tenant.length() + " characters)" : tenant
              + "'"));
    }
  }

  private static void checkAmount(double dollars, String name) {
    if (!(dollars >= 0) || Double.isInfinite(dollars) || dollars > Long.MAX_VALUE / (double) SpendStore.UNITS_PER_DOLLAR) {
      throw new IllegalArgumentException(name + " must be a finite number of dollars >= 0 but was " + dollars);
    }
  }

  /** Dollars as whole units (rounded to the nearest); an infinite limit as {@link SpendStore#NO_LIMIT}. */
  static long units(double dollars) {
    return Double.isInfinite(dollars) ? SpendStore.NO_LIMIT : Math.round(dollars * SpendStore.UNITS_PER_DOLLAR);
  }

  static double dollars(long units) {
    return units / (double) SpendStore.UNITS_PER_DOLLAR;
  }

  @Override
  public String toString() {
    return "SpendLimiter{store=" + store + ", dailyLimit=" + dailyLimit + ", tenantDailyLimit=" + tenantDailyLimit
        + ", tenantLimits=" + tenantLimits.keySet() + ", zone=" + zone + "}";
  }

  /** Builds a {@link SpendLimiter}. Not thread-safe. Each setter validates its argument at once. */
  public static final class Builder {
    private SpendStore store = SpendStore.inMemory();
    private Clock clock = Clock.systemUTC();
    private ZoneId zone = ZoneOffset.UTC;
    private double dailyLimit = Double.POSITIVE_INFINITY;
    private double tenantDailyLimit = Double.POSITIVE_INFINITY;
    private final Map<String, Double> tenantLimits = new HashMap<>();
    private Duration reservationTimeout = DEFAULT_RESERVATION_TIMEOUT;
    private String keyPrefix = DEFAULT_KEY_PREFIX;

    private Builder() {}

    /** Where amounts are kept; default {@link SpendStore#inMemory()}. Not closed by the limiter. */
    public Builder store(SpendStore value) {
      this.store = Objects.requireNonNull(value, "store");
      return this;
    }

    /** The clock that says which day it is and when reservations expire; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** The zone in which days begin at midnight; default UTC. Every replica sharing a store must use the same. */
    public Builder zone(ZoneId value) {
      this.zone = Objects.requireNonNull(value, "zone");
      return this;
    }

    /** The most all tenants together may spend per day, in dollars; default no limit. */
    public Builder dailyLimit(double dollars) {
      this.dailyLimit = limit(dollars, "dailyLimit");
      return this;
    }

    /** The most each tenant may spend per day, in dollars, unless given its own limit; default no limit. */
    public Builder tenantDailyLimit(double dollars) {
      this.tenantDailyLimit = limit(dollars, "tenantDailyLimit");
      return this;
    }

    /** The most {@code tenant} may spend per day, in dollars, instead of the tenants' default. */
    public Builder tenantDailyLimit(String tenant, double dollars) {
      checkTenant(tenant);
      tenantLimits.put(tenant, limit(dollars, "tenantDailyLimit of '" + tenant + "'"));
      return this;
    }

    /**
     * How long a reservation holds when it is never settled or released (its process died); default {@link
     * #DEFAULT_RESERVATION_TIMEOUT}. Make it longer than a request's deadline.
     */
    public Builder reservationTimeout(Duration value) {
      Objects.requireNonNull(value, "reservationTimeout");
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("reservationTimeout must be > 0 but was " + value);
      }
      this.reservationTimeout = value;
      return this;
    }

    /**
     * The prefix of the store's keys, so that several applications can share one Redis; default {@value
     * #DEFAULT_KEY_PREFIX}.
     */
    public Builder keyPrefix(String value) {
      Objects.requireNonNull(value, "keyPrefix");
      if (value.isBlank() || value.contains("{") || value.contains("}")) {
        throw new IllegalArgumentException("keyPrefix must be non-blank without braces but was '" + value + "'");
      }
      this.keyPrefix = value;
      return this;
    }

    public SpendLimiter build() {
      return new SpendLimiter(this);
    }

    private static double limit(double dollars, String name) {
      if (!(dollars >= 0) || Double.isNaN(dollars)) {
        throw new IllegalArgumentException(name + " must be >= 0 dollars (infinity: no limit) but was " + dollars);
      }
      if (!Double.isInfinite(dollars) && dollars > Long.MAX_VALUE / (double) SpendStore.UNITS_PER_DOLLAR) {
        throw new IllegalArgumentException(name + " must be at most $9,000,000,000 but was " + dollars);
      }
      return dollars;
    }
  }
}
