package dev.routellm.budget;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Where a {@link SpendLimiter} keeps what was spent and what calls in flight have reserved, per account (one tenant's
 * day, or all tenants' day). An SPI: {@link #inMemory()} serves one process; {@link RedisSpendStore} is shared by every
 * process that points at one Redis. Amounts are whole {@linkplain #UNITS_PER_DOLLAR units} (billionths of a dollar),
 * so that sums are exact.
 *
 * <p><b>Contract.</b> Implementations are thread-safe, and {@link #reserve} is atomic across every client of the store:
 * two reservations that together pass a limit can never both be granted. A reservation not settled or released by
 * its expiry is dropped at the next {@code reserve} or {@code balance} on its account (the process that made it may
 * have died), and its amount no longer counts. {@link #close()} releases what the store owns and is idempotent.
 */
public interface SpendStore extends AutoCloseable {
  /** Units per dollar: amounts are billionths of a dollar ({@code $0.0000013} is 1,300 units). */
  long UNITS_PER_DOLLAR = 1_000_000_000L;

  /** Stands for "no limit" in {@link Account#limit()}. */
  long NO_LIMIT = -1;

  /**
   * An account to reserve on, with its limit.
   *
   * @param key the account's key, unique in the store
   * @param limit the most that spent and reserved together may reach, in units, or {@link #NO_LIMIT}
   */
  record Account(String key, long limit) {
    public Account {
      Objects.requireNonNull(key, "key");
      if (limit < 0 && limit != NO_LIMIT) {
        throw new IllegalArgumentException("limit must be >= 0 or NO_LIMIT but was " + limit);
      }
    }
  }

  /**
   * The answer to {@link #reserve}.
   *
   * @param granted whether the amount was reserved on every account
   * @param refused the index in the accounts of the first one that had no room, or -1 when granted
   * @param spent that account's spent amount, in units (0 when granted)
   * @param reserved that account's reserved amount before this request, in units (0 when granted)
   */
  record Grant(boolean granted, int refused, long spent, long reserved) {
    /** A granted reservation. */
    public static final Grant GRANTED = new Grant(true, -1, 0, 0);
  }

  /**
   * An account's amounts.
   *
   * @param spent settled costs, in units
   * @param reserved estimates of calls in flight, in units
   */
  record Balance(long spent, long reserved) {}

  /**
   * Atomically: drops the expired reservations of {@code accounts}; then, when every account has room ({@code spent +
   * reserved + amount <= limit}), reserves {@code amount} on each under {@code id} until {@code expiresAt} and grants;
   * otherwise changes nothing and names the first account without room.
   *
   * @param now the current time, from the limiter's clock
   * @param keepUntil when the accounts may be forgotten (after their day has passed)
   */
  Grant reserve(List<Account> accounts, String id, long amount, Instant now, Instant expiresAt, Instant keepUntil);

  /**
   * Ends reservation {@code id} on each account and adds {@code actual} to its spent amount. When the reservation had
   * already expired, only the spent amount changes.
   */
  void settle(List<String> keys, String id, long actual);

  /** Ends reservation {@code id} on each account without spending anything; nothing happens when it had expired. */
  void release(List<String> keys, String id);

  /** An account's amounts now, expired reservations dropped; zeros for an account never used. */
  Balance balance(String key, Instant now);

  /** Releases what the store owns (never a client the caller passed in). Idempotent. */
  @Override
  void close();

  /** A store for one process: amounts live in its memory and are lost when it ends. */
  static SpendStore inMemory() {
    return new InMemorySpendStore();
  }
}
