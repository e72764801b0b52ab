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
 * print nothing and long ones (a learned router embedding thousands of prompts) show how far they are. When stderr is
 * not a terminal (redirected to a file or a CI log), it prints plain lines instead, at most one per {@link
 * #PLAIN_INTERVAL} and one when the stage ends, so logs hold no carriage-return animation. Not thread-safe: the
 * evaluator reports from one thread.
 */
final class StderrProgress implements ProgressListener, AutoCloseable {
  /** How long a stage runs before its bar appears. */
  static final Duration DEFAULT_DELAY = Duration.ofMillis(500);
  /** Without a terminal, the least time between two progress lines of a stage. */
  static final Duration PLAIN_INTERVAL = Duration.ofSeconds(10);

  private final PrintWriter err;
  private final LongSupplier nanoTime;
  private final long delayNanos;
  private String stage;
  private long stageStart;
  private final boolean terminal;
  private ProgressBar bar;
  private long lastLine = Long.MIN_VALUE;
  private boolean linePrinted;

  StderrProgress(PrintWriter err) {
    this(err, System::nanoTime, DEFAULT_DELAY, onTerminal());
  }

  /** A progress display that draws bars, as on a terminal. */
  StderrProgress(PrintWriter err, LongSupplier nanoTime, Duration delay) {
    this(err, nanoTime, delay, true);
  }

  StderrProgress(PrintWriter err, LongSupplier nanoTime, Duration delay, boolean terminal) {
    this.err = Objects.requireNonNull(err, "err");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.delayNanos = delay.toNanos();
    this.terminal = terminal;
  }

  /**
   * Whether this process talks to a terminal: the JVM has a console (standard input and output are terminals) and
   * {@code TERM} is not {@code dumb}. Java cannot ask about stderr alone; a redirected stdout counts as no terminal.
   */
  static boolean onTerminal() {
    return System.console() != null && !"dumb".equals(System.getenv("TERM"));
  }

  @Override
  public void progress(String stage, long done, long total) {
    if (!stage.equals(this.stage)) {
      close();
      this.stage = stage;
      this.stageStart = nanoTime.getAsLong();
      this.linePrinted = false;
    }
    if (!terminal) {
      plainLine(stage, done, total);
      return;
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

  private void plainLine(String stage, long done, long total) {
    long now = nanoTime.getAsLong();
    boolean finished = done >= total;
    if (now - stageStart < delayNanos && !linePrinted) {
      return; // a quick stage prints nothing, as with bars
    }
    if (finished || !linePrinted || now - lastLine >= PLAIN_INTERVAL.toNanos()) {
      err.printf(java.util.Locale.ROOT, "%s: %d/%d (%.0f%%)%s%n", stage, done, total,
          total == 0 ? 100.0 : 100.0 * done / total,
          finished ? String.format(java.util.Locale.ROOT, ", done in %.1f s", (now - stageStart) / 1e9) : "");
      err.flush();
      lastLine = now;
      linePrinted = !finished;
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
