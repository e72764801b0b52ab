package dev.routellm.examples.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers (a malformed request line, an ambiguous path such as {@code /%2e%2e/}, headers too large)
 * in OpenAI's JSON error shape instead of Jetty's HTML page, so that every answer of the server is JSON a client can
 * parse. Never shows a stack trace or a Java exception name.
 */
final class JsonErrorHandler extends ErrorHandler {
  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) {
    byte[] body = body(code, message);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
    return ByteBuffer.wrap(body(status, reason));
  }

  private static byte[] body(int code, String message) {
    String reason = HttpStatus.getMessage(code);
    // Jetty's own words for a malformed request ("Ambiguous URI path separator") help the client; a Java exception
    // name or anything about the server's side does not, and stays in the server's log
    boolean plain = code < 500 && message != null && !message.isBlank() && !message.equals(reason)
        && message.matches("[A-Za-z0-9 ,:;'()/_-]{1,200}") && !message.contains("Exception");
    String text = code >= 500
        ? "the routing server could not answer: HTTP " + code + " " + reason
        : "the routing server could not read the request: HTTP " + code + " " + reason + (plain ? " (" + message + ")"
            : "");
    return OpenAiWire.error(text, code >= 500 ? "server_error" : "invalid_request_error", null,
        code >= 500 ? "server_error" : "bad_request").toString().getBytes(StandardCharsets.UTF_8);
  }
}
