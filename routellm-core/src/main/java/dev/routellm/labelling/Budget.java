package dev.routellm.labelling;

/**
 * A hard cap on dollars spent. Work holds the most it could cost before it starts ({@link #hold}); a hold that does
 * not fit in what is left is refused, so the money spent plus the money held never exceeds the cap. Thread-safe.
 */
final class Budget {
  private final double limit;
  private double spent;
  private double held;

  /**
   * @param limit the cap, {@code Double.POSITIVE_INFINITY} for none
   * @param spentBefore dollars already spent (by earlier runs on the same output)
   */
  Budget(double limit, double spentBefore) {
    this.limit = limit;
    this.spent = spentBefore;
  }

  /** Holds {@code amount} dollars, or returns null when they do not fit. */
  synchronized Hold hold(double amount) {
    if (spent + held + amount > limit) {
      return null;
    }
    held += amount;
    return new Hold(amount);
  }

  synchronized double spent() {
    return spent;
  }

  /** What is left, less what is held. */
  synchronized double available() {
    return limit - spent - held;
  }

  double limit() {
    return limit;
  }

  /** Dollars held for one piece of work. Not thread-safe: one worker owns it. */
  final class Hold {
    private double amount;
    private boolean settled;

    private Hold(double amount) {
      this.amount = amount;
    }

    /** Changes the amount held; false (and nothing changed) when a larger amount does not fit. */
    boolean resize(double newAmount) {
      synchronized (Budget.this) {
        if (newAmount > amount && spent + held - amount + newAmount > limit) {
          return false;
        }
        held += newAmount - amount;
        amount = newAmount;
        return true;
      }
    }

    /** Releases the hold and records what was actually spent; idempotent. */
    void settle(double actual) {
      synchronized (Budget.this) {
        if (!settled) {
          held -= amount;
          spent += actual;
          settled = true;
        }
      }
    }
  }
}
