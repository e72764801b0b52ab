package dev.routellm.budget;

import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request's estimated cost, held on its tenant's and on all tenants' accounts of one day until the request ends.
 * Hand it back to the {@link SpendLimiter} that made it exactly once: {@link SpendLimiter#settle} with the actual cost
 * after a call, or {@link SpendLimiter#release} when nothing was spent. Thread-safe; the second of two ends is refused.
 */
public final class Reservation {
  private final SpendLimiter owner;
  private final String id;
  private final String tenant;
  private final LocalDate day;
  private final double estimate;
  private final List<String> keys;
  private final AtomicBoolean ended = new AtomicBoolean();

  Reservation(SpendLimiter owner, String id, String tenant, LocalDate day, double estimate, List<String> keys) {
    this.owner = owner;
    this.id = id;
    this.tenant = tenant;
    this.day = day;
    this.estimate = estimate;
    this.keys = List.copyOf(keys);
  }

  /** A unique id, as kept in the store. */
  public String id() {
    return id;
  }

  /** The tenant the reservation was made for. */
  public String tenant() {
    return tenant;
  }

  /** The day whose accounts hold it (the day it was made, in the limiter's time zone). */
  public LocalDate day() {
    return day;
  }

  /** The estimated cost reserved, in dollars. */
  public double estimate() {
    return estimate;
  }

  SpendLimiter owner() {
    return owner;
  }

  List<String> keys() {
    return keys;
  }

  /** Marks the reservation ended; false when it already was. */
  boolean end() {
    return ended.compareAndSet(false, true);
  }

  @Override
  public String toString() {
    return "Reservation{" + id + ", tenant=" + tenant + ", day=" + day + ", estimate=" + estimate + "}";
  }
}
