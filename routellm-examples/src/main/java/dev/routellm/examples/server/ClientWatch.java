package dev.routellm.examples.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices that the client of a non-streamed request closed its connection while the answer is being prepared, so
 * that the upstream call can be cancelled rather than paid for. Jetty reads nothing from a connection while a request
 * on it is handled, so a closed socket goes unseen until the answer is written; this watch asks to be told when the
 * connection becomes readable and reads it: end of stream means the client is gone. Bytes that arrive instead (a client
 * pipelining its next request, which HTTP clients do not do with POST) cannot be handed back to Jetty, so the answer
 * then closes the connection ({@code Connection: close}) and the client sends that request again.
 *
 * <p>{@link #stop()} must be called before the answer is written, so that Jetty can read the next request. One per
 * request; thread-safe.
 */
final class ClientWatch {
  /** Handed to Jetty when the watch stops; one shared instance, without a stack trace (made per request otherwise). */
  private static final CancellationException ANSWER_READY = new CancellationException("the answer is ready") {
    private static final long serialVersionUID = 1L;

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  };

  private final EndPoint endPoint;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile boolean pipelined;

  private ClientWatch(EndPoint endPoint) {
    this.endPoint = endPoint;
  }

  /**
   * Starts watching {@code ctx}'s connection; {@code onGone} runs (on a Jetty thread) when the client closes it. Null
   * when the connection cannot be watched (not a Jetty socket), in which case nothing is noticed.
   */
  static ClientWatch start(Context ctx, Runnable onGone) {
    EndPoint endPoint;
    try {
      endPoint = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection()
          .getEndPoint();
    } catch (RuntimeException e) {
      return null;
    }
    if (!(endPoint instanceof AbstractEndPoint)) {
      return null;
    }
    ClientWatch watch = new ClientWatch(endPoint);
    return watch.arm(onGone) ? watch : null;
  }

  private boolean arm(Runnable onGone) {
    return endPoint.tryFillInterested(
        new Callback() {
          @Override
          public void succeeded() {
            if (stopped.get()) {
              return;
            }
            try {
              int read = endPoint.fill(BufferUtil.allocate(512));
              if (read < 0) {
                onGone.run();
              } else if (read > 0) {
                pipelined = true;
              } else {
                arm(onGone);
              }
            } catch (IOException e) {
              onGone.run();
            }
          }

          @Override
          public void failed(Throwable x) {
            // stopped, or the connection failed: Jetty reports the latter itself
          }
        });
  }

  /** Stops watching; true when the client sent bytes meanwhile, so the answer must close the connection. */
  boolean stop() {
    if (stopped.compareAndSet(false, true)) {
      ((AbstractEndPoint) endPoint).getFillInterest().onFail(ANSWER_READY);
    }
    return pipelined;
  }
}
