package dev.routellm.routing;

import dev.routellm.BackendException;
import dev.routellm.ConfigurationException;
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
import java.util.concurrent.CancellationException;
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

  /**
   * A successful call, priced.
   *
   * @throws ConfigurationException when the cost model prices it at a negative, NaN or infinite cost
   */
  ModelCall succeeded(Tier tier, ChatResponse response, long startNanos) {
    String model = model(tier);
    double cost = price(model, response.usage());
    return new ModelCall(model, tier, response.usage(), cost, since(startNanos), Optional.empty());
  }

  /** {@code usage} on {@code model} at the cost model's prices, checked so that no bad cost reaches the totals. */
  private double price(String model, Usage usage) {
    double cost = costModel.cost(model, usage);
    if (!(cost >= 0.0 && cost < Double.POSITIVE_INFINITY)) {
      throw new ConfigurationException(
          "cost model " + costModel.getClass().getName() + " priced " + usage + " on model '" + model + "' at "
              + cost + "; a cost must be finite and >= 0");
    }
    return cost;
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
  CompletableFuture<Answer> callAsync(ChatRequest request, Tier tier, List<ModelCall> calls, Pending pending) {
    return callOnceAsync(request, tier, calls, pending)
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
              return callOnceAsync(request, other, calls, pending)
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
   * exceptionally with the backend's exception, unwrapped. The backend call is started through {@code pending}, so
   * that cancelling the caller's future cancels it.
   */
  CompletableFuture<Answer> callOnceAsync(ChatRequest request, Tier tier, List<ModelCall> calls, Pending pending) {
    long start = System.nanoTime();
    return pending
        .start(backend(tier), request)
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

  /**
   * Prices the answer, records totals and tells the listeners.
   *
   * @throws ConfigurationException when the cost model gives a bad price; nothing is recorded then
   */
  RoutedResponse finish(ChatRequest request, RoutingDecision decision, Answer answer, List<ModelCall> calls) {
    // What the strong model alone would have cost: the returned answer's tokens at the strong model's prices
    // (exact when the strong model answered, an estimate when the weak one did). Priced before anything is recorded,
    // so that a bad price cannot leave half a request in the totals.
    double allStrong = price(strong.model(), answer.response().usage());
    double cost = 0.0;
    for (ModelCall c : calls) {
      cost += c.cost();
      if (c.succeeded()) {
        tracker.recordCall(c.model(), c.usage(), c.cost());
      }
    }
    tracker.recordRequest(answer.tier() == Tier.STRONG, cost, allStrong);
    RoutedResponse routed = new RoutedResponse(answer.response(), decision, calls, cost, answer.tier());
    notify(l -> l.onResponse(request, routed));
    return routed;
  }

  void decided(ChatRequest request, RoutingDecision decision) {
    notify(l -> l.onDecision(request, decision));
  }

  /**
   * The request failed with {@code failure}: records it as {@link #abandoned} and tells the listeners.
   */
  void failed(ChatRequest request, RouteLlmException failure, List<ModelCall> calls) {
    abandoned(calls);
    notify(l -> l.onFailure(request, failure));
  }

  /**
   * The request ended without an answer (failed, cancelled, or a caller's stream listener threw): calls that
   * succeeded and cost money (a cascade's weak call) go into the per-model totals and the money spent, and the request
   * counts as failed, not answered.
   */
  void abandoned(List<ModelCall> calls) {
    double cost = 0.0;
    synchronized (calls) {
      for (ModelCall c : calls) {
        if (c.succeeded()) {
          tracker.recordCall(c.model(), c.usage(), c.cost());
          cost += c.cost();
        }
      }
    }
    tracker.recordFailedRequest(cost);
  }

  /** Ends a blocking request that threw {@code e} before it was answered; returns {@code e} to be rethrown. */
  RuntimeException ended(ChatRequest request, RuntimeException e, List<ModelCall> calls) {
    if (e instanceof RouteLlmException failure) {
      failed(request, failure, calls);
    } else {
      abandoned(calls);
    }
    return e;
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

  /**
   * Calls every listener. Whatever a listener throws is logged and ignored, {@link Error}s such as a failed {@code
   * assert} included, so that a listener cannot break a request; only a {@link VirtualMachineError} (out of memory,
   * stack overflow) propagates, since the JVM cannot be trusted to carry on after one.
   */
  private void notify(java.util.function.Consumer<RouterListener> event) {
    for (RouterListener l : listeners) {
      try {
        event.accept(l);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
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

  /** A pending asynchronous request for {@code request}, whose calls go into {@code calls}. */
  Pending pending(ChatRequest request, List<ModelCall> calls) {
    return new Pending(request, calls);
  }

  /**
   * The future a router's {@code chatAsync} returns, and the backend call in flight for it: cancelling the future
   * cancels that call and keeps any later one from starting. Thread-safe.
   */
  final class Pending {
    private final CompletableFuture<RoutedResponse> result = new CompletableFuture<>();
    private final ChatRequest request;
    private final List<ModelCall> calls;
    private volatile CompletableFuture<ChatResponse> inFlight;

    private Pending(ChatRequest request, List<ModelCall> calls) {
      this.request = request;
      this.calls = calls;
      result.whenComplete(
          (r, t) -> {
            CompletableFuture<ChatResponse> call = inFlight;
            if (result.isCancelled() && call != null) {
              call.cancel(true);
            }
          });
    }

    /** The future handed to the caller. */
    CompletableFuture<RoutedResponse> result() {
      return result;
    }

    /**
     * Starts {@code backend}'s call unless the caller has cancelled; never throws. A cancellation that races with the
     * start is seen by one side or the other: this writes {@code inFlight} before it reads the cancelled state, and
     * {@code cancel} sets the state before its callback reads {@code inFlight}.
     */
    CompletableFuture<ChatResponse> start(ModelBackend backend, ChatRequest sent) {
      if (result.isCancelled()) {
        return CompletableFuture.failedFuture(new CancellationException("the caller cancelled the request"));
      }
      CompletableFuture<ChatResponse> call;
      try {
        call = backend.chatAsync(sent);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      inFlight = call;
      if (result.isCancelled()) {
        call.cancel(true);
      }
      return call;
    }

    /**
     * Completes the caller's future with the chain's outcome: the answer, or the failure unwrapped (the same
     * exception a blocking call throws), after recording the spent calls and telling the listeners.
     */
    void complete(RoutedResponse response, Throwable t) {
      if (t == null) {
        result.complete(response);
        return;
      }
      Throwable cause = unwrap(t);
      if (cause instanceof RouteLlmException failure && !result.isCancelled()) {
        failed(request, failure, calls);
      } else {
        abandoned(calls);
      }
      result.completeExceptionally(cause);
    }
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
