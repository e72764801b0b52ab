package dev.routellm.opentelemetry;

import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.internal.listen.Pending;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RouteOptions;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.RouterListener;
import dev.routellm.routing.RoutingDecision;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * OpenTelemetry spans for routed requests, recorded by a {@link RouterListener}: add it with {@code
 * Router.builder().listener(RouterTracing.of(openTelemetry))}.
 *
 * <p>Each request ({@code chat}, {@code chatAsync}, {@code stream}) gets one span, {@code route <router>} (kind
 * {@code INTERNAL}), from its arrival to its answer or failure, child of the span current on the caller's thread when
 * it arrived. It carries the GenAI semantic conventions' attributes ({@code gen_ai.operation.name} = {@code chat},
 * {@code gen_ai.request.model} = the chosen model, {@code gen_ai.response.model}, {@code gen_ai.response.id}, {@code
 * gen_ai.response.finish_reasons}, {@code gen_ai.usage.input_tokens} and {@code gen_ai.usage.output_tokens} summed
 * over the request's calls, {@code gen_ai.request.temperature} and {@code gen_ai.request.max_tokens} when set) and
 * the routing decision ({@code routellm.router}, {@code routellm.rule}, {@code routellm.score}, {@code
 * routellm.threshold}, {@code routellm.model}, {@code routellm.reason}, {@code routellm.answered_by}, {@code
 * routellm.cost_usd}, {@code routellm.fell_back}, {@code routellm.tenant} when the options name one). Each model call
 * is a child span {@code chat <model>} (kind {@code CLIENT}), written when the call ends with its start set back by
 * its latency, with its model, role, tokens, cost and, when it failed, {@code error.type} (the failure's kind) and an
 * error status. A failed request's span has {@code error.type} (the exception's class), an error status and the
 * exception as an event.
 *
 * <p>Prompts and answers are never recorded. {@code Router.route} alone writes no span. A request the caller
 * cancelled, or whose stream listener threw, ends with no event: its span is never ended (and so never exported).
 * Requests are matched to their events by value: two equal requests in flight at once may share spans' bookkeeping.
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
  static final AttributeKey<String> RULE = AttributeKey.stringKey("routellm.rule");
  static final AttributeKey<Double> SCORE = AttributeKey.doubleKey("routellm.score");
  static final AttributeKey<Double> THRESHOLD = AttributeKey.doubleKey("routellm.threshold");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("routellm.model");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("routellm.reason");
  static final AttributeKey<String> ANSWERED_BY = AttributeKey.stringKey("routellm.answered_by");
  static final AttributeKey<String> ROLE = AttributeKey.stringKey("routellm.role");
  static final AttributeKey<String> TENANT = AttributeKey.stringKey("routellm.tenant");
  static final AttributeKey<Double> COST = AttributeKey.doubleKey("routellm.cost_usd");
  static final AttributeKey<Boolean> FELL_BACK = AttributeKey.booleanKey("routellm.fell_back");

  private final Tracer tracer;
  private final Clock clock;
  private final Pending<Span> spans = new Pending<>();

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
  public void onRequest(ChatRequest request, RouteOptions options) {
    var b = tracer.spanBuilder("route").setSpanKind(SpanKind.INTERNAL).setStartTimestamp(clock.instant())
        .setAttribute(OPERATION, "chat");
    request.temperature().ifPresent(t -> b.setAttribute(TEMPERATURE, t));
    request.maxTokens().ifPresent(m -> b.setAttribute(MAX_TOKENS, (long) m));
    options.tenant().ifPresent(t -> b.setAttribute(TENANT, t));
    spans.put(request, b.startSpan());
  }

  @Override
  public void onDecision(ChatRequest request, RoutingDecision decision) {
    spans.peek(request).ifPresent(span -> {
      span.updateName("route " + decision.router());
      span.setAttribute(REQUEST_MODEL, decision.model());
      span.setAttribute(ROUTER, decision.router());
      span.setAttribute(RULE, decision.rule());
      span.setAttribute(MODEL, decision.model());
      span.setAttribute(REASON, decision.reason());
      if (!Double.isNaN(decision.score())) {
        span.setAttribute(SCORE, decision.score());
      }
      if (!Double.isNaN(decision.threshold())) {
        span.setAttribute(THRESHOLD, decision.threshold());
      }
    });
  }

  @Override
  public void onModelCall(ChatRequest request, ModelCall call) {
    spans.peek(request).ifPresent(parent -> {
      Instant end = clock.instant();
      Span span = tracer.spanBuilder("chat " + call.model())
          .setParent(Context.root().with(parent))
          .setSpanKind(SpanKind.CLIENT)
          .setStartTimestamp(end.minus(call.latency()))
          .setAttribute(OPERATION, "chat")
          .setAttribute(REQUEST_MODEL, call.model())
          .setAttribute(ROLE, call.role().name().toLowerCase(Locale.ROOT))
          .setAttribute(INPUT_TOKENS, call.usage().promptTokens())
          .setAttribute(OUTPUT_TOKENS, call.usage().completionTokens())
          .setAttribute(COST, call.cost())
          .startSpan();
      call.failure().ifPresent(f -> {
        span.setAttribute(ERROR_TYPE, f.kind());
        span.setStatus(StatusCode.ERROR, f.message());
      });
      span.end(end);
    });
  }

  @Override
  public void onResponse(ChatRequest request, RoutedResponse routed) {
    spans.take(request).ifPresent(span -> {
      long input = 0;
      long output = 0;
      for (ModelCall call : routed.calls()) {
        input += call.usage().promptTokens();
        output += call.usage().completionTokens();
      }
      ChatResponse response = routed.response();
      span.setAttribute(RESPONSE_MODEL, response.model());
      response.id().ifPresent(id -> span.setAttribute(RESPONSE_ID, id));
      response.finishReason().ifPresent(r -> span.setAttribute(FINISH_REASONS, List.of(r)));
      span.setAttribute(INPUT_TOKENS, input);
      span.setAttribute(OUTPUT_TOKENS, output);
      span.setAttribute(ANSWERED_BY, routed.answeredBy());
      span.setAttribute(COST, routed.cost());
      span.setAttribute(FELL_BACK, routed.fellBack());
      span.end(clock.instant());
    });
  }

  @Override
  public void onFailure(ChatRequest request, RouteLlmException failure) {
    spans.take(request).ifPresent(span -> {
      span.setAttribute(ERROR_TYPE, failure.getClass().getName());
      span.setStatus(StatusCode.ERROR, failure.getMessage() == null ? "" : failure.getMessage());
      span.recordException(failure);
      span.end(clock.instant());
    });
  }
}
