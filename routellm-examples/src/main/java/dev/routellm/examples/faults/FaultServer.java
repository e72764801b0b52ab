package dev.routellm.examples.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An OpenAI-compatible chat completions upstream on loopback that misbehaves on purpose: healthy, failing a share of
 * requests in every way a provider fails, or hanging on every request. A minimal HTTP/1.1 server on a plain socket
 * (keep-alive, Content-Length bodies), so that it can also reset connections and cut answers short, which an HTTP
 * library would not let it do.
 *
 * <p>Which request fails, and how, is a pure function of the seed and the request's arrival number, so a run is
 * repeatable up to the order in which threads arrive. Thread-safe; {@link #close()} stops it and drops every
 * connection, hanging ones included.
 */
public final class FaultServer implements AutoCloseable {
  /** How one request is answered. */
  public enum Fault {
    /** HTTP 500 with an OpenAI error body. */
    HTTP_500,
    /** HTTP 429 with {@code Retry-After: 1}. */
    HTTP_429_RETRY_AFTER,
    /** HTTP 429 without {@code Retry-After}. */
    HTTP_429,
    /** HTTP 503 with an HTML body, as a load balancer sends it. */
    HTTP_503,
    /** The request is read and never answered; the connection stays open until the client gives up. */
    HANG,
    /** The connection is reset (TCP RST) after the request is read. */
    RESET,
    /** HTTP 200 whose body is not JSON. */
    MALFORMED_JSON,
    /**
     * HTTP 200 cut short: a JSON answer closed halfway, or a stream closed after its first text chunk (a stream cut
     * after text).
     */
    TRUNCATED
  }

  /** How the server behaves. */
  public enum Mode {
    HEALTHY,
    FAULTY,
    HANGING
  }

  /** The answer's text, as streamed in two chunks. */
  static final String ANSWER = "Four apples.";
  static final int PROMPT_TOKENS = 20;
  static final int COMPLETION_TOKENS = 10;
  private static final int MAX_HEADER_BYTES = 64 << 10;

  private final ServerSocket socket;
  private final Mode mode;
  private final double faultRate;
  private final long seed;
  private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fault-server");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong arrivals = new AtomicLong();
  private final AtomicLong healthy = new AtomicLong();
  private final AtomicLongArray faults = new AtomicLongArray(Fault.values().length);
  private volatile boolean closed;

  private FaultServer(Mode mode, double faultRate, long seed) throws IOException {
    this.mode = mode;
    this.faultRate = faultRate;
    this.seed = seed;
    this.socket = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "fault-server-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A server that answers every request well. */
  public static FaultServer healthy() throws IOException {
    return new FaultServer(Mode.HEALTHY, 0, 0);
  }

  /** A server that fails {@code rate} of its requests, each way of {@link Fault} equally often. */
  public static FaultServer faulty(double rate, long seed) throws IOException {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("fault rate must be in [0, 1] but was " + rate);
    }
    return new FaultServer(Mode.FAULTY, rate, seed);
  }

  /** A server that accepts every request and never answers. */
  public static FaultServer hanging() throws IOException {
    return new FaultServer(Mode.HANGING, 1, 0);
  }

  /** The base URL to give a backend: {@code http://127.0.0.1:port/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
  }

  /** A base URL where nothing listens: every connection is refused. */
  public static String deadUrl() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/v1";
    }
  }

  /** Requests answered well so far. */
  public long healthyAnswers() {
    return healthy.get();
  }

  /** How often each fault was served so far. */
  public Map<Fault, Long> faultsServed() {
    Map<Fault, Long> m = new EnumMap<>(Fault.class);
    for (Fault f : Fault.values()) {
      m.put(f, faults.get(f.ordinal()));
    }
    return m;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket s = socket.accept();
        s.setTcpNoDelay(true);
        open.add(s);
        connections.execute(() -> serve(s));
      } catch (IOException e) {
        if (!closed) {
          System.getLogger(FaultServer.class.getName()).log(System.Logger.Level.WARNING, "accept failed", e);
        }
      }
    }
  }

  /** Serves requests on one connection until the client or a fault closes it. */
  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (!closed) {
        String body = readRequest(in);
        if (body == null) {
          return; // the client closed the connection
        }
        boolean stream = body.replace(" ", "").contains("\"stream\":true");
        Fault fault = choose(arrivals.getAndIncrement());
        if (fault == null) {
          healthy.incrementAndGet();
          if (stream) {
            String sse = streamChunks(2) + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS
                + ",\"completion_tokens\":" + COMPLETION_TOKENS + "}}\n\ndata: [DONE]\n\n";
            respond(out, 200, "text/event-stream", sse, sse.length(), "");
          } else {
            respond(out, 200, "application/json", completion(), -1, "");
          }
          continue;
        }
        faults.incrementAndGet(fault.ordinal());
        switch (fault) {
          case HTTP_500 -> respond(out, 500, "application/json",
              "{\"error\":{\"message\":\"The server had an error while processing your request.\","
                  + "\"type\":\"server_error\"}}", -1, "");
          case HTTP_429_RETRY_AFTER -> respond(out, 429, "application/json",
              "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}", -1, "Retry-After: 1\r\n");
          case HTTP_429 -> respond(out, 429, "application/json",
              "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}", -1, "");
          case HTTP_503 -> respond(out, 503, "text/html",
              "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", -1, "");
          case MALFORMED_JSON -> respond(out, 200, "application/json", "{\"id\":\"chatcmpl-1\",\"choices\":[{\"mes",
              -1, "");
          case HANG -> {
            while (in.read() >= 0) {
              // the client gives up and closes the connection (or the server closes)
            }
            return;
          }
          case RESET -> {
            s.setSoLinger(true, 0);
            return;
          }
          case TRUNCATED -> {
            String whole = stream ? streamChunks(2) + "data: [DONE]\n\n" : completion();
            String part = stream ? streamChunks(1) : whole.substring(0, whole.length() / 2);
            respond(out, 200, stream ? "text/event-stream" : "application/json", part, whole.length(), "");
            return; // close: the client sees an early end of the body
          }
          default -> throw new IllegalStateException("unexpected fault " + fault);
        }
      }
    } catch (SocketException e) {
      // the client reset or closed the connection, or the server is closing
    } catch (IOException e) {
      // a broken connection: nothing to answer
    } finally {
      open.remove(s);
    }
  }

  /** The fault for arrival number {@code n}, or null for a healthy answer. */
  private Fault choose(long n) {
    return switch (mode) {
      case HEALTHY -> null;
      case HANGING -> Fault.HANG;
      case FAULTY -> {
        long h = mix(seed ^ mix(n));
        double u = (h >>> 11) * 0x1.0p-53;
        yield u < faultRate ? Fault.values()[(int) Math.floorMod(mix(h), (long) Fault.values().length)] : null;
      }
    };
  }

  /** SplitMix64's finaliser: a well-spread 64-bit hash. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static String completion() {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"upstream\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"" + ANSWER + "\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS + ",\"completion_tokens\":" + COMPLETION_TOKENS
        + ",\"total_tokens\":" + (PROMPT_TOKENS + COMPLETION_TOKENS) + "}}";
  }

  /** The first {@code n} of the answer's two text chunks (the second carries the finish reason). */
  private static String streamChunks(int n) {
    String first = "data: {\"id\":\"chatcmpl-1\",\"model\":\"upstream\",\"choices\":[{\"index\":0,\"delta\":"
        + "{\"content\":\"Four \"},\"finish_reason\":null}]}\n\n";
    String second = "data: {\"id\":\"chatcmpl-1\",\"model\":\"upstream\",\"choices\":[{\"index\":0,\"delta\":"
        + "{\"content\":\"apples.\"},\"finish_reason\":\"stop\"}]}\n\n";
    return n == 1 ? first : first + second;
  }

  /**
   * Writes a response; {@code contentLength} below 0 means the body's own length (a larger one promises bytes that
   * never come).
   */
  private static void respond(OutputStream out, int status, String type, String body, long contentLength,
      String extraHeaders) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + type
        + "\r\nContent-Length: " + (contentLength < 0 ? bytes.length : contentLength) + "\r\n" + extraHeaders + "\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  /** Reads one request's head and body; null when the connection ended before a request. */
  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      if (head.size() > MAX_HEADER_BYTES) {
        throw new IOException("request head over " + MAX_HEADER_BYTES + " bytes");
      }
      if (b == '\r' && (matched == 0 || matched == 2) || b == '\n' && (matched == 1 || matched == 3)) {
        matched++;
      } else {
        matched = b == '\r' ? 1 : 0;
      }
    }
    long length = 0;
    for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("content-length")) {
        length = Long.parseLong(line.substring(colon + 1).strip());
      }
    }
    if (length < 0 || length > 16 << 20) {
      throw new IOException("request body of " + length + " bytes");
    }
    byte[] body = in.readNBytes((int) length);
    if (body.length < length) {
      return null;
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    socket.close();
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    connections.shutdownNow();
  }
}
