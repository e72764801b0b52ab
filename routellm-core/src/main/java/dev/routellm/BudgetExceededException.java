package dev.routellm;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A request was refused before any model was called because its estimated cost does not fit in a spend limit: what
 * was spent that day, plus what calls in flight have reserved, plus this request's estimate, would pass the limit.
 * Retrying the same day will fail the same way unless calls in flight settle below their estimates. The message names
 * the limit, the tenant and the amounts, for example {@code "daily limit of tenant 'acme' ($10) for 2025-01-17 (Z) has
 * no room for this request: $9.98 spent and $0.015 reserved by calls in flight leave $0.005, less than its estimated
 * cost of $0.02"}.
 * A server answers it with HTTP 429.
 */
public final class BudgetExceededException extends RouteLlmException {
  private static final long serialVersionUID = 1L;

  private final String limitName;
  private final String tenant;
  private final LocalDate day;
  private final double limit;
  private final double spent;
  private final double reserved;
  private final double estimate;

  /**
   * @param limitName the limit that refused, for people: {@code "daily limit of tenant 'acme'"}
   * @param tenant the tenant (API key or customer) the request was made for
   * @param day the day whose spending was counted
   * @param zone the time zone in which the day begins and ends
   * @param limit the limit, in dollars
   * @param spent what was already spent that day, in dollars
   * @param reserved what calls in flight have reserved, in dollars
   * @param estimate this request's estimated cost, in dollars
   */
  public BudgetExceededException(
      String limitName,
      String tenant,
      LocalDate day,
      ZoneId zone,
      double limit,
      double spent,
      double reserved,
      double estimate) {
    super(
        Objects.requireNonNull(limitName, "limitName") + " (" + dollars(limit) + ") for " + day + " (" + zone
            + ") has no room for this request: " + dollars(spent) + " spent and " + dollars(reserved)
            + " reserved by calls in flight leave " + dollars(Math.max(0.0, limit - spent - reserved))
            + ", less than its estimated cost of " + dollars(estimate)
            + (limitName.contains("'" + tenant + "'") ? "" : " (tenant '" + tenant + "')"),
        null);
    this.limitName = limitName;
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.day = Objects.requireNonNull(day, "day");
    this.limit = limit;
    this.spent = spent;
    this.reserved = reserved;
    this.estimate = estimate;
  }

  /** Money as people read it: {@code $0.0000013}, {@code $10}; never in scientific notation. */
  static String dollars(double amount) {
    return dev.routellm.cost.Dollars.format(amount);
  }

  /** The limit that refused, for people: {@code "daily limit of tenant 'acme'"}, {@code "daily limit of all tenants"}. */
  public String limitName() {
    return limitName;
  }

  /** The tenant the request was made for. */
  public String tenant() {
    return tenant;
  }

  /** The day whose spending was counted. */
  public LocalDate day() {
    return day;
  }

  /** The limit, in dollars. */
  public double limit() {
    return limit;
  }

  /** What was already spent that day, in dollars. */
  public double spent() {
    return spent;
  }

  /** What calls in flight had reserved, in dollars. */
  public double reserved() {
    return reserved;
  }

  /** This request's estimated cost, in dollars. */
  public double estimate() {
    return estimate;
  }
}
