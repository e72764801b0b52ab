package dev.routellm.budget;

class InMemorySpendStoreTest extends SpendLimiterContract {
  @Override
  SpendStore newStore() {
    return SpendStore.inMemory();
  }
}
