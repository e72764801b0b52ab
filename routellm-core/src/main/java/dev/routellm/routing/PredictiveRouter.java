package dev.routellm.routing;

import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.prediction.WinRatePredictor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Routes on a {@link WinRatePredictor}'s score before any model runs. Thread-safe. */
final class PredictiveRouter implements Router {
  private final Dispatcher dispatcher;
  private final WinRatePredictor predictor;
  private final double threshold;
  private final PromptSelector promptSelector;
  private final Executor executor;
  private final String name;

  PredictiveRouter(Router.Builder b) {
    this.dispatcher = new Dispatcher(b);
    this.predictor = b.predictor;
    this.threshold = b.threshold;
    this.promptSelector = b.promptSelector;
    this.executor = b.executor;
    this.name = b.name != null ? b.name : b.predictor.name();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public double threshold() {
    return threshold;
  }

  @Override
  public String strongModel() {
    return dispatcher.model(Tier.STRONG);
  }

  @Override
  public String weakModel() {
    return dispatcher.model(Tier.WEAK);
  }

  @Override
  public RoutingDecision route(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    long start = System.nanoTime();
    double score = predictor.score(promptSelector.select(request));
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalStateException(
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
  public RoutedResponse chat(ChatRequest request) {
    return stream(request, null);
  }

  @Override
  public RoutedResponse stream(ChatRequest request, RoutedStreamListener listener) {
    RoutingDecision decision = route(request);
    if (listener != null) {
      listener.onDecision(decision);
    }
    List<ModelCall> calls = new ArrayList<>(2);
    try {
      Dispatcher.Answer answer = dispatcher.call(request, decision.tier(), calls, listener);
      return dispatcher.finish(request, decision, answer, calls);
    } catch (RouteLlmException e) {
      dispatcher.failed(request, e);
      throw e;
    }
  }

  @Override
  public CompletableFuture<RoutedResponse> chatAsync(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    List<ModelCall> calls = Collections.synchronizedList(new ArrayList<>(2));
    return CompletableFuture.supplyAsync(() -> route(request), executor)
        .thenCompose(
            decision ->
                dispatcher
                    .callAsync(request, decision.tier(), calls)
                    .thenApply(answer -> dispatcher.finish(request, decision, answer, List.copyOf(calls))))
        .whenComplete(
            (r, t) -> {
              if (t != null && Dispatcher.unwrap(t) instanceof RouteLlmException e) {
                dispatcher.failed(request, e);
              }
            });
  }

  @Override
  public CostSnapshot costs() {
    return dispatcher.costs();
  }

  @Override
  public String toString() {
    return "Router{name=" + name + ", strong=" + strongModel() + ", weak=" + weakModel() + ", threshold=" + threshold
        + "}";
  }
}
