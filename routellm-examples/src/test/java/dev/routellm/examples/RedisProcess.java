package dev.routellm.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package, which {@code .ci/run} installs) on a free loopback port, without
 * persistence, started by a test and stopped by {@link #close()}. Fails loudly when redis-server is missing.
 */
public final class RedisProcess implements AutoCloseable {
  private final Process process;
  private final int port;

  private RedisProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts redis-server and waits (up to 30 s) until it says it accepts connections. */
  public static RedisProcess start() throws InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Process p;
    try {
      p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
          "--appendonly", "no").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server (apt-get install -y redis-server): " + e, e);
    }
    StringBuilder seen = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          synchronized (seen) {
            seen.append(line).append('\n');
            seen.notifyAll();
          }
        }
      } catch (IOException ended) {
        // the process ended
      }
    }, "redis-server-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    synchronized (seen) {
      while (seen.indexOf("Ready to accept connections") < 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !p.isAlive()) {
          p.destroyForcibly();
          throw new IllegalStateException("redis-server did not start on port " + port + ": " + seen);
        }
        seen.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
    return new RedisProcess(p, port);
  }

  public URI uri() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
