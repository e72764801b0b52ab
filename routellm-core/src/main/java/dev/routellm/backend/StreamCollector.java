package dev.routellm.backend;

import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.TokenLogprob;
import dev.routellm.chat.ToolCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Collects one streamed chat completion from server-sent events: passes text deltas to the caller's
 * {@link StreamListener} and accumulates text, tool calls, log-probabilities, finish reason, usage, refusal, {@code
 * system_fingerprint} and {@code service_tier}. Used on a single thread
 * (OkHttp's {@code EventSources.processResponse} runs on the caller's thread); not thread-safe.
 *
 * <p>A stream is complete when {@code data: [DONE]} arrived, or it closed cleanly after a chunk carrying a
 * {@code finish_reason} (some servers omit {@code [DONE]}). Anything else is a broken stream.
 *
 * <p>Tool calls arrive as {@code delta.tool_calls} fragments keyed by {@code index}: the first fragment of a call
 * carries its id, type and function name, later ones pieces of {@code function.arguments}, which are concatenated.
 * A fragment without {@code index} (some servers send whole calls) joins the call with its id, or starts a new call
 * when its id is new, or continues the last call when it has no id. A repeated id or name is ignored rather than
 * appended. Tool calls are not passed to the listener: they are complete only at the end, in the collected {@link
 * ChatResponse}. Only choice 0 is read: a request with {@code n > 1} gets its first answer, as when not streamed.
 */
final class StreamCollector extends EventSourceListener {
  private static final String DONE = "[DONE]";

  private final OpenAiHttp http;
  private final String path;
  private final ChatRequest request;
  private final String fallbackModel;
  private final StreamListener listener;

  private final StringBuilder text = new StringBuilder();
  private final List<TokenLogprob> logprobs = new ArrayList<>();
  private final SortedMap<Integer, PartialCall> toolCalls = new TreeMap<>();
  private boolean logprobsReturned;
  private String id;
  private String model;
  private String finishReason;
  private String systemFingerprint;
  private String serviceTier;
  private StringBuilder refusal;
  private JsonNode usage;
  private int chunks;
  private boolean done;

  /** The first reason the stream stopped early; later ones (such as OkHttp's "canceled") are consequences. */
  private RuntimeException stop;
  private Error listenerError;
  private Throwable transportFailure;

  StreamCollector(
      OpenAiHttp http, String path, ChatRequest request, String fallbackModel, StreamListener listener) {
    this.http = http;
    this.path = path;
    this.request = request;
    this.fallbackModel = fallbackModel;
    this.listener = listener;
  }

  @Override
  public void onEvent(EventSource source, String eventId, String type, String data) {
    if (stopped()) {
      return;
    }
    if (DONE.equals(data.strip())) {
      done = true;
      return;
    }
    JsonNode chunk;
    try {
      chunk = OpenAiHttp.MAPPER.readTree(data);
    } catch (JacksonException e) {
      stop(source, http.badContent(path, 200, "streamed chunk " + (chunks + 1) + " is not valid JSON ("
          + OpenAiHttp.describe(e) + "): " + OpenAiHttp.quote(data, 200), e));
      return;
    }
    if (isError(type, chunk)) {
      JsonNode error = chunk.path("error").isObject() ? chunk.path("error") : chunk;
      int status = error.path("code").canConvertToInt() ? error.path("code").intValue() : 0;
      stop(source, http.streamError(path, status, "the server reported an error in the stream after " + chars()
          + ": " + OpenAiHttp.serverMessage(data)));
      return;
    }
    chunks++;
    if (id == null) {
      id = ChatJson.text(chunk.path("id"));
    }
    if (model == null) {
      model = ChatJson.text(chunk.path("model"));
    }
    if (chunk.path("usage").isObject()) {
      usage = chunk.path("usage");
    }
    String fingerprint = ChatJson.text(chunk.path("system_fingerprint"));
    if (fingerprint != null) {
      systemFingerprint = fingerprint;
    }
    String tier = ChatJson.text(chunk.path("service_tier"));
    if (tier != null) {
      serviceTier = tier;
    }
    JsonNode choice = firstChoice(chunk.path("choices"));
    String reason = ChatJson.text(choice.path("finish_reason"));
    if (reason != null) {
      finishReason = reason;
    }
    Logprobs.parse(choice.path("logprobs"), request.topLogprobs() > 0)
        .ifPresent(
            entries -> {
              logprobsReturned = true;
              logprobs.addAll(entries);
            });
    JsonNode fragments = choice.path("delta").path("tool_calls");
    if (fragments.isArray()) {
      for (JsonNode f : fragments) {
        toolCalls.computeIfAbsent(slot(f), k -> new PartialCall()).add(f);
      }
    }
    JsonNode refused = choice.path("delta").path("refusal");
    if (refused.isString()) {
      (refusal == null ? refusal = new StringBuilder() : refusal).append(refused.stringValue());
    }
    JsonNode content = choice.path("delta").path("content");
    if (content.isString() && !content.stringValue().isEmpty()) {
      text.append(content.stringValue());
      try {
        listener.onText(content.stringValue());
      } catch (RuntimeException e) {
        stop(source, e);
      } catch (Error e) {
        listenerError = e;
        source.cancel();
      }
    }
  }

  /**
   * The chunk's entry for choice 0 (the answer this library returns, as in non-streamed responses); a chunk that
   * carries only other choices' deltas (a request with {@code n > 1}) gives a missing node, so nothing is mixed in.
   */
  private static JsonNode firstChoice(JsonNode choices) {
    for (JsonNode c : choices) {
      if (!c.path("index").canConvertToInt() || c.path("index").intValue() == 0) {
        return c;
      }
    }
    return OpenAiHttp.MAPPER.missingNode();
  }

  /**
   * Where a tool-call fragment goes: its {@code index}; without one (servers that send whole calls), the call with
   * the same id, else a new call when it brings an id, else the last call (a continuation).
   */
  private int slot(JsonNode fragment) {
    if (fragment.path("index").canConvertToInt()) {
      return fragment.path("index").intValue();
    }
    String fragmentId = ChatJson.text(fragment.path("id"));
    if (fragmentId != null) {
      for (Map.Entry<Integer, PartialCall> e : toolCalls.entrySet()) {
        if (fragmentId.equals(e.getValue().id)) {
          return e.getKey();
        }
      }
      return toolCalls.isEmpty() ? 0 : toolCalls.lastKey() + 1;
    }
    return toolCalls.isEmpty() ? 0 : toolCalls.lastKey();
  }

  private static boolean isError(String type, JsonNode chunk) {
    return "error".equals(type)
        || (chunk.has("error") && !chunk.path("error").isNull())
        || "error".equals(chunk.path("object").asString(""));
  }

  @Override
  public void onFailure(EventSource source, Throwable t, Response response) {
    if (!stopped() && transportFailure == null) {
      transportFailure = t;
    }
  }

  private void stop(EventSource source, RuntimeException reason) {
    stop = reason;
    source.cancel();
  }

  private boolean stopped() {
    return stop != null || listenerError != null;
  }

  private String chars() {
    return chunks + (chunks == 1 ? " chunk" : " chunks") + " (" + text.length() + " characters of text)";
  }

  /**
   * The collected answer.
   *
   * @param status the HTTP status of the stream's response, for exceptions
   * @throws dev.routellm.BackendException when the stream broke, held an error event or a malformed chunk
   * @throws RuntimeException what the listener threw, as it was thrown
   */
  ChatResponse result(int status) {
    if (listenerError != null) {
      throw listenerError;
    }
    if (stop != null) {
      throw stop;
    }
    if (transportFailure != null || !(done || finishReason != null)) {
      String why =
          transportFailure instanceof IOException io
              ? http.describe(io, http.settings().callTimeout)
              : transportFailure != null
                  ? String.valueOf(transportFailure.getMessage())
                  : "the server closed it without [DONE] or a finish_reason";
      throw http.streamBroken(
          path, status, "the stream broke after " + chars() + " had arrived: " + why, transportFailure);
    }
    String answer = text.toString();
    List<ToolCall> calls = new ArrayList<>(toolCalls.size());
    for (Map.Entry<Integer, PartialCall> e : toolCalls.entrySet()) {
      PartialCall c = e.getValue();
      if (c.id == null || c.name == null) {
        throw http.badContent(path, status, "streamed tool call at index " + e.getKey() + " never got "
            + (c.id == null ? "an id" : "a function name") + " (arguments so far: "
            + OpenAiHttp.quote(c.arguments.toString(), 200) + ")", null);
      }
      calls.add(new ToolCall(c.id, c.type == null ? ToolCall.FUNCTION : c.type, c.name, c.arguments.toString()));
    }
    ChatResponse.Builder b =
        ChatResponse.builder()
            .id(id)
            .model(model != null ? model : fallbackModel)
            .text(answer)
            .toolCalls(calls)
            .finishReason(finishReason)
            .usage(ChatJson.usage(usage == null ? OpenAiHttp.MAPPER.missingNode() : usage, request,
                ChatJson.answerText(answer, calls)))
            .systemFingerprint(systemFingerprint)
            .serviceTier(serviceTier)
            .refusal(refusal == null ? null : refusal.toString());
    if (logprobsReturned) {
      b.logprobs(logprobs);
    }
    return b.build();
  }

  /** A tool call being assembled from its fragments. */
  private static final class PartialCall {
    String id;
    String type;
    String name;
    final StringBuilder arguments = new StringBuilder();

    void add(JsonNode fragment) {
      if (id == null) {
        id = ChatJson.text(fragment.path("id"));
      }
      if (type == null) {
        type = ChatJson.text(fragment.path("type"));
      }
      if (name == null) {
        name = ChatJson.text(fragment.path("function").path("name"));
      }
      arguments.append(ChatJson.arguments(fragment.path("function").path("arguments")));
    }
  }
}
