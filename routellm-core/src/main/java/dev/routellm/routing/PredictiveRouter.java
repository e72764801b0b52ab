package dev.routellm.routing;

import dev.routellm.ConfigurationException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.prediction.WinRatePredictor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Routes on a {@link WinRatePredictor}'s score before any model runs. Thread-safe. */
final class PredictiveRouter extends DispatchingRouter {
  private final WinRatePredictor predictor;
  private final PromptSelector promptSelector;

  PredictiveRouter(Router.Builder b) {
    super(b, b.predictor.name());
    this.predictor = b.predictor;
    this.promptSelector = b.promptSelector;
  }

  /**
   * {@inheritDoc}
   *
   * @throws ConfigurationException when the predictor returns a score outside [0, 1] (NaN included)
   */
  @Override
  public RoutingDecision route(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    long start = System.nanoTime();
    double score = predictor.score(promptSelector.select(request));
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new ConfigurationException(
          "predictor '" + predictor.name() + "' returned " + score + ", outside [0, 1]");
    }
    Tier tier = score >= threshold ? Tier.STRONG : Tier.WEAK;
    String reason =
        String.format(
            Locale.ROOT, "score %.4f %s threshold %.4f", score, tier == Tier.STRONG ? ">=" : "<", threshold);
    RoutingDecision decision =
        new RoutingDecision(
            tier, dispatcher.model(tier), score, threshold, name, Duration.ofNanos(System.nanoTime() - start), reason);
    dispatcher.decided(request, decision);
    return decision;
  }

  @Override
  public RoutedResponse stream(ChatRequest request, RoutedStreamListener listener) {
    Objects.requireNonNull(request, "request");
    List<ModelCall> calls = new ArrayList<>(2);
    try {
      RoutingDecision decision = route(request);
      if (listener != null) {
        listener.onDecision(decision);
      }
      Dispatcher.Answer answer = dispatcher.call(request, decision.tier(), calls, listener);
      return dispatcher.finish(request, decision, answer, calls);
    } catch (RuntimeException e) {
      throw dispatcher.ended(request, e, calls);
    }
  }

  @Override
  public CompletableFuture<RoutedResponse> chatAsync(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    List<ModelCall> calls = Collections.synchronizedList(new ArrayList<>(2));
    Dispatcher.Pending pending = dispatcher.pending(request, calls);
    CompletableFuture.supplyAsync(() -> route(request), executor)
        .thenCompose(
            decision ->
                dispatcher
                    .callAsync(request, decision.tier(), calls, pending)
                    .thenApply(answer -> dispatcher.finish(request, decision, answer, List.copyOf(calls))))
        .whenComplete(pending::complete);
    return pending.result();
  }

  @Override
  public String toString() {
    return "Router{name=" + name + ", strong=" + strongModel() + ", weak=" + weakModel() + ", threshold=" + threshold
        + "}";
  }
}
