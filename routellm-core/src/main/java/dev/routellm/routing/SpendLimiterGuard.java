package dev.routellm.routing;

import dev.routellm.budget.Reservation;
import dev.routellm.budget.SpendLimiter;

/** A {@link SpendLimiter} as a router's {@link SpendGuard}. Thread-safe. */
final class SpendLimiterGuard implements SpendGuard {
  private static final System.Logger LOG = System.getLogger(SpendLimiterGuard.class.getName());

  private final SpendLimiter limiter;

  SpendLimiterGuard(SpendLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public Object reserve(String tenant, String model, double estimate) {
    return limiter.reserve(tenant == null ? SpendLimiter.DEFAULT_TENANT : tenant, estimate);
  }

  @Override
  public void settle(Object reservation, double actual) {
    try {
      limiter.settle((Reservation) reservation, actual);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not settle spend reservation " + reservation + " at " + actual
          + "; the store will expire it", e);
    }
  }

  @Override
  public void release(Object reservation) {
    try {
      limiter.release((Reservation) reservation);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not release spend reservation " + reservation
          + "; the store will expire it", e);
    }
  }
}
