package dev.routellm.budget;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A {@link SpendStore} in Redis, shared by every process that points at the same server: replicas of an application
 * or of {@code routellm serve} then enforce one limit together. Needs Jedis ({@code redis.clients:jedis}) on the class
 * path; core declares it optional.
 *
 * <p>Each account is a hash ({@code spent}, {@code reserved}, whole units), a sorted set of its reservations by expiry
 * and a hash of their amounts; a Lua script drops expired reservations, checks every account's room and reserves on
 * all of them in one atomic step, so two processes can never both be granted what only one fits. The keys of a day
 * share a Redis Cluster hash slot and expire a day after their day ends. Times come from the limiter's clock, so the
 * processes' clocks should agree to well within a reservation's timeout.
 *
 * <p>Thread-safe (Jedis's pooled client). {@link #close()} closes the client only when this store created it.
 */
public final class RedisSpendStore implements SpendStore {
  private static final String PURGE =
      "local function purge(h, z, a, now)\n"
          + "  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)\n"
          + "  for _, id in ipairs(expired) do\n"
          + "    local amount = redis.call('HGET', a, id)\n"
          + "    if amount then redis.call('HINCRBY', h, 'reserved', '-' .. amount) end\n"
          + "    redis.call('HDEL', a, id)\n"
          + "    redis.call('ZREM', z, id)\n"
          + "  end\n"
          + "end\n";

  /** KEYS: (hash, set, amounts) per account; ARGV: id, amount, now, expiresAt, keepMillis, limit per account. */
  private static final String RESERVE =
      PURGE
          + "local n = #KEYS / 3\n"
          + "local amount = tonumber(ARGV[2])\n"
          + "for i = 1, n do purge(KEYS[3*i-2], KEYS[3*i-1], KEYS[3*i], ARGV[3]) end\n"
          + "for i = 1, n do\n"
          + "  local limit = tonumber(ARGV[5+i])\n"
          + "  local spent = tonumber(redis.call('HGET', KEYS[3*i-2], 'spent') or '0')\n"
          + "  local reserved = tonumber(redis.call('HGET', KEYS[3*i-2], 'reserved') or '0')\n"
          + "  if limit >= 0 and spent + reserved + amount > limit then\n"
          + "    return {0, i - 1, redis.call('HGET', KEYS[3*i-2], 'spent') or '0',"
          + " redis.call('HGET', KEYS[3*i-2], 'reserved') or '0'}\n"
          + "  end\n"
          + "end\n"
          + "for i = 1, n do\n"
          + "  redis.call('HINCRBY', KEYS[3*i-2], 'reserved', ARGV[2])\n"
          + "  redis.call('ZADD', KEYS[3*i-1], ARGV[4], ARGV[1])\n"
          + "  redis.call('HSET', KEYS[3*i], ARGV[1], ARGV[2])\n"
          + "  for k = 3*i-2, 3*i do redis.call('PEXPIRE', KEYS[k], ARGV[5]) end\n"
          + "end\n"
          + "return {1, -1, '0', '0'}\n";

  /** KEYS: (hash, set, amounts) per account; ARGV: id, actual (0 to release). */
  private static final String END =
      "for i = 1, #KEYS / 3 do\n"
          + "  local h, z, a = KEYS[3*i-2], KEYS[3*i-1], KEYS[3*i]\n"
          + "  local amount = redis.call('HGET', a, ARGV[1])\n"
          + "  if amount then\n"
          + "    redis.call('HINCRBY', h, 'reserved', '-' .. amount)\n"
          + "    redis.call('HDEL', a, ARGV[1])\n"
          + "    redis.call('ZREM', z, ARGV[1])\n"
          + "  end\n"
          + "  if ARGV[2] ~= '0' then redis.call('HINCRBY', h, 'spent', ARGV[2]) end\n"
          + "end\n"
          + "return 1\n";

  /** KEYS: hash, set, amounts; ARGV: now. */
  private static final String BALANCE =
      PURGE
          + "purge(KEYS[1], KEYS[2], KEYS[3], ARGV[1])\n"
          + "return {redis.call('HGET', KEYS[1], 'spent') or '0', redis.call('HGET', KEYS[1], 'reserved') or '0'}\n";

  private final UnifiedJedis client;
  private final boolean ownsClient;
  private final String description;
  private final Script reserve = new Script(RESERVE);
  private final Script end = new Script(END);
  private final Script balance = new Script(BALANCE);
  private volatile boolean closed;

  private RedisSpendStore(UnifiedJedis client, boolean ownsClient, String description) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.description = description;
  }

  /**
   * A store on a new pooled client for {@code uri} ({@code redis://host:port}, {@code rediss://} for TLS, with
   * {@code user:password@} when needed), closed with this store.
   */
  public static RedisSpendStore connect(URI uri) {
    Objects.requireNonNull(uri, "uri");
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
      throw new IllegalArgumentException("uri must be redis://host:port or rediss://host:port but was " + safe(uri));
    }
    return new RedisSpendStore(RedisClient.create(uri), true, "redis " + safe(uri));
  }

  /** A store on the caller's client, which stays the caller's: {@link #close()} leaves it open. */
  public static RedisSpendStore using(UnifiedJedis client) {
    return new RedisSpendStore(Objects.requireNonNull(client, "client"), false, "redis (caller's client)");
  }

  private static String safe(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
  }

  @Override
  public Grant reserve(
      List<Account> accounts, String id, long amount, Instant now, Instant expiresAt, Instant keepUntil) {
    List<String> keys = new ArrayList<>(3 * accounts.size());
    for (Account a : accounts) {
      keys.addAll(keysOf(a.key()));
    }
    long keepMillis = Math.max(1, Duration.between(now, keepUntil).toMillis());
    List<String> args = new ArrayList<>(List.of(id, Long.toString(amount), Long.toString(now.toEpochMilli()),
        Long.toString(expiresAt.toEpochMilli()), Long.toString(keepMillis)));
    for (Account a : accounts) {
      args.add(Long.toString(a.limit()));
    }
    List<?> reply = list(reserve.run(keys, args), "reserve");
    if (number(reply.get(0)) == 1) {
      return Grant.GRANTED;
    }
    return new Grant(false, (int) number(reply.get(1)), number(reply.get(2)), number(reply.get(3)));
  }

  @Override
  public void settle(List<String> keys, String id, long actual) {
    endReservation(keys, id, actual);
  }

  @Override
  public void release(List<String> keys, String id) {
    endReservation(keys, id, 0);
  }

  private void endReservation(List<String> accountKeys, String id, long actual) {
    List<String> keys = new ArrayList<>(3 * accountKeys.size());
    for (String k : accountKeys) {
      keys.addAll(keysOf(k));
    }
    end.run(keys, List.of(id, Long.toString(actual)));
  }

  @Override
  public Balance balance(String key, Instant now) {
    List<?> reply = list(balance.run(keysOf(key), List.of(Long.toString(now.toEpochMilli()))), "balance");
    return new Balance(number(reply.get(0)), number(reply.get(1)));
  }

  private static List<String> keysOf(String account) {
    return List.of(account, account + ":reservations", account + ":amounts");
  }

  private List<?> list(Object reply, String what) {
    if (reply instanceof List<?> l && !l.isEmpty()) {
      return l;
    }
    throw new SpendStoreException(description + ": the " + what + " script answered " + reply, null);
  }

  private long number(Object value) {
    if (value instanceof Long l) {
      return l;
    }
    if (value instanceof byte[] b) {
      value = new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
    try {
      return Long.parseLong(String.valueOf(value));
    } catch (NumberFormatException e) {
      throw new SpendStoreException(description + ": expected a whole number but got " + value, e);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (ownsClient) {
        client.close();
      }
    }
  }

  @Override
  public String toString() {
    return description;
  }

  /** A Lua script run by its SHA-1 once loaded, and sent again when the server has forgotten it. */
  private final class Script {
    private final String source;
    private volatile String sha;

    Script(String source) {
      this.source = source;
    }

    Object run(List<String> keys, List<String> args) {
      if (closed) {
        throw new IllegalStateException(description + " spend store is closed");
      }
      String known = sha;
      if (known != null) {
        try {
          return client.evalsha(known, keys, args);
        } catch (JedisNoScriptException e) {
          // the server restarted or flushed its scripts: load it again below
        }
      }
      sha = client.scriptLoad(source, keys.get(0));
      return client.evalsha(sha, keys, args);
    }
  }
}
