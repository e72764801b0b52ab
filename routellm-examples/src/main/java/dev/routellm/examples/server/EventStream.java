package dev.routellm.examples.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * A server-sent event stream that commits its status and headers with the first event, so that a failure before any
 * text still answers with an HTTP error status. Written by the request's thread; {@link #abort} may come from the
 * shutdown thread, so every write holds the lock. After an abort nothing more is written and the next piece of text
 * throws {@link ClientGone}, which stops the upstream call.
 */
final class EventStream {
  /** The client went away, or the server is shutting down, while a stream was being written. */
  static final class ClientGone extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    ClientGone(String message, IOException cause) {
      super(message, cause);
    }
  }

  private final Context ctx;
  private OutputStream out;
  private boolean started;
  private boolean aborted;

  EventStream(Context ctx) {
    this.ctx = ctx;
  }

  synchronized boolean started() {
    return started;
  }

  /** Sends the status, {@code headers} and the first event, once. */
  synchronized void start(Map<String, String> headers, ObjectNode first) {
    check();
    if (started) {
      return;
    }
    started = true;
    ctx.status(200);
    ctx.contentType("text/event-stream; charset=utf-8");
    ctx.header("Cache-Control", "no-cache");
    ctx.header("X-Accel-Buffering", "no"); // nginx and similar proxies: pass each event on at once
    headers.forEach(ctx::header);
    try {
      out = ctx.res().getOutputStream();
    } catch (IOException e) {
      throw new ClientGone("client went away while streaming", e);
    }
    write(first.toString());
  }

  /** Sends one event ({@code data: ...}). */
  synchronized void event(String data) {
    check();
    write(data);
  }

  private void check() {
    if (aborted) {
      throw new ClientGone("the routing server is shutting down",
          new IOException("the stream was ended for the shutdown"));
    }
  }

  private void write(String data) {
    try {
      out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new ClientGone("client went away while streaming", e);
    }
  }

  /**
   * Ends the stream at once for a shutdown: an error event then {@code [DONE]} when it had started, else the error as
   * a JSON answer with {@code status}. Nothing is written afterwards.
   */
  synchronized void abort(int status, ObjectNode error) {
    if (aborted) {
      return;
    }
    try {
      if (started) {
        write(error.toString());
        write("[DONE]");
      } else {
        byte[] body = error.toString().getBytes(StandardCharsets.UTF_8);
        ctx.res().setStatus(status);
        ctx.res().setContentType("application/json");
        ctx.res().setContentLength(body.length);
        ctx.res().setHeader("Connection", "close");
        OutputStream raw = ctx.res().getOutputStream();
        raw.write(body);
        raw.flush();
        started = true;
      }
    } catch (IOException | RuntimeException e) {
      // the client is gone already
    } finally {
      aborted = true;
    }
  }
}
