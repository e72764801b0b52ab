package dev.routellm.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.NonRetriableBackendException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.Router;
import dev.routellm.testing.LoopbackModel;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RouterTracing with the OpenTelemetry SDK's in-memory exporter, over two loopback models. */
class RouterTracingTest {
  private final LoopbackModel strongModel = new LoopbackModel("big");
  private final LoopbackModel weakModel = new LoopbackModel("small");
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();

  @AfterEach
  void close() {
    strongModel.close();
    weakModel.close();
    otel.close();
  }

  private Router router() {
    return Router.builder()
        .strong(strongModel.backend()).weak(weakModel.backend())
        .predictor(WinRatePredictor.of("length", p -> p.length() > 20 ? 0.9 : 0.1)).threshold(0.5)
        .costModel(CostModel.builder().price("big", 10, 30).price("small", 1, 2).build())
        .listener(RouterTracing.of(otel))
        .build();
  }

  private SpanData named(String name) {
    return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void chat_withFallback_oneRequestSpanWithDecisionAndGenAiAttributesAndAChildSpanPerCall() {
    strongModel.fails(503);
    weakModel.answers("fallback answer", 30, 7);
    Span outer = otel.getTracer("app").spanBuilder("handler").startSpan();
    RoutedResponse routed;
    try (Scope ignored = outer.makeCurrent()) {
      routed = router().chat(ChatRequest.builder().user("Prove Fermat's little theorem, please")
          .temperature(0.2).maxTokens(64).build());
    } finally {
      outer.end();
    }

    SpanData request = named("route length");
    assertThat(request.getKind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(request.getParentSpanId()).isEqualTo(outer.getSpanContext().getSpanId());
    assertThat(request.getAttributes().get(RouterTracing.OPERATION)).isEqualTo("chat");
    assertThat(request.getAttributes().get(RouterTracing.REQUEST_MODEL)).isEqualTo("big");
    assertThat(request.getAttributes().get(RouterTracing.RESPONSE_MODEL)).isEqualTo("small");
    assertThat(request.getAttributes().get(RouterTracing.ROUTER)).isEqualTo("length");
    assertThat(request.getAttributes().get(RouterTracing.SCORE)).isEqualTo(0.9);
    assertThat(request.getAttributes().get(RouterTracing.THRESHOLD)).isEqualTo(0.5);
    assertThat(request.getAttributes().get(RouterTracing.MODEL)).isEqualTo("big");
    assertThat(request.getAttributes().get(RouterTracing.INPUT_TOKENS)).isEqualTo(30L);
    assertThat(request.getAttributes().get(RouterTracing.OUTPUT_TOKENS)).isEqualTo(7L);
    assertThat(request.getAttributes().get(RouterTracing.TEMPERATURE)).isEqualTo(0.2);
    assertThat(request.getAttributes().get(RouterTracing.MAX_TOKENS)).isEqualTo(64L);
    assertThat(request.getAttributes().get(RouterTracing.COST)).isEqualTo(routed.cost());
    assertThat(request.getAttributes().get(RouterTracing.FELL_BACK)).isTrue();
    assertThat(request.getAttributes().get(RouterTracing.ANSWERED_BY)).isEqualTo("small");
    assertThat(request.getAttributes().get(RouterTracing.RULE)).isEqualTo("threshold");
    assertThat(request.getAttributes().get(RouterTracing.FINISH_REASONS)).containsExactly("stop");

    SpanData failed = named("chat big");
    SpanData answered = named("chat small");
    for (SpanData call : List.of(failed, answered)) {
      assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(call.getParentSpanId()).isEqualTo(request.getSpanId());
      assertThat(call.getTraceId()).isEqualTo(outer.getSpanContext().getTraceId());
      assertThat(call.getStartEpochNanos()).isGreaterThanOrEqualTo(request.getStartEpochNanos());
      assertThat(call.getEndEpochNanos()).isLessThanOrEqualTo(request.getEndEpochNanos());
    }
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failed.getAttributes().get(RouterTracing.ERROR_TYPE)).isEqualTo("http_status");
    assertThat(answered.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(answered.getAttributes().get(RouterTracing.INPUT_TOKENS)).isEqualTo(30L);
    assertThat(answered.getEndEpochNanos()).isGreaterThanOrEqualTo(failed.getEndEpochNanos());
    assertThat(exporter.getFinishedSpanItems().toString()).as("prompts are never recorded")
        .doesNotContain("Fermat");
  }

  @Test
  void chat_nothingAnswers_requestSpanWithErrorStatusAndType() {
    weakModel.fails(400);
    assertThatThrownBy(() -> router().chat(ChatRequest.of("Hi")))
        .isInstanceOf(NonRetriableBackendException.class);

    SpanData request = named("route length");
    assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(request.getAttributes().get(RouterTracing.ERROR_TYPE))
        .isEqualTo(NonRetriableBackendException.class.getName());
    assertThat(request.getAttributes().get(RouterTracing.REQUEST_MODEL)).isEqualTo("small");
    assertThat(request.getEvents()).anyMatch(e -> e.getName().equals("exception"));
  }

  @Test
  void route_decisionOnly_writesNoSpan() {
    router().route(ChatRequest.of("Hi"));
    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }
}
