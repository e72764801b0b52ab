package dev.routellm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.BudgetExceededException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link SpendStore} must do under a {@link SpendLimiter}; subclasses supply the store. */
abstract class SpendLimiterContract {
  /** 23:00 UTC, one hour before a new day. */
  static final Instant LATE_EVENING = Instant.parse("2025-01-17T23:00:00Z");

  final MutableClock clock = new MutableClock(LATE_EVENING);
  SpendStore store;

  abstract SpendStore newStore();

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  SpendLimiter.Builder limiter() {
    return SpendLimiter.builder().store(store).clock(clock).keyPrefix("test" + System.nanoTime());
  }

  @Test
  void reserve_withinTheLimit_isGrantedAndCountsAsReserved() {
    SpendLimiter limits = limiter().tenantDailyLimit(1.00).build();

    Reservation r = limits.reserve("acme", 0.40);

    assertThat(r.tenant()).isEqualTo("acme");
    assertThat(r.day()).isEqualTo(LocalDate.of(2025, 1, 17));
    assertThat(limits.spend("acme").reserved()).isEqualTo(0.40);
    assertThat(limits.spend("acme").spent()).isZero();
    assertThat(limits.spendOfAll().reserved()).isEqualTo(0.40);
  }

  @Test
  void reserve_overTheTenantLimit_isRefusedNamingLimitTenantAndAmounts() {
    SpendLimiter limits = limiter().tenantDailyLimit(1.00).build();
    limits.settle(limits.reserve("acme", 0.60), 0.60);
    limits.reserve("acme", 0.30);

    assertThatThrownBy(() -> limits.reserve("acme", 0.2))
        .isInstanceOfSatisfying(
            BudgetExceededException.class,
            e -> {
              assertThat(e.tenant()).isEqualTo("acme");
              assertThat(e.limit()).isEqualTo(1.00);
              assertThat(e.spent()).isEqualTo(0.60);
              assertThat(e.reserved()).isEqualTo(0.30);
              assertThat(e.estimate()).isEqualTo(0.2);
              assertThat(e.day()).isEqualTo(LocalDate.of(2025, 1, 17));
            })
        .hasMessage(
            "daily limit of tenant 'acme' ($1) for 2025-01-17 (Z) has no room for this request: $0.6 spent and $0.3"
                + " reserved by calls in flight leave $0.1, less than its estimated cost of $0.2");
    assertThat(limits.spend("acme").reserved()).as("nothing reserved by the refusal").isEqualTo(0.30);
  }

  @Test
  void reserve_exactlyFillingTheLimit_isGranted() {
    SpendLimiter limits = limiter().tenantDailyLimit(0.0000039).build();

    for (int i = 0; i < 3; i++) {
      limits.settle(limits.reserve("t", 0.0000013), 0.0000013);
    }

    assertThat(limits.spend("t").spent()).isEqualTo(0.0000039);
    assertThatThrownBy(() -> limits.reserve("t", 0.000000001)).isInstanceOf(BudgetExceededException.class);
  }

  @Test
  void reserve_overTheLimitOfAllTenants_isRefusedNamingIt() {
    SpendLimiter limits = limiter().dailyLimit(1.00).tenantDailyLimit(0.80).build();
    limits.settle(limits.reserve("a", 0.70), 0.70);

    assertThatThrownBy(() -> limits.reserve("b", 0.50))
        .isInstanceOf(BudgetExceededException.class)
        .hasMessageStartingWith("daily limit of all tenants together ($1) for 2025-01-17");
    assertThat(limits.reserve("b", 0.30).estimate()).isEqualTo(0.30);
  }

  @Test
  void tenantDailyLimit_ofOneTenant_overridesTheDefault() {
    SpendLimiter limits = limiter().tenantDailyLimit(0.10).tenantDailyLimit("big", 5.00).build();

    assertThat(limits.reserve("big", 4.00).estimate()).isEqualTo(4.00);
    assertThatThrownBy(() -> limits.reserve("small", 0.20)).isInstanceOf(BudgetExceededException.class);
  }

  @Test
  void release_givesTheEstimateBack() {
    SpendLimiter limits = limiter().tenantDailyLimit(1.00).build();
    Reservation r = limits.reserve("acme", 0.90);

    limits.release(r);

    assertThat(limits.spend("acme").reserved()).isZero();
    assertThat(limits.spend("acme").spent()).isZero();
    assertThat(limits.reserve("acme", 0.90)).isNotNull();
  }

  @Test
  void settle_aboveTheEstimate_countsWhatWasSpent() {
    SpendLimiter limits = limiter().tenantDailyLimit(1.00).build();

    limits.settle(limits.reserve("acme", 0.10), 0.25);

    assertThat(limits.spend("acme").spent()).isEqualTo(0.25);
    assertThat(limits.spend("acme").reserved()).isZero();
  }

  @Test
  void settle_twice_isRefusedAndCountsOnce() {
    SpendLimiter limits = limiter().build();
    Reservation r = limits.reserve("acme", 0.10);
    limits.settle(r, 0.10);

    assertThatThrownBy(() -> limits.settle(r, 0.10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already settled or released");
    assertThatThrownBy(() -> limits.release(r)).isInstanceOf(IllegalStateException.class);
    assertThat(limits.spend("acme").spent()).isEqualTo(0.10);
  }

  @Test
  void newDay_startsAfreshOnTheClock() {
    SpendLimiter limits = limiter().tenantDailyLimit(1.00).build();
    Reservation yesterday = limits.reserve("acme", 0.90);
    assertThatThrownBy(() -> limits.reserve("acme", 0.20)).isInstanceOf(BudgetExceededException.class);

    clock.advance(Duration.ofHours(1)); // midnight UTC

    assertThat(limits.reserve("acme", 0.90).day()).isEqualTo(LocalDate.of(2025, 1, 18));
    limits.settle(yesterday, 0.90); // counts on the day it was reserved
    assertThat(limits.spend("acme").spent()).isZero();
    assertThat(limits.spend("acme").reserved()).isEqualTo(0.90);
  }

  @Test
  void zone_movesTheDayBoundary() {
    SpendLimiter limits = limiter().zone(ZoneId.of("Asia/Tokyo")).build(); // 23:00 UTC is 08:00 the next day there

    assertThat(limits.reserve("acme", 0.1).day()).isEqualTo(LocalDate.of(2025, 1, 18));
  }

  @Test
  void abandonedReservation_expiresAndStopsCounting() {
    SpendLimiter limits = limiter().tenantDailyLimit(1.00).reservationTimeout(Duration.ofMinutes(5)).build();
    Reservation abandoned = limits.reserve("acme", 0.90);
    assertThatThrownBy(() -> limits.reserve("acme", 0.20)).isInstanceOf(BudgetExceededException.class);

    clock.advance(Duration.ofMinutes(5));

    assertThat(limits.spend("acme").reserved()).isZero();
    assertThat(limits.reserve("acme", 0.20)).isNotNull();
    limits.settle(abandoned, 0.05); // a late settlement still counts what was spent
    assertThat(limits.spend("acme").spent()).isEqualTo(0.05);
    assertThat(limits.spend("acme").reserved()).isEqualTo(0.20);
  }

  @Test
  void concurrentReservations_neverPassTheLimit() throws Exception {
    SpendLimiter limits = limiter().tenantDailyLimit(0.50).build();
    AtomicInteger granted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    try {
                      limits.settle(limits.reserve("acme", 0.01), 0.01);
                      granted.incrementAndGet();
                    } catch (BudgetExceededException refused) {
                      // expected once the budget is used up
                    }
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(granted.get()).isEqualTo(50);
    assertThat(limits.spend("acme").spent()).isCloseTo(0.50, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void reserve_badArguments_areRejected() {
    SpendLimiter limits = limiter().build();

    assertThatThrownBy(() -> limits.reserve(" ", 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tenant must be non-blank");
    assertThatThrownBy(() -> limits.reserve("a", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("estimatedCost must be a finite number of dollars >= 0 but was NaN");
    assertThatThrownBy(() -> limits.reserve("a", -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpendLimiter.builder().dailyLimit(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dailyLimit must be >= 0 dollars (infinity: no limit) but was -1.0");
    SpendLimiter other = limiter().build();
    Reservation r = other.reserve("a", 0.1);
    assertThatThrownBy(() -> limits.settle(r, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another SpendLimiter");
  }
}
