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
}
