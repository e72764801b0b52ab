package dev.routellm.opentelemetry;

import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.internal.listen.Pending;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.RouterListener;
import dev.routellm.routing.RoutingDecision;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * OpenTelemetry spans for routed requests, recorded by a {@link RouterListener}: add it with {@code
 * Router.builder().listener(RouterTracing.of(openTelemetry))}.
 *
 * <p>Each answered or failed request gets one span, {@code route <router>} (kind {@code INTERNAL}), child of the span
 * current on the caller's thread when the request ended. It carries the GenAI semantic conventions' attributes
 * ({@code gen_ai.operation.name} = {@code chat}, {@code gen_ai.request.model} = the chosen model, {@code
 * gen_ai.response.model}, {@code gen_ai.response.id}, {@code gen_ai.response.finish_reasons}, {@code
 * gen_ai.usage.input_tokens} and {@code gen_ai.usage.output_tokens} summed over the request's calls, {@code
 * gen_ai.request.temperature} and {@code gen_ai.request.max_tokens} when set) and the routing decision ({@code
 * routellm.router}, {@code routellm.score}, {@code routellm.threshold}, {@code routellm.model}, {@code
 * routellm.reason}, {@code routellm.cost_usd}, {@code routellm.fell_back}). Each model call is a child span {@code
 * chat <model>} (kind {@code CLIENT}) with its model, tokens, cost and, when it failed, {@code error.type} and an
 * error status.
 *
 * <p>Timing: the spans are written when the request ends, with start times computed back from the decision time and
 * the calls' latencies (calls run one after the other), so they line up with the real work to within the listener's
 * own overhead. Prompts and answers are never recorded.
 *
 * <p>Thread-safe. Does not own the {@link OpenTelemetry} instance.
 */
public final class RouterTracing implements RouterListener {
  /** The instrumentation scope name of the tracer. */
  public static final String INSTRUMENTATION_NAME = "dev.routellm";

  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
  static final AttributeKey<List<String>> FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
  static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> ROUTER = AttributeKey.stringKey("routellm.router");
  static final AttributeKey<Double> SCORE = AttributeKey.doubleKey("routellm.score");
  static final AttributeKey<Double> THRESHOLD = AttributeKey.doubleKey("routellm.threshold");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("routellm.model");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("routellm.reason");
  static final AttributeKey<Double> COST = AttributeKey.doubleKey("routellm.cost_usd");
  static final AttributeKey<Boolean> FELL_BACK = AttributeKey.booleanKey("routellm.fell_back");

  private final Tracer tracer;
  private final Clock clock;
  private final Pending<RoutingDecision> decisions = new Pending<>();

  private RouterTracing(Tracer tracer, Clock clock) {
    this.tracer = tracer;
    this.clock = clock;
  }

  /** Spans from {@code openTelemetry}'s tracer provider, scope {@value #INSTRUMENTATION_NAME}. */
  public static RouterTracing of(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return new RouterTracing(openTelemetry.getTracer(INSTRUMENTATION_NAME), Clock.systemUTC());
  }

  /** Spans from {@code tracer}, timed by {@code clock} (for tests). */
  static RouterTracing of(Tracer tracer, Clock clock) {
    return new RouterTracing(Objects.requireNonNull(tracer, "tracer"), Objects.requireNonNull(clock, "clock"));
  }

  @Override
  public void onDecision(ChatRequest request, RoutingDecision decision) {
    decisions.put(request, decision);
  }

  @Override
  public void onResponse(ChatRequest request, RoutedResponse routed) {
    decisions.take(request);
    RoutingDecision decision = routed.decision();
    Instant end = clock.instant();
    Duration work = decision.decisionTime();
    long input = 0;
    long output = 0;
    for (ModelCall call : routed.calls()) {
      work = work.plus(call.latency());
      input += call.usage().promptTokens();
      output += call.usage().completionTokens();
    }
    Instant start = end.minus(work);
    Span span = requestSpan(request, decision, start);
    ChatResponse response = routed.response();
    span.setAttribute(RESPONSE_MODEL, response.model());
    response.id().ifPresent(id -> span.setAttribute(RESPONSE_ID, id));
    response.finishReason().ifPresent(r -> span.setAttribute(FINISH_REASONS, List.of(r)));
    span.setAttribute(INPUT_TOKENS, input);
    span.setAttribute(OUTPUT_TOKENS, output);
    span.setAttribute(COST, routed.cost());
    span.setAttribute(FELL_BACK, routed.fellBack());
    callSpans(span, routed.calls(), start.plus(decision.decisionTime()));
    span.end(end);
  }

  @Override
  public void onFailure(ChatRequest request, RouteLlmException failure) {
    Instant end = clock.instant();
    RoutingDecision decision = decisions.take(request).orElse(null);
    Span span;
    if (decision == null) {
      span = tracer.spanBuilder("route").setSpanKind(SpanKind.INTERNAL).setStartTimestamp(end)
          .setAttribute(OPERATION, "chat").startSpan();
    } else {
      span = requestSpan(request, decision, end);
    }
    span.setAttribute(ERROR_TYPE, failure.getClass().getName());
    span.setStatus(StatusCode.ERROR, failure.getMessage() == null ? "" : failure.getMessage());
    span.recordException(failure);
    span.end(end);
  }

  private Span requestSpan(ChatRequest request, RoutingDecision decision, Instant start) {
    SpanBuilder b = tracer.spanBuilder("route " + decision.router())
        .setSpanKind(SpanKind.INTERNAL)
        .setStartTimestamp(start)
        .setAttribute(OPERATION, "chat")
        .setAttribute(REQUEST_MODEL, decision.model())
        .setAttribute(ROUTER, decision.router())
        .setAttribute(MODEL, decision.model())
        .setAttribute(THRESHOLD, decision.threshold())
        .setAttribute(REASON, decision.reason());
    if (!Double.isNaN(decision.score())) {
      b.setAttribute(SCORE, decision.score());
    }
    request.temperature().ifPresent(t -> b.setAttribute(TEMPERATURE, t));
    request.maxTokens().ifPresent(m -> b.setAttribute(MAX_TOKENS, (long) m));
    return b.startSpan();
  }

  private void callSpans(Span parent, List<ModelCall> calls, Instant firstStart) {
    Context context = Context.current().with(parent);
    Instant start = firstStart;
    for (ModelCall call : calls) {
      Instant end = start.plus(call.latency());
      Span span = tracer.spanBuilder("chat " + call.model())
          .setParent(context)
          .setSpanKind(SpanKind.CLIENT)
          .setStartTimestamp(start)
          .setAttribute(OPERATION, "chat")
          .setAttribute(REQUEST_MODEL, call.model())
          .setAttribute(INPUT_TOKENS, call.usage().promptTokens())
          .setAttribute(OUTPUT_TOKENS, call.usage().completionTokens())
          .setAttribute(COST, call.cost())
          .startSpan();
      call.failure().ifPresent(message -> {
        span.setAttribute(ERROR_TYPE, "model_call_failed");
        span.setStatus(StatusCode.ERROR, message);
      });
      span.end(end);
      start = end;
    }
  }
}
