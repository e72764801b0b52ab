package dev.routellm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.BudgetExceededException;
import java.net.URI;
import redis.clients.jedis.RedisClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract against a real redis-server on loopback, started by the test. */
class RedisSpendStoreTest extends SpendLimiterContract {
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() throws InterruptedException {
    redis.close();
  }

  @Override
  SpendStore newStore() {
    return RedisSpendStore.connect(redis.uri());
  }

  @Test
  void twoIndependentClients_shareOneBudget() {
    String prefix = "shared" + System.nanoTime();
    try (SpendStore second = RedisSpendStore.connect(redis.uri())) {
      SpendLimiter a = limiter().keyPrefix(prefix).tenantDailyLimit(1.00).build();
      SpendLimiter b = SpendLimiter.builder().store(second).clock(clock).keyPrefix(prefix).tenantDailyLimit(1.00)
          .build();
      a.settle(a.reserve("acme", 0.70), 0.70);

      assertThatThrownBy(() -> b.reserve("acme", 0.40)).isInstanceOf(BudgetExceededException.class);
      assertThat(b.spend("acme").spent()).isEqualTo(0.70);
    }
  }

  @Test
  void scriptsForgottenByTheServer_areLoadedAgain() {
    SpendLimiter limits = limiter().build();
    limits.settle(limits.reserve("acme", 0.10), 0.10);
    try (RedisClient admin = RedisClient.create(redis.uri())) {
      admin.scriptFlush();
    }

    limits.settle(limits.reserve("acme", 0.10), 0.10);

    assertThat(limits.spend("acme").spent()).isEqualTo(0.20);
  }

  @Test
  void unreachableServer_failsWithASpendStoreExceptionNamingIt() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (SpendStore dead = RedisSpendStore.connect(URI.create("redis://127.0.0.1:" + port))) {
      SpendLimiter limits = SpendLimiter.builder().store(dead).clock(clock).build();

      assertThatThrownBy(() -> limits.reserve("acme", 0.1))
          .isInstanceOf(SpendStoreException.class)
          .hasMessageStartingWith("spend store redis redis://127.0.0.1:" + port + " failed to reserve for tenant"
              + " 'acme'");
    }
  }

  @Test
  void connect_notARedisUri_isRejected() {
    assertThatThrownBy(() -> RedisSpendStore.connect(URI.create("http://localhost:6379")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uri must be redis://host:port or rediss://host:port but was http://localhost:6379");
  }
}
