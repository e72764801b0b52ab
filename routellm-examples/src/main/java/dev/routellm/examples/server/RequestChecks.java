package dev.routellm.examples.server;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks that keep web pages a user visits from spending the server's money: the {@code Host} header must name
 * this server (a DNS-rebinding page reaches it under its own name), a browser's {@code Origin} must be this server's
 * or one allowed for CORS, and a chat request's body must be declared JSON (a form or {@code text/plain} body is what
 * a cross-site page can send without asking). Immutable and thread-safe.
 */
final class RequestChecks {
  /** Means "any" in the allowed hosts or origins. */
  static final String ANY = "*";

  private final Set<String> hosts;
  private final boolean anyHost;
  private final Set<String> corsOrigins;
  private final boolean anyOrigin;

  /**
   * @param bound the address the server listens on: its own names are allowed; for a wildcard address, every address
   *     of this machine's interfaces and its host name
   * @param extraHosts further host names clients use (a DNS name, a proxy's), or {@value #ANY} for any
   * @param corsOrigins origins ({@code https://app.example.com}) whose pages may call the server, or {@value #ANY}
   */
  RequestChecks(InetAddress bound, List<String> extraHosts, List<String> corsOrigins) {
    Set<String> names = new TreeSet<>();
    names.add("localhost");
    names.add("127.0.0.1");
    names.add("::1");
    add(names, bound);
    if (bound.isAnyLocalAddress()) {
      try {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          Collections.list(nic.getInetAddresses()).forEach(a -> add(names, a));
        }
      } catch (SocketException e) {
        // no interfaces listed: loopback names and the ones given only
      }
      try {
        names.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
      } catch (java.io.IOException e) {
        // no host name
      }
    }
    extraHosts.forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
    this.anyHost = names.remove(ANY);
    this.hosts = Set.copyOf(names);
    Set<String> origins = new TreeSet<>();
    corsOrigins.forEach(o -> origins.add(o.toLowerCase(Locale.ROOT)));
    this.anyOrigin = origins.remove(ANY);
    this.corsOrigins = Set.copyOf(origins);
  }

  private static void add(Set<String> names, InetAddress a) {
    String literal = a.getHostAddress();
    int zone = literal.indexOf('%');
    names.add((zone >= 0 ? literal.substring(0, zone) : literal).toLowerCase(Locale.ROOT));
  }

  /** The host names allowed, sorted (for messages). */
  Set<String> hosts() {
    return new TreeSet<>(hosts);
  }

  /** Whether the {@code Host} header names this server; a request without one (HTTP/1.0) passes. */
  boolean hostAllowed(String hostHeader) {
    return anyHost || hostHeader == null || hosts.contains(hostName(hostHeader));
  }

  /**
   * Whether a browser page from {@code origin} may call this server: a page this server served (same host and port),
   * or one allowed for CORS.
   */
  boolean originAllowed(String origin, int port) {
    return sameOrigin(origin, port) || corsAllowed(origin);
  }

  /** Whether {@code origin} was allowed for cross-origin calls (so responses carry the CORS headers). */
  boolean corsAllowed(String origin) {
    return origin != null && (anyOrigin || corsOrigins.contains(origin.toLowerCase(Locale.ROOT)));
  }

  private boolean sameOrigin(String origin, int port) {
    try {
      URI uri = new URI(origin);
      int originPort = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
      return uri.getHost() != null && originPort == port && hostAllowed(uri.getHost());
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /** The host name of a {@code Host} header: without the port, without the brackets of an IPv6 literal. */
  static String hostName(String hostHeader) {
    String h = hostHeader.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 ? h.substring(1, end) : h;
    }
    int colon = h.indexOf(':');
    return colon >= 0 && colon == h.lastIndexOf(':') ? h.substring(0, colon) : h;
  }

  /** Whether a POST body declared as {@code contentType} is JSON ({@code application/json}, {@code ...+json}). */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
  }
}
