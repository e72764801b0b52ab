package dev.routellm.budget;

import dev.routellm.BudgetExceededException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One replica of the two-process race in {@link TwoProcessSpendRaceTest}: waits for a line on stdin, then spends from
 * one shared Redis budget on several threads until it is refused, and prints how many reservations it was granted.
 * Arguments: redis URI, key prefix, tenant, daily limit, estimate, threads.
 */
public final class SpendRace {
  private SpendRace() {}

  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    double limit = Double.parseDouble(args[3]);
    double estimate = Double.parseDouble(args[4]);
    int threads = Integer.parseInt(args[5]);
    AtomicInteger granted = new AtomicInteger();
    try (SpendStore store = RedisSpendStore.connect(uri)) {
      SpendLimiter limits =
          SpendLimiter.builder().store(store).keyPrefix(args[1]).tenantDailyLimit(limit).build();
      limits.spend(args[2]); // connect and load the scripts before the start
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread w =
            new Thread(
                () -> {
                  while (true) {
                    Reservation r;
                    try {
                      r = limits.reserve(args[2], estimate);
                    } catch (BudgetExceededException full) {
                      return; // spent + reserved never falls when every call settles at its estimate
                    }
                    granted.incrementAndGet();
                    limits.settle(r, estimate);
                  }
                });
        w.start();
        workers.add(w);
      }
      for (Thread w : workers) {
        w.join();
      }
    }
    System.out.println("granted " + granted.get());
  }
}
