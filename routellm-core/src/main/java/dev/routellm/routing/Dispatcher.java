package dev.routellm.routing;

import dev.routellm.BackendException;
import dev.routellm.RouteLlmException;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.cost.CostTracker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Calls a router's models: fallback, cost accounting and listener notification, shared by every router kind.
 * Thread-safe.
 */
final class Dispatcher {
  private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

  private final ModelBackend strong;
  private final ModelBackend weak;
  private final CostModel costModel;
  private final FallbackPolicy fallback;
  private final List<RouterListener> listeners;
  private final CostTracker tracker;

  Dispatcher(Router.Builder b) {
    this.strong = b.strong;
    this.weak = b.weak;
    this.costModel = b.costModel;
    this.fallback = b.fallback;
    this.listeners = List.copyOf(b.listeners);
    this.tracker = b.costTracker != null ? b.costTracker : new CostTracker();
  }

  ModelBackend backend(Tier tier) {
    return tier == Tier.STRONG ? strong : weak;
  }

  String model(Tier tier) {
    return backend(tier).model();
  }

  CostSnapshot costs() {
    return tracker.snapshot();
  }

  /** A call that did not go through {@link #call}, such as a cascade's weak call, priced and recorded. */
  ModelCall succeeded(Tier tier, ChatResponse response, long startNanos) {
    String model = model(tier);
    double cost = costModel.cost(model, response.usage());
    return new ModelCall(model, tier, response.usage(), cost, since(startNanos), Optional.empty());
  }

  ModelCall failed(Tier tier, BackendException e, long startNanos) {
    return new ModelCall(model(tier), tier, new Usage(0, 0, false), 0.0, since(startNanos), Optional.of(e.getMessage()));
  }

  /**
   * Calls {@code tier}'s model, then the other one if the first fails and the policy allows. Appends each call to
   * {@code calls}. {@code listener} is null for a blocking call.
   */
  Answer call(ChatRequest request, Tier tier, List<ModelCall> calls, StreamListener listener) {
    StreamGuard guard = StreamGuard.of(listener);
    try {
      return callOnce(request, tier, calls, guard);
    } catch (BackendException first) {
      if (!mayFallBack(first) || (guard != null && guard.delivered())) {
        throw first;
      }
      Tier other = tier.other();
      fallingBack(request, calls.get(calls.size() - 1), other);
      try {
        return callOnce(request, other, calls, guard);
      } catch (BackendException second) {
        second.addSuppressed(first);
        throw second;
      }
    }
  }

  /**
   * Calls {@code tier}'s model once, without fallback, and appends the call to {@code calls}, failed or not.
   * {@code guard} is null for a blocking call.
   */
  Answer callOnce(ChatRequest request, Tier tier, List<ModelCall> calls, StreamGuard guard) {
    long start = System.nanoTime();
    try {
      ChatResponse response = invoke(backend(tier), request, guard);
      calls.add(succeeded(tier, response, start));
      return new Answer(response, tier);
    } catch (BackendException e) {
      calls.add(failed(tier, e, start));
      throw e;
    }
  }

  /** Asynchronous {@link #call} without streaming. */
  CompletableFuture<Answer> callAsync(ChatRequest request, Tier tier, List<ModelCall> calls) {
    return callOnceAsync(request, tier, calls)
        .exceptionallyCompose(
            t -> {
              Throwable cause = unwrap(t);
              if (!(cause instanceof BackendException first) || !mayFallBack(first)) {
                return CompletableFuture.failedFuture(cause);
              }
              Tier other = tier.other();
              ModelCall failedCall;
              synchronized (calls) {
                failedCall = calls.get(calls.size() - 1);
              }
              fallingBack(request, failedCall, other);
              return callOnceAsync(request, other, calls)
                  .exceptionallyCompose(
                      t2 -> {
                        Throwable second = unwrap(t2);
                        second.addSuppressed(first);
                        return CompletableFuture.failedFuture(second);
                      });
            });
  }

  /**
   * Asynchronous {@link #callOnce} without streaming; appends to {@code calls} while holding its lock. Completes
   * exceptionally with the backend's exception, unwrapped.
   */
  CompletableFuture<Answer> callOnceAsync(ChatRequest request, Tier tier, List<ModelCall> calls) {
    long start = System.nanoTime();
    return backend(tier)
        .chatAsync(request)
        .handle(
            (response, t) -> {
              if (t == null) {
                synchronized (calls) {
                  calls.add(succeeded(tier, response, start));
                }
                return CompletableFuture.completedFuture(new Answer(response, tier));
              }
              Throwable cause = unwrap(t);
              if (cause instanceof BackendException e) {
                synchronized (calls) {
                  calls.add(failed(tier, e, start));
                }
              }
              return CompletableFuture.<Answer>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  /** Tells the listeners that the router answers with {@code tier} because {@code failedCall} failed. */
  void fallingBack(ChatRequest request, ModelCall failedCall, Tier tier) {
    notify(l -> l.onFallback(request, failedCall, tier));
  }

  /** Prices the answer, records totals and tells the listeners. */
  RoutedResponse finish(ChatRequest request, RoutingDecision decision, Answer answer, List<ModelCall> calls) {
    double cost = 0.0;
    for (ModelCall c : calls) {
      cost += c.cost();
      if (c.succeeded()) {
        tracker.recordCall(c.model(), c.usage(), c.cost());
      }
    }
    // What the strong model alone would have cost: the returned answer's tokens at the strong model's prices
    // (exact when the strong model answered, an estimate when the weak one did).
    double allStrong = costModel.cost(strong.model(), answer.response().usage());
    tracker.recordRequest(answer.tier() == Tier.STRONG, cost, allStrong);
    RoutedResponse routed = new RoutedResponse(answer.response(), decision, calls, cost, answer.tier());
    notify(l -> l.onResponse(request, routed));
    return routed;
  }

  void decided(ChatRequest request, RoutingDecision decision) {
    notify(l -> l.onDecision(request, decision));
  }

  void failed(ChatRequest request, RouteLlmException failure) {
    notify(l -> l.onFailure(request, failure));
  }

  /**
   * Like {@link #failed(ChatRequest, RouteLlmException)} after calls that succeeded and cost money (a cascade's weak
   * call before the request failed): their usage and cost go into the totals, the request does not.
   */
  void failed(ChatRequest request, RouteLlmException failure, List<ModelCall> calls) {
    synchronized (calls) {
      for (ModelCall c : calls) {
        if (c.succeeded()) {
          tracker.recordCall(c.model(), c.usage(), c.cost());
        }
      }
    }
    failed(request, failure);
  }

  boolean mayFallBack(BackendException e) {
    return switch (fallback) {
      case NEVER -> false;
      case ON_RETRIABLE -> e.isRetriable();
      case ALWAYS -> true;
    };
  }

  private static ChatResponse invoke(ModelBackend backend, ChatRequest request, StreamGuard guard) {
    return guard == null ? backend.chat(request) : backend.stream(request, guard);
  }

  private void notify(java.util.function.Consumer<RouterListener> event) {
    for (RouterListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "router listener " + l.getClass().getName() + " threw; ignored", e);
      }
    }
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /** An answer and the tier that gave it. */
  record Answer(ChatResponse response, Tier tier) {}

  /** Forwards text and remembers whether any reached the caller (after which no fallback is possible). */
  static final class StreamGuard implements StreamListener {
    private final StreamListener delegate;
    private boolean delivered;

    private StreamGuard(StreamListener delegate) {
      this.delegate = delegate;
    }

    /** A guard around {@code listener}, or null for a blocking call ({@code listener} null). */
    static StreamGuard of(StreamListener listener) {
      return listener == null ? null : new StreamGuard(listener);
    }

    boolean delivered() {
      return delivered;
    }

    @Override
    public void onText(String delta) {
      delivered = true;
      delegate.onText(delta);
    }
  }
}
