package dev.routellm.routing;

/**
 * Where a router reserves money before a call and settles it after: the hook for spend limits. Thread-safe.
 * {@link #NONE} reserves nothing.
 */
interface SpendGuard {
  SpendGuard NONE =
      new SpendGuard() {
        @Override
        public Object reserve(String tenant, String model, double estimate) {
          return null;
        }

        @Override
        public void settle(Object reservation, double actual) {}

        @Override
        public void release(Object reservation) {}
      };

  /**
   * Reserves {@code estimate} dollars for a call of {@code model} on behalf of {@code tenant} (null: the default).
   *
   * @return a reservation to settle or release
   * @throws dev.routellm.RouteLlmException when the spend limit does not allow it
   */
  Object reserve(String tenant, String model, double estimate);

  /** The call cost {@code actual}. */
  void settle(Object reservation, double actual);

  /** The call failed before it cost anything. */
  void release(Object reservation);
}
