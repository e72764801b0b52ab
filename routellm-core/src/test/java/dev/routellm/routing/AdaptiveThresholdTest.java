package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdaptiveThresholdTest {
  /** A clock moved by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.EPOCH;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Routes the scores, returning the share sent to the strong model from index {@code from}. */
  static double share(ThresholdSource source, double[] scores, int from) {
    int strong = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean s = scores[i] >= source.next(scores[i]);
      if (i >= from && s) {
        strong++;
      }
    }
    return (double) strong / (scores.length - from);
  }

  static double[] uniform(long seed, int n, double lo, double hi) {
    Random r = new Random(seed);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = lo + (hi - lo) * r.nextDouble();
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.1, 0.3, 0.5, 0.8})
  void next_stationaryScores_holdsTheTargetShareAndSettlesNearTheQuantile(double target) {
    AdaptiveThreshold t = AdaptiveThreshold.builder().strongShare(target).initial(0.5).build();

    double share = share(t, uniform(1, 20_000, 0, 1), 1_000);

    assertThat(share).isCloseTo(target, within(0.02));
    assertThat(t.current()).isCloseTo(1 - target, within(0.08));
    assertThat(t.recentStrongShare()).isCloseTo(target, within(0.08));
  }

  @Test
  void next_mixShiftsHalfway_adaptiveHoldsTheShareWhereAFixedThresholdDrifts() {
    // Scores of the first mix in [0, 0.6], of the second in [0.3, 1]: a threshold for 30% of the first sends 86%
    // of the second to the strong model.
    double[] first = uniform(2, 4_000, 0, 0.6);
    double[] second = uniform(3, 4_000, 0.3, 1);
    double[] stream = new double[8_000];
    System.arraycopy(first, 0, stream, 0, 4_000);
    System.arraycopy(second, 0, stream, 4_000, 4_000);
    double fixed = 0.42;

    double fixedShare = share(ThresholdSource.fixed(fixed), stream, 4_000);
    double adaptiveShare = share(AdaptiveThreshold.builder().strongShare(0.3).initial(fixed).build(), stream, 4_000);

    assertThat(fixedShare).isGreaterThan(0.8);
    assertThat(adaptiveShare).isCloseTo(0.3, within(0.02));
  }

  @Test
  void next_beforeMinSamples_keepsTheInitialThreshold_thenMovesAtMostMaxStepPerDecision() {
    AdaptiveThreshold t = AdaptiveThreshold.builder().strongShare(0.5).initial(0.9).minSamples(20).maxStep(0.01)
        .build();
    double[] scores = uniform(4, 300, 0, 0.2);
    List<Double> used = new ArrayList<>();
    for (double s : scores) {
      used.add(t.next(s));
    }

    assertThat(used.subList(0, 19)).containsOnly(0.9);
    for (int i = 1; i < used.size(); i++) {
      assertThat(Math.abs(used.get(i) - used.get(i - 1))).isLessThanOrEqualTo(0.01 + 1e-12);
    }
    assertThat(used.get(19)).isCloseTo(0.89, within(1e-12));
    assertThat(t.current()).isLessThan(0.2);
  }

  @Test
  void next_rateBound_movesNoFasterThanConfiguredOnTheInjectedClock() {
    ManualClock clock = new ManualClock();
    AdaptiveThreshold t = AdaptiveThreshold.builder().strongShare(0.5).initial(0.9).minSamples(1).maxStep(1)
        .maxChange(0.05, Duration.ofSeconds(1)).clock(clock).build();

    for (int i = 0; i < 100; i++) {
      t.next(0.1); // the clock stands still: no change allowed
    }
    assertThat(t.current()).isEqualTo(0.9);
    clock.now = clock.now.plusSeconds(2);
    assertThat(t.next(0.1)).isCloseTo(0.8, within(1e-12));
    clock.now = clock.now.plusMillis(100);
    assertThat(t.next(0.1)).isCloseTo(0.795, within(1e-12));
  }

  @Test
  void next_sameScoresAndClock_giveTheSameThresholds() {
    double[] scores = uniform(5, 2_000, 0, 1);
    double[] a = new double[scores.length];
    double[] b = new double[scores.length];
    AdaptiveThreshold x = AdaptiveThreshold.builder().strongShare(0.25).window(100).build();
    AdaptiveThreshold y = AdaptiveThreshold.builder().strongShare(0.25).window(100).build();
    for (int i = 0; i < scores.length; i++) {
      a[i] = x.next(scores[i]);
      b[i] = y.next(scores[i]);
    }
    assertThat(a).containsExactly(b);
  }

  @Test
  void next_manyThreads_countsEveryDecisionAndKeepsTheWindowConsistent() throws Exception {
    AdaptiveThreshold t = AdaptiveThreshold.builder().strongShare(0.3).window(64).minSamples(1).build();
    int threads = 8;
    int each = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        double[] scores = uniform(10 + k, each, 0, 1);
        done.add(pool.submit(() -> {
          start.await();
          for (double s : scores) {
            double used = t.next(s);
            if (!(used >= 0 && used <= 1)) {
              throw new AssertionError("threshold out of range: " + used);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(t.decisions()).isEqualTo((long) threads * each);
    assertThat(t.recentStrongShare()).isBetween(0.0, 1.0);
    assertThat(t.current()).isCloseTo(0.7, within(0.2));
  }

  @Test
  void strongShareZeroOrOne_sendsNoneOrAll() {
    AdaptiveThreshold none = AdaptiveThreshold.builder().strongShare(0).minSamples(1).maxStep(1).correction(0)
        .build();
    AdaptiveThreshold all = AdaptiveThreshold.builder().strongShare(1).minSamples(1).maxStep(1).correction(0)
        .build();
    double[] scores = uniform(6, 500, 0.2, 0.7);
    assertThat(share(none, scores, 0)).isZero();
    assertThat(share(all, scores, 0)).isEqualTo(1.0);
  }

  @Test
  void spendPerRequest_isTheShareThatSpendsIt() {
    AdaptiveThreshold t = AdaptiveThreshold.builder().spendPerRequest(0.004, 0.01, 0.001).build();
    assertThat(t.targetShare()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(t.describe()).isEqualTo("adaptive: spend $0.004 per request (strong share 33.3%), window 100");
    assertThat(AdaptiveThreshold.builder().strongShare(0.3).build().describe())
        .isEqualTo("adaptive: strong share 30.0%, window 100");
  }

  @Test
  void builder_badValues_areRejectedWithTheValue() {
    assertThatThrownBy(() -> AdaptiveThreshold.builder().strongShare(1.2))
        .hasMessage("strongShare must be in [0, 1] but was 1.2");
    assertThatThrownBy(() -> AdaptiveThreshold.builder().strongShare(Double.NaN))
        .hasMessage("strongShare must be in [0, 1] but was NaN");
    assertThatThrownBy(() -> AdaptiveThreshold.builder().spendPerRequest(0.02, 0.01, 0.001))
        .hasMessage("spendPerRequest must be in [$0.001, $0.01] (all weak to all strong) but was $0.02");
    assertThatThrownBy(() -> AdaptiveThreshold.builder().spendPerRequest(0.0000013, 0.001, 0.001))
        .hasMessage("the strong model's cost per request must exceed the weak one's but was $0.001 against $0.001");
    assertThatThrownBy(() -> AdaptiveThreshold.builder().window(0)).hasMessage("window must be >= 1 but was 0");
    assertThatThrownBy(() -> AdaptiveThreshold.builder().correctionWindow(0))
        .hasMessage("correctionWindow must be >= 1 but was 0");
    assertThatThrownBy(() -> AdaptiveThreshold.builder().maxStep(0)).hasMessage("maxStep must be in (0, 1] but was 0.0");
    assertThatThrownBy(() -> AdaptiveThreshold.builder().maxChangePerSecond(-1))
        .hasMessage("maxChangePerSecond must be > 0 but was -1.0");
    assertThatThrownBy(() -> AdaptiveThreshold.builder().correction(-0.5))
        .hasMessage("correction must be finite and >= 0 but was -0.5");
    assertThatThrownBy(() -> AdaptiveThreshold.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a target");
    AdaptiveThreshold t = AdaptiveThreshold.builder().strongShare(0.3).build();
    assertThatThrownBy(() -> t.next(1.5)).hasMessage("score must be in [0, 1] but was 1.5");
    assertThat(t.recentStrongShare()).isNaN();
  }
}
