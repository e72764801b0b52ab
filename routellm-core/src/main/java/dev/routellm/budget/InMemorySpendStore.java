package dev.routellm.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The {@link SpendStore} of one process. Thread-safe: every operation holds this object's lock. */
final class InMemorySpendStore implements SpendStore {
  /** How often accounts whose day has passed are forgotten. */
  private static final Duration SWEEP_EVERY = Duration.ofMinutes(10);

  private final Map<String, AccountState> accounts = new HashMap<>();
  private Instant lastSweep = Instant.MIN;

  private static final class AccountState {
    long spent;
    long reserved;
    Instant keepUntil;
    /** Reservation id to {amount, expiry in epoch milliseconds}. */
    final Map<String, long[]> reservations = new HashMap<>();

    void dropExpired(Instant now) {
      long nowMillis = now.toEpochMilli();
      for (Iterator<long[]> it = reservations.values().iterator(); it.hasNext(); ) {
        long[] r = it.next();
        if (r[1] <= nowMillis) {
          reserved -= r[0];
          it.remove();
        }
      }
    }
  }

  @Override
  public synchronized Grant reserve(
      List<Account> wanted, String id, long amount, Instant now, Instant expiresAt, Instant keepUntil) {
    sweep(now);
    AccountState[] states = new AccountState[wanted.size()];
    for (int i = 0; i < states.length; i++) {
      AccountState s = accounts.computeIfAbsent(wanted.get(i).key(), k -> new AccountState());
      s.dropExpired(now);
      s.keepUntil = keepUntil;
      long limit = wanted.get(i).limit();
      if (limit != NO_LIMIT && s.spent + s.reserved + amount > limit) {
        return new Grant(false, i, s.spent, s.reserved);
      }
      states[i] = s;
    }
    for (AccountState s : states) {
      s.reserved += amount;
      s.reservations.put(id, new long[] {amount, expiresAt.toEpochMilli()});
    }
    return Grant.GRANTED;
  }

  @Override
  public synchronized void settle(List<String> keys, String id, long actual) {
    end(keys, id, actual);
  }

  @Override
  public synchronized void release(List<String> keys, String id) {
    end(keys, id, 0);
  }

  private void end(List<String> keys, String id, long actual) {
    for (String key : keys) {
      AccountState s = accounts.get(key);
      if (s == null) {
        continue; // forgotten: its day has long passed
      }
      long[] r = s.reservations.remove(id);
      if (r != null) {
        s.reserved -= r[0];
      }
      s.spent += actual;
    }
  }

  @Override
  public synchronized Balance balance(String key, Instant now) {
    AccountState s = accounts.get(key);
    if (s == null) {
      return new Balance(0, 0);
    }
    s.dropExpired(now);
    return new Balance(s.spent, s.reserved);
  }

  private void sweep(Instant now) {
    if (Duration.between(lastSweep, now).compareTo(SWEEP_EVERY) < 0) {
      return;
    }
    lastSweep = now;
    accounts.values().removeIf(s -> s.keepUntil != null && s.keepUntil.isBefore(now));
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "SpendStore.inMemory()";
  }
}
