package dev.routellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.onnx.SoloLanePolicy.Choice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoloLanePolicyTest {
  /** Runs {@code calls} idle calls, each costing the given nanoseconds per token on its lane; returns the choices. */
  private static List<Choice> run(SoloLanePolicy policy, int calls, long soloNanosPerToken, long sharedNanosPerToken) {
    List<Choice> choices = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      Choice c = policy.choose();
      choices.add(c);
      policy.record(c, 10, 10 * (c.solo() ? soloNanosPerToken : sharedNanosPerToken));
    }
    return choices;
  }

  @Test
  void choose_fresh_triesSoloThenSharedBeforeComparing() {
    SoloLanePolicy policy = new SoloLanePolicy();
    assertThat(run(policy, 2, 50, 80)).containsExactly(Choice.SOLO, Choice.SHARED);
    assertThat(policy.prefersSolo()).isTrue();
  }

  @Test
  void choose_soloCheaper_soloExceptPeriodicTrialsOfShared() {
    SoloLanePolicy policy = new SoloLanePolicy();
    List<Choice> choices = run(policy, 2 + SoloLanePolicy.FIRST_PROBE_INTERVAL, 50, 80).subList(2, 18);
    assertThat(choices.subList(0, SoloLanePolicy.FIRST_PROBE_INTERVAL - 1)).containsOnly(Choice.SOLO);
    assertThat(choices.get(SoloLanePolicy.FIRST_PROBE_INTERVAL - 1)).isEqualTo(Choice.SHARED_TRIAL);
  }

  @Test
  void record_trialsConfirmPreference_intervalDoublesUpToMaximum() {
    SoloLanePolicy policy = new SoloLanePolicy();
    run(policy, 2 + SoloLanePolicy.FIRST_PROBE_INTERVAL, 50, 80);
    assertThat(policy.probeInterval()).isEqualTo(2 * SoloLanePolicy.FIRST_PROBE_INTERVAL);
    run(policy, 20 * SoloLanePolicy.MAX_PROBE_INTERVAL, 50, 80);
    assertThat(policy.probeInterval()).isEqualTo(SoloLanePolicy.MAX_PROBE_INTERVAL);
    List<Choice> steady = run(policy, SoloLanePolicy.MAX_PROBE_INTERVAL, 50, 80);
    assertThat(steady.stream().filter(Choice::trial)).hasSize(1);
  }

  @Test
  void choose_sharedCheaper_sharedExceptPeriodicTrialsOfSolo() {
    SoloLanePolicy policy = new SoloLanePolicy();
    List<Choice> choices = run(policy, 2 + 4 * SoloLanePolicy.FIRST_PROBE_INTERVAL, 240, 80);
    assertThat(policy.prefersSolo()).isFalse();
    List<Choice> afterStart = choices.subList(2, choices.size());
    assertThat(afterStart).contains(Choice.SOLO_TRIAL).doesNotContain(Choice.SOLO, Choice.SHARED_TRIAL);
    assertThat(afterStart.stream().filter(c -> c == Choice.SHARED).count())
        .isGreaterThan(3L * SoloLanePolicy.FIRST_PROBE_INTERVAL);
  }

  @Test
  void record_preferredLaneSlowsDown_preferenceMovesWithoutWaitingForTrial() {
    SoloLanePolicy policy = new SoloLanePolicy();
    run(policy, 200, 50, 80);
    assertThat(policy.prefersSolo()).isTrue();
    List<Choice> loaded = run(policy, 10, 240, 80); // other processes take the cores: spinning threads wait
    assertThat(policy.prefersSolo()).isFalse();
    assertThat(loaded.subList(0, 2)).containsOnly(Choice.SOLO);
    assertThat(loaded.subList(4, 10)).containsOnly(Choice.SHARED);
    assertThat(policy.probeInterval()).isEqualTo(SoloLanePolicy.FIRST_PROBE_INTERVAL);
  }

  @Test
  void record_oneOutlierOnPreferredLane_preferenceHolds() {
    SoloLanePolicy policy = new SoloLanePolicy();
    run(policy, 200, 50, 80);
    run(policy, 1, 1000, 80); // a pause: twenty times the usual cost, once
    assertThat(policy.prefersSolo()).isTrue();
  }

  @Test
  void record_firstSoloSampleColdAndSlow_fastTrialsWinItBackWithinThreeIntervals() {
    SoloLanePolicy policy = new SoloLanePolicy();
    policy.record(policy.choose(), 10, 10 * 200); // first run on the lane: cold caches, a sleeping thread
    policy.record(policy.choose(), 10, 10 * 80);
    assertThat(policy.prefersSolo()).isFalse();
    List<Choice> later = run(policy, 4 * SoloLanePolicy.FIRST_PROBE_INTERVAL, 50, 80);
    assertThat(policy.prefersSolo()).isTrue();
    assertThat(later.subList(3 * SoloLanePolicy.FIRST_PROBE_INTERVAL, later.size())).doesNotContain(Choice.SHARED);
  }

  @Test
  void record_loadGoesAway_soloTrialsWinItBackWithinAFewIntervals() {
    SoloLanePolicy policy = new SoloLanePolicy();
    run(policy, 2000, 240, 85);
    assertThat(policy.prefersSolo()).isFalse();
    assertThat(policy.probeInterval()).isEqualTo(SoloLanePolicy.MAX_PROBE_INTERVAL);
    run(policy, SoloLanePolicy.MAX_PROBE_INTERVAL + 8 * SoloLanePolicy.FIRST_PROBE_INTERVAL, 50, 80);
    assertThat(policy.prefersSolo()).isTrue();
  }
}
