package dev.routellm.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two JVM processes, each with its own Redis client and four threads, race for one tenant's budget on one real
 * redis-server: together they are granted exactly what fits, never one reservation more.
 */
class TwoProcessSpendRaceTest {
  @Test
  void twoJvms_racingForOneBudget_spendExactlyTheLimitAndNeverMore() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      String prefix = "race" + System.nanoTime();
      double limit = 2.00;
      double estimate = 0.01;
      List<Process> replicas = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        replicas.add(
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    SpendRace.class.getName(),
                    redis.uri().toString(),
                    prefix,
                    "acme",
                    Double.toString(limit),
                    Double.toString(estimate),
                    "4")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
      }
      for (Process p : replicas) { // both start spending at once
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
      }
      int granted = 0;
      List<Integer> each = new ArrayList<>();
      for (Process p : replicas) {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("replica finished").isTrue();
        String out;
        try (BufferedReader r =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          out = r.lines().collect(Collectors.joining("\n"));
        }
        assertThat(p.exitValue()).as("replica exit code, output: " + out).isZero();
        assertThat(out).startsWith("granted ");
        int n = Integer.parseInt(out.substring("granted ".length()).strip());
        each.add(n);
        granted += n;
      }

      assertThat(granted).as("reservations granted to both replicas " + each).isEqualTo(200);
      try (SpendStore store = RedisSpendStore.connect(redis.uri())) {
        SpendLimiter view = SpendLimiter.builder().store(store).keyPrefix(prefix).tenantDailyLimit(limit).build();
        assertThat(view.spend("acme").spent()).isEqualTo(limit);
        assertThat(view.spend("acme").reserved()).isZero();
      }
    }
  }
}
