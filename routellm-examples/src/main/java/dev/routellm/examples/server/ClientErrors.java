package dev.routellm.examples.server;

import dev.routellm.BackendException;
import dev.routellm.BudgetExceededException;
import dev.routellm.ConfigurationException;
import dev.routellm.DeadlineExceededException;
import dev.routellm.NoEligibleModelException;
import dev.routellm.PredictionException;
import dev.routellm.ServerError;
import dev.routellm.budget.SpendStoreException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a client is told when its request fails: OpenAI's error shape with a clear message that names the model and
 * what happened, never the upstream's URL, a Java exception name or a stack trace (those go to the server's log).
 * Stateless.
 *
 * <p>An upstream's answer that blames the request (HTTP 400, 409, 413, 422) or asks to slow down (429) is passed
 * through with its status, and with the upstream's own message, type, code and param, so that an SDK does not retry
 * a request that can never succeed. An upstream 401 or 403 is about the routing server's own credentials, not the
 * client's: it becomes a 502 without the upstream's message (which may quote part of a key). Everything else a model
 * did wrong is a 502 listing each model tried. The router's own refusals: a spend limit without room is 429 ({@code
 * insufficient_quota}, naming the limit and the tenant), a spend store that cannot be reached 503, no model eligible
 * within the request's limits 400 (naming each model and its limit), a whole request out of time 504.
 */
final class ClientErrors {
  /** Upstream statuses a client sees as they are: the request itself is at fault, or the client must slow down. */
  static final Set<Integer> PASSED_THROUGH = Set.of(400, 409, 413, 422, 429);
  /** Upstream statuses that blame the request itself (not a rate limit): after them a fallback's 4xx passes through. */
  private static final Set<Integer> REQUESTS_FAULT = Set.of(400, 409, 413, 422);

  private ClientErrors() {}

  /** A failure as the client sees it. */
  record ApiError(int status, String message, String type, String code, String param) {
    ObjectNode body() {
      return OpenAiWire.error(message, type, param, code);
    }
  }

  /** The client's view of a failed routed request. */
  static ApiError of(Throwable e) {
    if (e instanceof BackendException be) {
      return backend(be);
    }
    if (e instanceof BudgetExceededException b) {
      // the limit, the tenant's name (never its key) and the amounts: what the client needs to know
      return new ApiError(429, b.getMessage(), "insufficient_quota", "budget_exceeded", null);
    }
    if (e instanceof SpendStoreException) {
      // the store's address and error are for the server's log; requests are refused, not run unchecked
      return new ApiError(503, "the routing server cannot check its spend limits now (its spend store is"
          + " unavailable), so it refuses requests rather than run them unchecked; try again later", "server_error",
          "spend_store_unavailable", null);
    }
    if (e instanceof NoEligibleModelException n) {
      return new ApiError(400, n.getMessage(), "invalid_request_error", "no_eligible_model", null);
    }
    if (e instanceof PredictionException) {
      // the router's own predictor failed (an embedding service down, say): the details are for the server's log
      return new ApiError(500, "the router could not decide this request: its predictor failed; the routing server's"
          + " log has the details", "server_error", "prediction_failed", null);
    }
    if (e instanceof DeadlineExceededException d) {
      return new ApiError(504, "the request ran out of time: " + d.getMessage(), "server_error", "deadline_exceeded",
          null);
    }
    if (e instanceof OpenAiWire.InvalidRequest ir) {
      return new ApiError(400, ir.getMessage(), "invalid_request_error", ir.code, ir.param);
    }
    if (e instanceof ConfigurationException) {
      // the server's own configuration (a model without a price, ...): the message names it, no internals
      return new ApiError(500, "the routing server is misconfigured: " + e.getMessage(), "server_error",
          "configuration_error", null);
    }
    if (e instanceof IllegalArgumentException) {
      return new ApiError(400, e.getMessage(), "invalid_request_error", null, null);
    }
    return internal();
  }

  /** An unexpected failure: the details are in the server's log only. */
  static ApiError internal() {
    return new ApiError(500, "the routing server failed unexpectedly; its log has the details", "server_error",
        "internal_error", null);
  }

  /**
   * A backend's failure. The upstream's own 4xx passes through only when every earlier model that was tried refused
   * the request itself (400, 409, 413, 422; a rate limit is not the request's fault):
   * after the chosen model failed for another reason (a 503, say) and a fallback refused the request (a 400 for its
   * shorter context), the client's request was not at fault, so the answer is a 502 naming every model's failure.
   */
  private static ApiError backend(BackendException e) {
    int status = e.statusCode().orElse(0);
    ServerError upstream = e.serverError().orElse(null);
    boolean clientsFault = Arrays.stream(e.getSuppressed()).filter(BackendException.class::isInstance)
        .allMatch(s -> REQUESTS_FAULT.contains(((BackendException) s).statusCode().orElse(0)));
    if (PASSED_THROUGH.contains(status) && clientsFault) {
      String message = upstream != null ? upstream.message() : "model '" + e.model() + "' refused the request (HTTP "
          + status + ")";
      String type = upstream != null && upstream.type() != null ? upstream.type()
          : status == 429 ? "rate_limit_error" : "invalid_request_error";
      return new ApiError(status, message, type, upstream == null ? null : upstream.code(),
          upstream == null ? null : upstream.param());
    }
    List<String> tried = new ArrayList<>();
    for (Throwable s : e.getSuppressed()) {
      if (s instanceof BackendException earlier) {
        tried.add(describe(earlier));
      }
    }
    tried.add(describe(e));
    return new ApiError(502, (tried.size() > 1 ? "no model could answer: " : "") + String.join("; ", tried),
        "upstream_error", "upstream_failed", null);
  }

  /** One model's failure in words: what it answered, or why no answer came. */
  static String describe(BackendException e) {
    String model = "model '" + e.model() + "'";
    int status = e.statusCode().orElse(0);
    ServerError upstream = e.serverError().orElse(null);
    if (status == 401 || status == 403) {
      return model + " refused the routing server's credentials (HTTP " + status + ")";
    }
    switch (e.kind()) {
      case TIMEOUT -> {
        return model + " did not answer in time";
      }
      case STREAM_CUT -> {
        return model + " broke off its answer";
      }
      case MALFORMED_ANSWER -> {
        return model + " sent an answer that could not be read";
      }
      case ANSWER_TOO_LARGE -> {
        return model + " sent an answer larger than the routing server takes";
      }
      case CIRCUIT_OPEN -> {
        return model + " is not called for now: it failed too often recently";
      }
      case CANCELLED -> {
        return model + "'s call was cancelled";
      }
      case CONNECTION -> {
        if (status == 0) {
          return model + " could not be reached";
        }
      }
      default -> {
        // HTTP_STATUS and OTHER: described below by status and cause
      }
    }
    if (status >= 300) {
      return model + " answered HTTP " + status + (upstream == null ? "" : ": " + upstream.message());
    }
    if (status >= 200) {
      return e.isRetriable() ? model + " broke off its answer" : model + " sent an answer that could not be read";
    }
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      if (c instanceof InterruptedIOException) {
        return model + " did not answer in time";
      }
      if (c instanceof ConnectException || c instanceof UnknownHostException || c instanceof NoRouteToHostException) {
        return model + " could not be reached";
      }
    }
    return model + " failed" + (upstream == null ? "" : ": " + upstream.message());
  }
}
