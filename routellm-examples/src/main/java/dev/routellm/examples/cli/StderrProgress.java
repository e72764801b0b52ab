package dev.routellm.examples.cli;

import dev.routellm.evaluation.ProgressListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Shows a progress bar on stderr for each stage that is still running after {@link #DEFAULT_DELAY}, so quick runs
 * print nothing and long ones (a learned router embedding thousands of prompts) show how far they are. Not
 * thread-safe: the evaluator reports from one thread.
 */
final class StderrProgress implements ProgressListener, AutoCloseable {
  /** How long a stage runs before its bar appears. */
  static final Duration DEFAULT_DELAY = Duration.ofMillis(500);

  private final PrintWriter err;
  private final LongSupplier nanoTime;
  private final long delayNanos;
  private String stage;
  private long stageStart;
  private ProgressBar bar;

  StderrProgress(PrintWriter err) {
    this(err, System::nanoTime, DEFAULT_DELAY);
  }

  StderrProgress(PrintWriter err, LongSupplier nanoTime, Duration delay) {
    this.err = Objects.requireNonNull(err, "err");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.delayNanos = delay.toNanos();
  }

  @Override
  public void progress(String stage, long done, long total) {
    if (!stage.equals(this.stage)) {
      close();
      this.stage = stage;
      this.stageStart = nanoTime.getAsLong();
    }
    if (bar == null && done < total && nanoTime.getAsLong() - stageStart >= delayNanos) {
      bar = new ProgressBarBuilder()
          .setTaskName(stage)
          .setInitialMax(total)
          .setConsumer(new DelegatingProgressBarConsumer(line -> {
            err.print('\r' + line);
            err.flush();
          }))
          .build();
    }
    if (bar != null) {
      bar.stepTo(done);
      if (done >= total) {
        close();
      }
    }
  }

  /** Finishes the bar on screen, if one is showing. */
  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
      err.println();
      err.flush();
    }
  }
}
