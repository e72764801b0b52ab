package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StderrProgressTest {
  private final StringWriter err = new StringWriter();
  private final AtomicLong now = new AtomicLong();
  private final StderrProgress progress =
      new StderrProgress(new PrintWriter(err, true), now::get, Duration.ofMillis(500));

  @Test
  void progress_quickStage_printsNothing() {
    progress.progress("scoring", 0, 100);
    now.addAndGet(Duration.ofMillis(100).toNanos());
    progress.progress("scoring", 100, 100);
    progress.close();

    assertThat(err.toString()).isEmpty();
  }

  @Test
  void progress_slowStage_showsABarNamingTheStageAndEndsTheLine() {
    progress.progress("fold 1/5: scoring", 0, 1000);
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    progress.progress("fold 1/5: scoring", 400, 1000);
    progress.progress("fold 1/5: scoring", 1000, 1000);

    assertThat(err.toString()).contains("fold 1/5: scoring").endsWith(System.lineSeparator());
  }

  @Test
  void progress_withoutTerminal_printsOccasionalPlainLinesWithoutCarriageReturns() {
    StringWriter log = new StringWriter();
    StderrProgress plain = new StderrProgress(new PrintWriter(log, true), now::get, Duration.ofMillis(500), false);
    plain.progress("embedding", 0, 1000);
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    plain.progress("embedding", 100, 1000); // first line: the stage is slow
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    plain.progress("embedding", 200, 1000); // within the interval: nothing
    now.addAndGet(StderrProgress.PLAIN_INTERVAL.toNanos());
    plain.progress("embedding", 700, 1000); // interval passed: a line
    plain.progress("embedding", 1000, 1000); // done: a last line
    plain.close();

    assertThat(log.toString()).doesNotContain("\r").isEqualTo(String.join(System.lineSeparator(),
        "embedding: 100/1000 (10%)", "embedding: 700/1000 (70%)", "embedding: 1000/1000 (100%), done in 12.0 s", ""));
  }

  @Test
  void progress_withoutTerminalQuickStage_printsNothing() {
    StringWriter log = new StringWriter();
    StderrProgress plain = new StderrProgress(new PrintWriter(log, true), now::get, Duration.ofMillis(500), false);
    plain.progress("scoring", 0, 10);
    plain.progress("scoring", 10, 10);
    assertThat(log.toString()).isEmpty();
  }
}
