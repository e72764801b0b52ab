package dev.routellm.routing;

import dev.routellm.BackendException;
import dev.routellm.ConfigurationException;
import dev.routellm.NonRetriableBackendException;
import dev.routellm.cascade.ConfidenceModel;
import dev.routellm.cascade.MissingLogprobsException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A confidence cascade (Alamere): the weak model answers first; a {@link ConfidenceModel} judges the answer; the
 * strong model is asked only when the confidence is below the threshold. Thread-safe.
 *
 * <p>Failures: when the weak call fails, the strong model answers as the {@link FallbackPolicy} allows (no confidence,
 * score NaN); when the strong call fails after an escalation, the weak answer already in hand is returned as the
 * policy allows. Either way {@link RoutedResponse#fellBack()} is true and every call is in {@link
 * RoutedResponse#calls()}.
 */
final class CascadeRouter extends DispatchingRouter {
  private final ConfidenceModel confidenceModel;
  private final MissingLogprobsPolicy missingLogprobs;

  CascadeRouter(Router.Builder b) {
    super(b, Router.Builder.DEFAULT_CASCADE_NAME);
    this.confidenceModel = b.confidenceModel;
    this.missingLogprobs = b.missingLogprobs;
  }

  /** A provisional decision: the weak model answers first; escalation is decided from its answer. */
  @Override
  public RoutingDecision route(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    RoutingDecision decision =
        decision(
            Tier.WEAK,
            Double.NaN,
            Duration.ZERO,
            "cascade: the weak model answers first; escalation to the strong model is decided after the weak answer,"
                + " from its confidence");
    dispatcher.decided(request, decision);
    return decision;
  }

  @Override
  public RoutedResponse stream(ChatRequest request, RoutedStreamListener listener) {
    Objects.requireNonNull(request, "request");
    List<ModelCall> calls = new ArrayList<>(2);
    try {
      Dispatcher.Answer weak;
      try {
        weak = dispatcher.callOnce(weakRequest(request), Tier.WEAK, calls, null);
      } catch (BackendException e) {
        return weakFailed(request, e, calls, listener);
      }
      Judgement judgement = judge(request, weak.response());
      dispatcher.decided(request, judgement.decision);
      if (listener != null) {
        listener.onDecision(judgement.decision);
      }
      if (!judgement.escalate) {
        deliver(listener, weak.response());
        return dispatcher.finish(request, judgement.decision, weak, calls);
      }
      Dispatcher.StreamGuard guard = Dispatcher.StreamGuard.of(listener);
      Dispatcher.Answer strong;
      try {
        strong = dispatcher.callOnce(request, Tier.STRONG, calls, guard);
      } catch (BackendException e) {
        if (!dispatcher.mayFallBack(e) || (guard != null && guard.delivered())) {
          throw e;
        }
        dispatcher.fallingBack(request, calls.get(calls.size() - 1), Tier.WEAK);
        deliver(listener, weak.response());
        return dispatcher.finish(request, judgement.decision, weak, calls);
      }
      return dispatcher.finish(request, judgement.decision, strong, calls);
    } catch (RuntimeException e) {
      throw dispatcher.ended(request, e, calls);
    }
  }

  /** The weak call failed: the strong model answers if the policy allows, streamed to the listener. */
  private RoutedResponse weakFailed(
      ChatRequest request, BackendException first, List<ModelCall> calls, RoutedStreamListener listener) {
    if (!dispatcher.mayFallBack(first)) {
      throw first;
    }
    RoutingDecision decision = weakFailedDecision(first);
    dispatcher.decided(request, decision);
    if (listener != null) {
      listener.onDecision(decision);
    }
    dispatcher.fallingBack(request, calls.get(calls.size() - 1), Tier.STRONG);
    try {
      Dispatcher.Answer strong = dispatcher.callOnce(request, Tier.STRONG, calls, Dispatcher.StreamGuard.of(listener));
      return dispatcher.finish(request, decision, strong, calls);
    } catch (BackendException second) {
      second.addSuppressed(first);
      throw second;
    }
  }

  @Override
  public CompletableFuture<RoutedResponse> chatAsync(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    List<ModelCall> calls = Collections.synchronizedList(new ArrayList<>(2));
    Dispatcher.Pending pending = dispatcher.pending(request, calls);
    CompletableFuture.completedFuture(request)
        .thenCompose(r -> dispatcher.callOnceAsync(weakRequest(r), Tier.WEAK, calls, pending))
        .handle(
            (weak, t) ->
                t == null
                    ? CompletableFuture.supplyAsync(() -> judge(request, weak.response()), executor)
                        .thenCompose(judgement -> afterJudgement(request, weak, judgement, calls, pending))
                    : weakFailedAsync(request, Dispatcher.unwrap(t), calls, pending))
        .thenCompose(f -> f)
        .whenComplete(pending::complete);
    return pending.result();
  }

  private CompletableFuture<RoutedResponse> afterJudgement(
      ChatRequest request,
      Dispatcher.Answer weak,
      Judgement judgement,
      List<ModelCall> calls,
      Dispatcher.Pending pending) {
    dispatcher.decided(request, judgement.decision);
    if (!judgement.escalate) {
      return CompletableFuture.completedFuture(dispatcher.finish(request, judgement.decision, weak, List.copyOf(calls)));
    }
    return dispatcher
        .callOnceAsync(request, Tier.STRONG, calls, pending)
        .handle(
            (strong, t) -> {
              if (t == null) {
                return dispatcher.finish(request, judgement.decision, strong, List.copyOf(calls));
              }
              Throwable cause = Dispatcher.unwrap(t);
              if (cause instanceof BackendException e && dispatcher.mayFallBack(e)) {
                dispatcher.fallingBack(request, calls.get(calls.size() - 1), Tier.WEAK);
                return dispatcher.finish(request, judgement.decision, weak, List.copyOf(calls));
              }
              throw new CompletionException(cause);
            });
  }

  private CompletableFuture<RoutedResponse> weakFailedAsync(
      ChatRequest request, Throwable cause, List<ModelCall> calls, Dispatcher.Pending pending) {
    if (!(cause instanceof BackendException first) || !dispatcher.mayFallBack(first)) {
      return CompletableFuture.failedFuture(cause);
    }
    RoutingDecision decision = weakFailedDecision(first);
    dispatcher.decided(request, decision);
    dispatcher.fallingBack(request, calls.get(calls.size() - 1), Tier.STRONG);
    return dispatcher
        .callOnceAsync(request, Tier.STRONG, calls, pending)
        .handle(
            (strong, t) -> {
              if (t == null) {
                return dispatcher.finish(request, decision, strong, List.copyOf(calls));
              }
              Throwable second = Dispatcher.unwrap(t);
              second.addSuppressed(first);
              throw new CompletionException(second);
            });
  }

  /**
   * The request sent to the weak model: log-probabilities requested when the confidence model needs them, with at
   * least one alternative per token (older vLLM versions reject {@code logprobs} without {@code top_logprobs}).
   */
  private ChatRequest weakRequest(ChatRequest request) {
    if (!confidenceModel.requiresLogprobs()) {
      return request;
    }
    int top = Math.max(1, Math.max(request.topLogprobs(), confidenceModel.topLogprobs()));
    return request.toBuilder().logprobs(true).topLogprobs(top).build();
  }

  /** Scores the weak answer and decides; applies the missing-logprobs policy. */
  private Judgement judge(ChatRequest request, ChatResponse answer) {
    long start = System.nanoTime();
    if (answer.hasToolCalls() && answer.text().isBlank()) {
      String what = "the weak answer is " + answer.toolCalls().size() + " tool call(s) without text, so it has no"
          + " content tokens or log-probabilities to judge";
      if (missingLogprobs == MissingLogprobsPolicy.FAIL) {
        throw new NonRetriableBackendException(
            answer.model(),
            0,
            "weak model '" + weakModel() + "': " + what + " (set missingLogprobs(MissingLogprobsPolicy.ESCALATE)"
                + " to send such requests to the strong model, or route tool-calling traffic with a predictive"
                + " router)",
            null);
      }
      return new Judgement(
          decision(Tier.STRONG, Double.NaN, since(start), "escalated: " + what
              + " (missing-logprobs policy ESCALATE)"),
          true);
    }
    if (answer.text().isBlank()) {
      return new Judgement(
          decision(Tier.STRONG, Double.NaN, since(start), "weak answer is empty: escalated to the strong model"), true);
    }
    double confidence;
    try {
      confidence = confidenceModel.confidence(request, answer);
    } catch (MissingLogprobsException e) {
      if (missingLogprobs == MissingLogprobsPolicy.FAIL) {
        throw new NonRetriableBackendException(
            answer.model(),
            0,
            "weak model '" + weakModel() + "' answered without what the cascade's confidence model needs: "
                + e.getMessage() + " (use an endpoint that returns log-probabilities, or set"
                + " missingLogprobs(MissingLogprobsPolicy.ESCALATE))",
            e);
      }
      return new Judgement(
          decision(Tier.STRONG, Double.NaN, since(start), "escalated: " + e.getMessage()
              + " (missing-logprobs policy ESCALATE)"),
          true);
    }
    if (!Double.isFinite(confidence)) {
      throw new ConfigurationException(
          "confidence model '" + confidenceModel.name() + "' returned " + confidence + " for an answer of '"
              + answer.model() + "'");
    }
    boolean escalate = confidence < threshold;
    String reason =
        String.format(
            Locale.ROOT,
            escalate
                ? "confidence %.4f < threshold %.4f: escalated to the strong model"
                : "confidence %.4f >= threshold %.4f: weak answer kept",
            confidence,
            threshold);
    return new Judgement(decision(escalate ? Tier.STRONG : Tier.WEAK, confidence, since(start), reason), escalate);
  }

  private RoutingDecision weakFailedDecision(BackendException e) {
    return decision(
        Tier.WEAK, Double.NaN, Duration.ZERO, "weak model failed before it could be judged; falling back: "
            + e.getMessage());
  }

  private RoutingDecision decision(Tier tier, double score, Duration time, String reason) {
    return new RoutingDecision(tier, dispatcher.model(tier), score, threshold, name, time, reason);
  }

  private static void deliver(RoutedStreamListener listener, ChatResponse answer) {
    if (listener != null && !answer.text().isEmpty()) {
      listener.onText(answer.text());
    }
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  @Override
  public String toString() {
    return "Router{name=" + name + ", cascade=" + confidenceModel.name() + ", strong=" + strongModel() + ", weak="
        + weakModel() + ", threshold=" + threshold + "}";
  }

  /** A decision on a weak answer, and whether to ask the strong model. */
  private record Judgement(RoutingDecision decision, boolean escalate) {}
}
