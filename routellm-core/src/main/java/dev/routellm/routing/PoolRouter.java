package dev.routellm.routing;

import dev.routellm.BackendException;
import dev.routellm.ConfigurationException;
import dev.routellm.DeadlineExceededException;
import dev.routellm.NoEligibleModelException;
import dev.routellm.PredictionException;
import dev.routellm.RetriableBackendException;
import dev.routellm.RouteLlmException;
import dev.routellm.chat.Capability;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.StreamListener;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostSnapshot;
import dev.routellm.cost.CostTracker;
import dev.routellm.cost.ModelPrice;
import dev.routellm.cost.Dollars;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The router every {@link Router.Builder} builds: plans each request with its {@link RoutingPolicy}, drops the models
 * that cannot serve it, and runs the plan (calls, checks, fallbacks, circuit breakers, deadline, cost limit), then
 * prices and records. Thread-safe.
 */
final class PoolRouter implements Router {
  private static final System.Logger LOG = System.getLogger(PoolRouter.class.getName());

  /** Cancels asynchronous calls that outlive their request's deadline; one daemon thread for every router. */
  private static final java.util.concurrent.ScheduledThreadPoolExecutor TIMER = timer();

  private static java.util.concurrent.ScheduledThreadPoolExecutor timer() {
    java.util.concurrent.ScheduledThreadPoolExecutor t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "routellm-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  private final String name;
  private final ModelPool pool;
  private final RoutingPolicy policy;
  private final String reference;
  private final CostModel costModel;
  private final List<RouterListener> listeners;
  private final PromptSelector promptSelector;
  private final FallbackPolicy fallback;
  private final Executor executor;
  private final CostTracker tracker;
  private final Clock clock;
  private final Duration deadline;
  private final Breakers breakers;
  private final SpendGuard spend;
  private final ToolConversations tools = new ToolConversations();

  private PoolRouter(Router.Builder b, ModelPool pool, RoutingPolicy policy, CostModel costModel, String reference) {
    this.pool = pool;
    this.policy = policy;
    this.costModel = costModel;
    this.reference = reference;
    this.name = b.name != null ? b.name : policy.name();
    this.listeners = List.copyOf(b.listeners);
    this.promptSelector = b.promptSelector;
    this.fallback = b.fallback;
    this.executor = b.executor;
    this.tracker = b.costTracker != null ? b.costTracker : new CostTracker();
    this.clock = b.clock;
    this.deadline = b.deadline;
    this.breakers = Breakers.of(pool, b.circuitBreaker, b.clock);
    this.spend = b.spendGuard;
  }

  /** Checks the builder and builds the router. */
  static Router create(Router.Builder b) {
    boolean twoModels = b.strong != null || b.weak != null;
    boolean pooled = b.pool != null || !b.models.isEmpty();
    require(!(twoModels && pooled),
        "give either a pool (pool(...) or model(...)) or two models (strong(...) and weak(...)), not both");
    require(twoModels || pooled,
        "no models: call pool(...) or model(...) for a pool, or strong(backend) and weak(backend) for two models");
    ModelPool pool;
    RoutingPolicy policy;
    if (twoModels) {
      require(b.strong != null, "strong backend is required: call strong(backend)");
      require(b.weak != null, "weak backend is required: call weak(backend)");
      require(!b.strong.model().equals(b.weak.model()),
          "the strong and weak backends must have different model names but both are '" + b.strong.model() + "'");
      pool = ModelPool.builder().model(PoolModel.builder(b.strong).build()).model(PoolModel.builder(b.weak).build())
          .reference(b.strong.model()).build();
      policy = twoModelPolicy(b);
    } else {
      pool = b.pool != null ? b.pool : poolOf(b.models);
      require(b.predictor == null && b.confidenceModel == null,
          "predictor(...) and cascade(...) make two-model routers; for a pool, give policy(RoutingPolicy...)");
      require(b.policy != null, "policy is required for a pool: call policy(RoutingPolicy.qualityCost(...)),"
          + " cheapestReaching(...) or cascade(...)");
      policy = b.policy;
    }
    CostModel prices = prices(pool, b.costModel);
    policy.validate(pool);
    String reference = pool.reference().orElseGet(() -> mostExpensive(pool, prices));
    return new PoolRouter(b, pool, policy, prices, reference);
  }

  private static ModelPool poolOf(List<PoolModel> models) {
    ModelPool.Builder pb = ModelPool.builder();
    models.forEach(pb::model);
    return pb.build();
  }

  private static RoutingPolicy twoModelPolicy(Router.Builder b) {
    if (b.policy != null) {
      return b.policy;
    }
    require(b.predictor != null || b.confidenceModel != null,
        "predictor is required: call predictor(...), or cascade(confidenceModel) for a cascade, or policy(...)");
    require(b.threshold != null, "threshold is required: call threshold(t) with t in [0, 1]");
    String strong = b.strong.model();
    String weak = b.weak.model();
    if (b.predictor != null) {
      return new ThresholdPolicy(b.predictor, b.threshold, strong, weak);
    }
    require(b.threshold instanceof FixedThreshold,
        "a cascade takes a fixed confidence threshold, not an adaptive one: call threshold(double)");
    Cascade chain = Cascade.builder()
        .step(new ConfidenceCheck(b.confidenceModel, b.threshold.current(), b.missingLogprobs), weak)
        .then(strong)
        .build();
    return new CascadePolicy(chain);
  }

  /** Every model's price: its own, else the builder's cost model; a model with neither is an error. */
  private static CostModel prices(ModelPool pool, CostModel fallbackPrices) {
    Map<String, ModelPrice> own = new LinkedHashMap<>();
    for (PoolModel m : pool.models()) {
      if (m.price().isPresent()) {
        own.put(m.name(), m.price().get());
      } else {
        require(fallbackPrices != null,
            "costModel is required: call costModel(CostModel.builder()...build()), or give every pool model its price"
                + " (model '" + m.name() + "' has none)");
        require(fallbackPrices.hasPrice(m.name()), "costModel has no price for " + role(pool, m.name()) + " '"
            + m.name() + "'");
      }
    }
    if (own.isEmpty()) {
      return fallbackPrices;
    }
    return new PoolPrices(own, fallbackPrices);
  }

  private static String role(ModelPool pool, String model) {
    if (pool.size() == 2 && pool.reference().isPresent()) {
      return pool.reference().get().equals(model) ? "the strong model" : "the weak model";
    }
    return "model";
  }

  private static String mostExpensive(ModelPool pool, CostModel prices) {
    String best = pool.names().get(0);
    double bestCost = -1.0;
    for (PoolModel m : pool.models()) {
      double c = prices.cost(m.name(), new Usage(1_000, m.expectedOutputTokens(), true));
      if (c > bestCost) {
        best = m.name();
        bestCost = c;
      }
    }
    return best;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new ConfigurationException(message);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ModelPool pool() {
    return pool;
  }

  @Override
  public RoutingPolicy policy() {
    return policy;
  }

  @Override
  public String referenceModel() {
    return reference;
  }

  @Override
  public CostSnapshot costs() {
    return tracker.snapshot();
  }

  @Override
  public Map<String, ModelHealth> health() {
    Map<String, ModelHealth> out = new LinkedHashMap<>();
    for (String m : pool.names()) {
      out.put(m, breakers.health(m));
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public RoutingDecision route(ChatRequest request, RouteOptions options) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(options, "options");
    Run run = new Run(request, options, null, null);
    run.live = false;
    run.plan();
    RoutingDecision d = run.plan.checked() ? run.provisionalDecision() : run.plannedDecision();
    tell(l -> l.onDecision(request, d));
    return d;
  }

  @Override
  public RoutedResponse chat(ChatRequest request, RouteOptions options) {
    return stream(request, options, null);
  }

  @Override
  public RoutedResponse stream(ChatRequest request, RouteOptions options, RoutedStreamListener listener) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(options, "options");
    Run run = new Run(request, options, listener, null);
    try {
      tell(l -> l.onRequest(request, options));
      return run.runSync();
    } catch (RuntimeException e) {
      throw run.ended(e);
    } catch (Error e) {
      throw run.ended(e);
    }
  }

  @Override
  public CompletableFuture<RoutedResponse> chatAsync(ChatRequest request, RouteOptions options) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(options, "options");
    Pending pending = new Pending();
    Run run = new Run(request, options, null, pending);
    pending.run = run;
    try {
      tell(l -> l.onRequest(request, options));
    } catch (VirtualMachineError e) {
      run.abandoned();
      throw e;
    }
    // A plain cascade has nothing to compute before its first calls; other policies predict, which may take a while.
    boolean inline = policy instanceof CascadePolicy c && c.chain().starter().isEmpty();
    CompletableFuture<Void> planned;
    if (inline) {
      try {
        run.planAndDecide();
        planned = CompletableFuture.completedFuture(null);
      } catch (RuntimeException e) {
        planned = CompletableFuture.failedFuture(e);
      }
    } else {
      try {
        planned = CompletableFuture.runAsync(run::planAndDecide, executor);
      } catch (RuntimeException e) {
        planned = CompletableFuture.failedFuture(e); // the executor rejected the task
      }
    }
    planned
        .thenCompose(x -> run.runAsync(0))
        .whenComplete(pending::complete);
    return pending.result;
  }

  @Override
  public String toString() {
    return "Router{name=" + name + ", pool=" + pool.names() + ", policy=" + policy + ", reference=" + reference + "}";
  }

  /**
   * Calls every listener. Whatever a listener throws is logged and ignored, {@link Error}s such as a failed {@code
   * assert} included, so that a listener cannot break a request; only a {@link VirtualMachineError} propagates.
   */
  private void tell(java.util.function.Consumer<RouterListener> event) {
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

  /** {@code usage} on {@code model} at the router's prices, checked so that no bad cost reaches the totals. */
  private double price(String model, Usage usage) {
    double cost = costModel.cost(model, usage);
    if (!(cost >= 0.0 && cost < Double.POSITIVE_INFINITY)) {
      throw new ConfigurationException(
          "cost model " + costModel.getClass().getName() + " priced " + usage + " on model '" + model + "' at "
              + cost + "; a cost must be finite and >= 0");
    }
    return cost;
  }

  private boolean mayFallBack(BackendException e) {
    return switch (fallback) {
      case NEVER -> false;
      case ON_RETRIABLE -> e.isRetriable();
      case ALWAYS -> true;
    };
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Capabilities {@code request} needs from whichever model answers it. */
  private static Set<Capability> needs(ChatRequest request, RouteOptions options) {
    Set<Capability> needs = EnumSet.noneOf(Capability.class);
    needs.addAll(options.required());
    Object tools = request.extra().get("tools");
    if (tools instanceof List<?> list && !list.isEmpty()) {
      needs.add(Capability.TOOLS);
    }
    Object format = request.extra().get("response_format");
    if (format instanceof Map<?, ?> map && !"text".equals(map.get("type"))) {
      needs.add(Capability.JSON_MODE);
    }
    return needs;
  }

  /** A model's answer. */
  record Answer(String model, ChatResponse response) {}

  /** One request's run through its plan. Not thread-safe except where noted; a run's stages run one at a time. */
  final class Run {
    final ChatRequest request;
    final RouteOptions options;
    final RoutedStreamListener listener;
    final Pending pending;
    final StreamGuard guard;
    final long startNanos = System.nanoTime();
    final long deadlineMillis;
    final Duration requestDeadline;
    final List<ModelCall> calls = Collections.synchronizedList(new ArrayList<>(2));
    private final Object spentLock = new Object();
    private double spent;

    RoutePlan plan;
    List<RoutePlan.Step> steps;
    List<Candidate> candidates;
    Map<String, String> excluded;
    String planReason;
    Duration decisionTime = Duration.ZERO;
    /** False for {@link Router#route}: nothing is counted. */
    boolean live = true;

    RoutingDecision decision;
    Answer inHand;
    CheckResult lastCheck;
    final List<String> narrative = new ArrayList<>();
    final List<Throwable> failures = new ArrayList<>();
    BackendException lastFailure;
    String lastFailedModel;
    /** The last spend-limit refusal, thrown when no other model of the plan could be called. */
    dev.routellm.BudgetExceededException budgetRefusal;

    Run(ChatRequest request, RouteOptions options, RoutedStreamListener listener, Pending pending) {
      this.request = request;
      this.options = options;
      this.listener = listener;
      this.pending = pending;
      this.guard = listener == null ? null : new StreamGuard(listener);
      if (guard != null) {
        guard.clock(clock);
      }
      this.requestDeadline = options.deadline().orElse(deadline);
      this.deadlineMillis = clock.millis() + requestDeadline.toMillis();
    }

    // ---------------------------------------------------------------- planning

    /** Plans the request: candidates, exclusions, the policy's plan with excluded models dropped. */
    void plan() {
      for (String m : options.allowedModels()) {
        if (!pool.contains(m)) {
          throw new IllegalArgumentException("allowed model '" + m + "' is not in the router's pool " + pool.names());
        }
      }
      String prompt = promptSelector.select(request);
      Set<Capability> needs = needs(request, options);
      long promptTokens = Estimates.promptTokens(request);
      Map<String, Double> expected = new LinkedHashMap<>();
      Map<String, String> exclusions = new LinkedHashMap<>();
      for (PoolModel m : pool.models()) {
        double cost = price(m.name(), new Usage(promptTokens, Estimates.outputTokens(request, m), true));
        expected.put(m.name(), cost);
        String why = exclusion(m, needs, promptTokens, cost);
        if (why != null) {
          exclusions.put(m.name(), why);
        }
      }
      this.excluded = exclusions;
      RoutingContext context = new RoutingContext(request, prompt, pool, reference, expected, exclusions);
      RoutePlan planned;
      try {
        planned = policy.plan(context);
      } catch (RouteLlmException | IllegalArgumentException e) {
        throw e; // the library's own failures, and a prompt the predictor refuses (empty, too long): the caller's
      } catch (RuntimeException e) {
        throw new PredictionException("router '" + name + "' could not decide: its policy " + policy + " failed ("
            + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
      }
      if (planned == null) {
        throw new ConfigurationException("policy " + policy + " returned no plan");
      }
      for (RoutePlan.Step s : planned.steps()) {
        for (String m : s.models()) {
          if (!pool.contains(m)) {
            throw new ConfigurationException("policy " + policy + " planned model '" + m + "', which is not in the"
                + " pool " + pool.names());
          }
        }
      }
      String reason = planned.reason();
      List<RoutePlan.Step> planSteps = planned.steps();
      String sticky = tools.continuing(request);
      RoutePlan effective = planned;
      if (sticky != null && pool.contains(sticky)) {
        if (!exclusions.containsKey(sticky)) {
          List<RoutePlan.Step> stickySteps = new ArrayList<>();
          stickySteps.add(RoutePlan.Step.answer(sticky));
          for (RoutePlan.Step s : planSteps) {
            List<String> rest = s.models().stream().filter(m -> !m.equals(sticky)).toList();
            if (!rest.isEmpty() && (s.check().isEmpty() || rest.size() >= s.check().get().answersNeeded())) {
              stickySteps.add(s.withModels(rest));
            }
          }
          planSteps = stickySteps;
          effective = new RoutePlan(stickySteps, planned.predictedQuality(), planned.score(), planned.threshold(),
              RoutingDecision.TOOL_CONVERSATION, "continues the tool calls that '" + sticky + "' asked for (the"
                  + " policy alone: " + planned.reason() + ")");
          reason = effective.reason();
        } else {
          reason += " (the tool conversation started on '" + sticky + "', which cannot serve it now: "
              + exclusions.get(sticky) + ")";
        }
      }
      List<RoutePlan.Step> kept = new ArrayList<>();
      for (RoutePlan.Step s : planSteps) {
        List<String> ok = s.models().stream().filter(m -> !exclusions.containsKey(m)).toList();
        if (ok.isEmpty() || (s.check().isPresent() && ok.size() < s.check().get().answersNeeded())) {
          continue;
        }
        kept.add(ok.size() == s.models().size() ? s : s.withModels(ok));
      }
      String first = planSteps.get(0).models().get(0);
      if (exclusions.containsKey(first)) {
        reason += "; '" + first + "' skipped: " + exclusions.get(first);
      }
      List<Candidate> cands = new ArrayList<>();
      for (String m : pool.names()) {
        cands.add(new Candidate(m, planned.predictedQuality().getOrDefault(m, Double.NaN), expected.get(m),
            Optional.ofNullable(exclusions.get(m))));
      }
      this.candidates = cands;
      if (kept.isEmpty()) {
        Map<String, String> reasons = new LinkedHashMap<>();
        Set<String> planModels = new java.util.HashSet<>();
        planSteps.forEach(s -> planModels.addAll(s.models()));
        for (String m : pool.names()) {
          if (exclusions.containsKey(m)) {
            reasons.put(m, exclusions.get(m));
          } else if (!planModels.contains(m)) {
            reasons.put(m, "not used by the policy " + policy.name());
          } else {
            reasons.put(m, "the step it belongs to has too few other eligible models for its check");
          }
        }
        throw new NoEligibleModelException(reasons);
      }
      this.plan = effective;
      this.steps = kept;
      this.planReason = reason;
      this.decisionTime = Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Why {@code m} cannot serve the request, or null when it can. */
    private String exclusion(PoolModel m, Set<Capability> needs, long promptTokens, double cost) {
      if (!options.allowedModels().isEmpty() && !options.allowedModels().contains(m.name())) {
        return "not among the request's allowed models " + options.allowedModels();
      }
      for (Capability c : needs) {
        if (!m.capabilities().has(c)) {
          return "has no " + c.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
              + (options.required().contains(c) ? " (required by the request's options)"
                  : " (the request needs it)");
        }
      }
      long context = m.capabilities().contextTokens();
      long answer = request.maxTokens().isPresent() ? request.maxTokens().getAsInt() : 0;
      if (context != dev.routellm.chat.Capabilities.UNKNOWN_CONTEXT && promptTokens + answer > context) {
        return "the prompt (about " + promptTokens + " tokens" + (answer > 0 ? " plus max_tokens " + answer : "")
            + ") exceeds its context of " + context + " tokens";
      }
      if (options.maxCost().isPresent() && cost > options.maxCost().getAsDouble()) {
        return "expected cost " + Dollars.format(cost) + " exceeds the request's max cost "
            + Dollars.format(options.maxCost().getAsDouble());
      }
      String circuit = breakers.exclusion(m.name());
      if (circuit != null && live) {
        tracker.recordSkipped(m.name());
        breakers.skipped(m.name());
      }
      return circuit;
    }

    /** Plans and, for a plan without checks, decides and tells the listeners: the first stage of every run. */
    void planAndDecide() {
      plan();
      if (!plan.checked()) {
        emit(plannedDecision());
      }
    }

    RoutingDecision plannedDecision() {
      return new RoutingDecision(steps.get(0).models().get(0), name, plan.rule(), plan.score(), plan.threshold(),
          candidates, decisionTime, planReason);
    }

    RoutingDecision provisionalDecision() {
      RoutePlan.Step first = steps.get(0);
      String what = first.check().isPresent()
          ? "cascade: " + String.join(" and ", first.models()) + " answer first; the rest is decided after "
              + first.check().get().name() + " checks the answer" + (first.models().size() > 1 ? "s" : "")
          : planReason;
      String reason = planReason.equals("cascade " + policyChain()) ? what : planReason + "; " + what;
      return new RoutingDecision(first.models().get(0), name, plan.rule(), Double.NaN, Double.NaN, candidates,
          decisionTime, reason);
    }

    private String policyChain() {
      return policy instanceof CascadePolicy c ? c.chain().toString() : "";
    }

    private void emit(RoutingDecision d) {
      decision = d;
      tell(l -> l.onDecision(request, d));
      if (listener != null) {
        listener.onDecision(d);
      }
    }

    /** The cascade's decision once it reaches an unchecked step whose model will answer. */
    private void decideFor(String model) {
      if (decision != null) {
        return;
      }
      String reason;
      String chosen = model;
      double score = Double.NaN;
      double threshold = Double.NaN;
      if (lastCheck != null) {
        reason = String.join("; ", narrative) + ": escalated to '" + model + "'";
        score = lastCheck.score();
        threshold = lastCheck.threshold();
      } else if (lastFailedModel != null) {
        chosen = lastFailedModel;
        reason = "'" + lastFailedModel + "' failed before its answer could be checked; falling back to '" + model
            + "': " + lastFailure.getMessage();
      } else {
        reason = planReason;
      }
      emit(new RoutingDecision(chosen, name, plan.rule(), score, threshold, candidates, elapsedDecision(), reason));
    }

    private Duration elapsedDecision() {
      return decisionTime;
    }

    // ---------------------------------------------------------------- running, blocking

    RoutedResponse runSync() {
      planAndDecide();
      for (int i = 0; i < steps.size(); i++) {
        RoutePlan.Step step = steps.get(i);
        if (step.check().isEmpty()) {
          String model = step.models().get(0);
          ChatRequest sent = affordable(model, request);
          if (sent == null) {
            continue;
          }
          decideFor(model);
          try {
            return finish(callSync(model, sent, ModelCall.Role.ANSWER, guard));
          } catch (BackendException e) {
            failedStep(e, model, i);
          } catch (dev.routellm.BudgetExceededException e) {
            budgetRefused(e, model, i);
          }
        } else {
          Answer accepted = checkedStepSync(step, i);
          if (accepted != null) {
            deliver(accepted);
            return finish(accepted);
          }
        }
      }
      Answer last = exhausted();
      deliver(last);
      return finish(last);
    }

    /** Runs a checked step; returns the accepted answer, or null to move on. */
    private Answer checkedStepSync(RoutePlan.Step step, int index) {
      StepCheck check = step.check().orElseThrow();
      ChatRequest prepared = check.prepare(request);
      List<String> models = new ArrayList<>();
      List<ChatRequest> sent = new ArrayList<>();
      for (String m : step.models()) {
        ChatRequest r = affordable(m, prepared);
        if (r != null) {
          models.add(m);
          sent.add(r);
        }
      }
      if (models.size() < check.answersNeeded()) {
        return null;
      }
      List<Object> results = new ArrayList<>();
      if (models.size() == 1) {
        try {
          results.add(callSync(models.get(0), sent.get(0), ModelCall.Role.ANSWER, null));
        } catch (BackendException | dev.routellm.BudgetExceededException e) {
          results.add(e);
        }
      } else {
        List<CompletableFuture<Answer>> futures = new ArrayList<>();
        for (int k = 0; k < models.size(); k++) {
          futures.add(callAsync(models.get(k), sent.get(k), ModelCall.Role.ANSWER));
        }
        for (CompletableFuture<Answer> f : futures) {
          results.add(join(f));
        }
      }
      return judge(step, index, models, results);
    }

    /** The outcome of a future: its answer, or its failure (a backend failure; anything else is thrown). */
    private Object join(CompletableFuture<Answer> f) {
      try {
        return f.join();
      } catch (CompletionException | CancellationException e) {
        Throwable cause = unwrap(e);
        if (cause instanceof BackendException || cause instanceof dev.routellm.BudgetExceededException) {
          return cause;
        }
        if (cause instanceof RuntimeException r) {
          throw r;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(cause);
      }
    }

    /**
     * Judges a checked step's results (answers or backend failures): returns the accepted answer, or null to move on;
     * throws when a failure may not fall back.
     */
    private Answer judge(RoutePlan.Step step, int index, List<String> models, List<Object> results) {
      StepCheck check = step.check().orElseThrow();
      List<String> answered = new ArrayList<>();
      List<ChatResponse> answers = new ArrayList<>();
      for (int k = 0; k < results.size(); k++) {
        Object r = results.get(k);
        if (r instanceof Answer a) {
          answered.add(a.model());
          answers.add(a.response());
        } else if (r instanceof dev.routellm.BudgetExceededException refused) {
          if (fallback == FallbackPolicy.NEVER) {
            throw refused;
          }
          budgetRefusal = refused;
          narrative.add("'" + models.get(k) + "' skipped: " + refused.getMessage());
        } else {
          BackendException e = (BackendException) r;
          failures.add(e);
          lastFailure = e;
          lastFailedModel = models.get(k);
          if (!mayFallBack(e)) {
            throw withSuppressed(e);
          }
        }
      }
      if (answers.size() < check.answersNeeded()) {
        if (lastFailedModel != null) {
          String next = nextModel(index);
          narrative.add("'" + lastFailedModel + "' failed: " + lastFailure.getMessage());
          if (next != null) {
            fallingBack(lastFailedModel, next);
          }
        }
        return null;
      }
      CheckInput input = new Input(answered, answers);
      CheckResult result = check.check(input);
      if (result == null || result.answer() >= answers.size()) {
        throw new ConfigurationException("check '" + check.name() + "' returned " + result + " for "
            + answers.size() + " answer(s)");
      }
      lastCheck = result;
      Answer chosen = new Answer(answered.get(result.answer()), answers.get(result.answer()));
      if (result.accepted()) {
        narrative.add(result.reason());
        if (decision == null) {
          emit(new RoutingDecision(chosen.model(), name, plan.rule(), result.score(), result.threshold(), candidates,
              decisionTime, String.join("; ", narrative) + ": answer of '" + chosen.model() + "' kept"));
        }
        return chosen;
      }
      narrative.add(result.reason());
      inHand = chosen;
      lastFailure = null;
      lastFailedModel = null;
      return null;
    }

    /** A call of an unchecked step failed: moves on when the policy allows and no text was delivered. */
    private void failedStep(BackendException e, String model, int index) {
      failures.add(e);
      lastFailure = e;
      lastFailedModel = model;
      if (!mayFallBack(e) || (guard != null && guard.delivered)) {
        throw withSuppressed(e);
      }
      String next = nextModel(index);
      if (next != null) {
        fallingBack(model, next);
      }
    }

    /** The model the run would turn to after step {@code index}: the next step's, else the answer in hand's. */
    private String nextModel(int index) {
      if (index + 1 < steps.size()) {
        return steps.get(index + 1).models().get(0);
      }
      return inHand != null ? inHand.model() : null;
    }

    private void fallingBack(String failedModel, String next) {
      ModelCall failed = lastCallOf(failedModel);
      if (failed != null) {
        tell(l -> l.onFallback(request, failed, next));
      }
    }

    private ModelCall lastCallOf(String model) {
      synchronized (calls) {
        for (int i = calls.size() - 1; i >= 0; i--) {
          if (calls.get(i).model().equals(model)) {
            return calls.get(i);
          }
        }
      }
      return null;
    }

    /** Every step is spent: the answer in hand, or the last failure. */
    private Answer exhausted() {
      if (inHand != null && (lastFailure == null || mayFallBack(lastFailure))) {
        if (decision == null) {
          emit(new RoutingDecision(inHand.model(), name, plan.rule(), lastCheck == null ? Double.NaN
              : lastCheck.score(), lastCheck == null ? Double.NaN : lastCheck.threshold(), candidates, decisionTime,
              String.join("; ", narrative) + ": no further step; the answer of '" + inHand.model()
                  + "' is returned"));
        }
        return inHand;
      }
      if (lastFailure != null) {
        throw withSuppressed(lastFailure);
      }
      if (budgetRefusal != null) {
        throw budgetRefusal;
      }
      Map<String, String> reasons = new LinkedHashMap<>();
      for (RoutePlan.Step s : steps) {
        for (String m : s.models()) {
          reasons.put(m, "its expected cost exceeds what is left of the request's max cost "
              + Dollars.format(options.maxCost().orElse(0.0)) + " (" + Dollars.format(spent()) + " spent)");
        }
      }
      throw new NoEligibleModelException(reasons);
    }

    private BackendException withSuppressed(BackendException last) {
      for (Throwable f : failures) {
        if (f != last && !List.of(last.getSuppressed()).contains(f)) {
          last.addSuppressed(f);
        }
      }
      return last;
    }

    private void deliver(Answer answer) {
      if (listener != null && (guard == null || !guard.delivered) && !answer.response().text().isEmpty()) {
        listener.onText(answer.response().text());
      }
    }

    // ---------------------------------------------------------------- running, asynchronous

    CompletableFuture<RoutedResponse> runAsync(int index) {
      if (index >= steps.size()) {
        try {
          return CompletableFuture.completedFuture(finish(exhausted()));
        } catch (RuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
      }
      RoutePlan.Step step = steps.get(index);
      if (step.check().isEmpty()) {
        String model = step.models().get(0);
        ChatRequest sent;
        try {
          sent = affordable(model, request);
          if (sent == null) {
            return runAsync(index + 1);
          }
          decideFor(model);
        } catch (RuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
        return callAsync(model, sent, ModelCall.Role.ANSWER)
            .handle(
                (answer, t) -> {
                  if (t == null) {
                    return CompletableFuture.completedFuture(finish(answer));
                  }
                  Throwable cause = unwrap(t);
                  if (cause instanceof BackendException e) {
                    failedStep(e, model, index);
                    return runAsync(index + 1);
                  }
                  if (cause instanceof dev.routellm.BudgetExceededException e) {
                    budgetRefused(e, model, index);
                    return runAsync(index + 1);
                  }
                  return CompletableFuture.<RoutedResponse>failedFuture(cause);
                })
            .thenCompose(f -> f);
      }
      StepCheck check = step.check().get();
      List<String> models = new ArrayList<>();
      List<CompletableFuture<Answer>> futures = new ArrayList<>();
      try {
        ChatRequest prepared = check.prepare(request);
        for (String m : step.models()) {
          ChatRequest r = affordable(m, prepared);
          if (r != null) {
            models.add(m);
            futures.add(callAsync(m, r, ModelCall.Role.ANSWER));
          }
        }
      } catch (RuntimeException e) {
        futures.forEach(f -> f.cancel(true));
        return CompletableFuture.failedFuture(e);
      }
      if (models.size() < check.answersNeeded()) {
        return runAsync(index + 1);
      }
      return CompletableFuture.allOf(futures.stream().map(f -> f.exceptionally(t -> null))
              .toArray(CompletableFuture[]::new))
          .thenApplyAsync(
              x -> {
                List<Object> results = new ArrayList<>();
                for (CompletableFuture<Answer> f : futures) {
                  results.add(join(f));
                }
                return judge(step, index, models, results);
              },
              executor)
          .thenCompose(accepted -> accepted != null ? CompletableFuture.completedFuture(finish(accepted))
              : runAsync(index + 1));
    }

    // ---------------------------------------------------------------- calls

    /**
     * {@code sent} as it may go to {@code model} within the request's cost limit: with {@code max_tokens} capped so
     * that the call cannot cost more than what is left; null when even a short answer would not fit.
     */
    private ChatRequest affordable(String model, ChatRequest sent) {
      if (options.maxCost().isEmpty()) {
        return sent;
      }
      double left = options.maxCost().getAsDouble() - spent();
      long promptTokens = Estimates.promptTokens(sent);
      double promptCost = price(model, new Usage(promptTokens, 0, true));
      double perOutput = price(model, new Usage(0, 1_000_000, true)) / 1_000_000.0;
      double expected = promptCost + perOutput * Estimates.outputTokens(sent, pool.model(model));
      if (expected > left) {
        narrative.add("'" + model + "' skipped: expected cost " + Dollars.format(expected) + " exceeds what is left of"
            + " the max cost (" + Dollars.format(Math.max(0.0, left)) + ")");
        return null;
      }
      if (perOutput <= 0.0) {
        return sent;
      }
      long cap = (long) Math.floor((left - promptCost) / perOutput);
      if (cap < 1) {
        return null;
      }
      if (sent.maxTokens().isPresent() && sent.maxTokens().getAsInt() <= cap) {
        return sent;
      }
      return sent.toBuilder().maxTokens((int) Math.min(Integer.MAX_VALUE, cap)).build();
    }

    private double spent() {
      synchronized (spentLock) {
        return spent;
      }
    }

    /** Time left before the deadline, or a {@link DeadlineExceededException} naming what was about to run. */
    private Duration remaining(String what) {
      long left = deadlineMillis - clock.millis();
      if (left <= 0) {
        throw new DeadlineExceededException(requestDeadline, "before " + what, null);
      }
      return Duration.ofMillis(left);
    }

    /** Checks circuit breaker and spend limit, and returns the reservation; throws when the call may not start. */
    private Object admit(String model, ChatRequest sent, ModelCall.Role role) {
      if (!breakers.tryAcquire(model)) {
        tracker.recordSkipped(model);
        RetriableBackendException e = new RetriableBackendException(model, 0, "model '" + model
            + "' was not called: its circuit breaker is open", null, BackendException.Kind.CIRCUIT_OPEN);
        record(new ModelCall(model, role, new Usage(0, 0, false), 0.0, Duration.ZERO, Optional.of(
            new ModelCall.Failure(ModelCall.Failure.CIRCUIT_OPEN, e.getMessage(), true))));
        throw e;
      }
      try {
        return spend.reserve(options.tenant().orElse(null), model, expectedCost(model, sent));
      } catch (dev.routellm.BudgetExceededException e) {
        breakers.release(model);
        record(new ModelCall(model, role, new Usage(0, 0, false), 0.0, Duration.ZERO, Optional.of(
            new ModelCall.Failure(ModelCall.Failure.BUDGET_EXCEEDED, e.getMessage(), false))));
        throw e;
      } catch (RuntimeException | Error e) {
        breakers.release(model);
        throw e;
      }
    }

    /**
     * A spend limit refused {@code model}'s call: the run moves on to a cheaper choice of the plan that may fit
     * (unless the fallback policy is {@link FallbackPolicy#NEVER}), and throws the refusal when none does.
     */
    private void budgetRefused(dev.routellm.BudgetExceededException e, String model, int index) {
      if (fallback == FallbackPolicy.NEVER) {
        throw e;
      }
      budgetRefusal = e;
      narrative.add("'" + model + "' skipped: " + e.getMessage());
      String next = nextModel(index);
      if (next != null) {
        fallingBack(model, next);
      }
    }

    private double expectedCost(String model, ChatRequest sent) {
      return price(model, new Usage(Estimates.promptTokens(sent), Estimates.outputTokens(sent, pool.model(model)),
          true));
    }

    /** Calls {@code model} on this thread, streaming to {@code guard} when given. */
    Answer callSync(String model, ChatRequest sent, ModelCall.Role role, StreamGuard guard) {
      Duration left = remaining("calling '" + model + "'");
      Object reservation = admit(model, sent, role);
      long start = clock.millis();
      long startNanos = System.nanoTime();
      ChatResponse response;
      try {
        if (guard != null) {
          guard.deadline(deadlineMillis, requestDeadline, model);
          response = pool.model(model).backend().stream(sent, guard, left);
        } else {
          response = pool.model(model).backend().chat(sent, left);
        }
      } catch (BackendException | DeadlineExceededException e) {
        throw failed(model, role, start, startNanos, reservation, e);
      } catch (RuntimeException | Error e) {
        breakers.release(model);
        spend.release(reservation);
        throw e;
      }
      return succeeded(model, role, start, startNanos, reservation, response);
    }

    /** Calls {@code model} without blocking; cancelled with the caller's future. */
    CompletableFuture<Answer> callAsync(String model, ChatRequest sent, ModelCall.Role role) {
      Duration left;
      Object reservation;
      try {
        left = remaining("calling '" + model + "'");
        reservation = admit(model, sent, role);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      long start = clock.millis();
      long startNanos = System.nanoTime();
      CompletableFuture<ChatResponse> call;
      try {
        call = pending != null ? pending.start(pool.model(model).backend(), sent)
            : pool.model(model).backend().chatAsync(sent);
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      CompletableFuture<ChatResponse> inFlight = call;
      java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.ScheduledFuture<?> timer = TIMER.schedule(() -> {
        if (!inFlight.isDone()) {
          timedOut.set(true);
          inFlight.cancel(true);
        }
      }, left.toMillis(), TimeUnit.MILLISECONDS);
      call.whenComplete((r, t) -> timer.cancel(false));
      return call.handle(
          (response, t) -> {
            if (t == null) {
              return succeeded(model, role, start, startNanos, reservation, response);
            }
            Throwable cause = unwrap(t);
            if (timedOut.get()) {
              cause = new DeadlineExceededException(requestDeadline, "waiting for '" + model + "'", null);
            }
            if (cause instanceof BackendException || cause instanceof DeadlineExceededException) {
              throw new CompletionException(failed(model, role, start, startNanos, reservation,
                  (RuntimeException) cause));
            }
            breakers.release(model);
            spend.release(reservation);
            throw cause instanceof CompletionException c ? c : new CompletionException(cause);
          });
    }

    private Answer succeeded(
        String model, ModelCall.Role role, long start, long startNanos, Object reservation, ChatResponse response) {
      Duration latency = latency(start, startNanos);
      double cost;
      try {
        cost = price(model, response.usage());
      } catch (RuntimeException e) {
        breakers.release(model);
        spend.release(reservation);
        throw e;
      }
      breakers.succeeded(model, latency);
      spend.settle(reservation, cost);
      synchronized (spentLock) {
        spent += cost;
      }
      record(new ModelCall(model, role, response.usage(), cost, latency, Optional.empty()));
      return new Answer(model, response);
    }

    /** Records a failed call; returns the exception to throw (a deadline overrun when time ran out). */
    private RuntimeException failed(
        String model, ModelCall.Role role, long start, long startNanos, Object reservation, RuntimeException e) {
      Duration latency = latency(start, startNanos);
      breakers.failed(model, latency, e);
      spend.release(reservation);
      tracker.recordCallFailure(model);
      RuntimeException thrown = e;
      if (!(e instanceof DeadlineExceededException) && clock.millis() >= deadlineMillis) {
        thrown = new DeadlineExceededException(requestDeadline, "waiting for '" + model + "'", e);
      }
      boolean retriable = !(thrown instanceof BackendException b) || b.isRetriable();
      record(new ModelCall(model, role, new Usage(0, 0, false), 0.0, latency, Optional.of(
          new ModelCall.Failure(ModelCall.Failure.kindOf(thrown), String.valueOf(thrown.getMessage()), retriable))));
      return thrown;
    }

    private Duration latency(long startMillis, long startNanos) {
      long clockMillis = clock.millis() - startMillis;
      long nanos = System.nanoTime() - startNanos;
      // The injected clock decides in tests (it moves only when told); the system clock's millisecond steps are
      // refined by nanoTime.
      return clockMillis > nanos / 1_000_000 + 1 ? Duration.ofMillis(clockMillis) : Duration.ofNanos(nanos);
    }

    private void record(ModelCall call) {
      calls.add(call);
      tell(l -> l.onModelCall(request, call));
    }

    // ---------------------------------------------------------------- ending

    /**
     * Prices the answer against the reference, records totals and tells the listeners.
     *
     * @throws ConfigurationException when the cost model gives a bad price; nothing is recorded then
     */
    RoutedResponse finish(Answer answer) {
      // What the reference model alone would have cost: the answer's tokens at the reference's prices (exact when it
      // answered, an estimate otherwise). Priced before anything is recorded, so that a bad price cannot leave half a
      // request in the totals.
      double allReference = price(reference, answer.response().usage());
      List<ModelCall> made;
      synchronized (calls) {
        made = List.copyOf(calls);
      }
      double cost = 0.0;
      for (ModelCall c : made) {
        cost += c.cost();
        if (c.succeeded()) {
          tracker.recordCall(c.model(), c.usage(), c.cost());
        }
      }
      tracker.recordRequest(answer.model().equals(reference), cost, allReference);
      tracker.recordAnswer(answer.model());
      tools.answered(answer.model(), answer.response().toolCalls());
      RoutedResponse routed = new RoutedResponse(answer.response(), decision, made, cost, answer.model());
      tell(l -> l.onResponse(request, routed));
      return routed;
    }

    /**
     * The request ended without an answer (failed, cancelled, or a caller's stream listener threw): calls that
     * succeeded and cost money go into the per-model totals and the money spent, and the request counts as failed.
     */
    void abandoned() {
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

    /** Ends a blocking request that threw {@code e}; returns {@code e} to be rethrown. */
    <T extends Throwable> T ended(T e) {
      abandoned();
      if (e instanceof RouteLlmException failure) {
        tell(l -> l.onFailure(request, failure));
      }
      return e;
    }

    /** A check's view of a step's answers; asks verifiers through this run. */
    private final class Input implements CheckInput {
      private final List<String> models;
      private final List<ChatResponse> answers;

      Input(List<String> models, List<ChatResponse> answers) {
        this.models = List.copyOf(models);
        this.answers = List.copyOf(answers);
      }

      @Override
      public ChatRequest request() {
        return request;
      }

      @Override
      public List<String> models() {
        return models;
      }

      @Override
      public List<ChatResponse> answers() {
        return answers;
      }

      @Override
      public ChatResponse ask(String model, ChatRequest question) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(question, "question");
        pool.model(model);
        ChatRequest sent = affordable(model, question);
        if (sent == null) {
          throw new RetriableBackendException(model, 0, "model '" + model + "' was not asked: its expected cost"
              + " exceeds what is left of the request's max cost", null);
        }
        return callSync(model, sent, ModelCall.Role.VERIFY, null).response();
      }
    }
  }

  /**
   * The future a router's {@code chatAsync} returns, and the backend call in flight for it: cancelling the future
   * cancels that call and keeps any later one from starting. Thread-safe.
   */
  final class Pending {
    final CompletableFuture<RoutedResponse> result = new CompletableFuture<>();
    final List<CompletableFuture<ChatResponse>> inFlight = Collections.synchronizedList(new ArrayList<>());
    Run run;

    Pending() {
      result.whenComplete(
          (r, t) -> {
            if (result.isCancelled()) {
              synchronized (inFlight) {
                inFlight.forEach(c -> c.cancel(true));
              }
            }
          });
    }

    /**
     * Starts {@code backend}'s call unless the caller has cancelled. A cancellation that races with the start is seen
     * by one side or the other: this adds the call before it reads the cancelled state, and {@code cancel} sets the
     * state before its callback reads the calls.
     */
    CompletableFuture<ChatResponse> start(dev.routellm.chat.ModelBackend backend, ChatRequest sent) {
      if (result.isCancelled()) {
        return CompletableFuture.failedFuture(new CancellationException("the caller cancelled the request"));
      }
      CompletableFuture<ChatResponse> call = backend.chatAsync(sent);
      inFlight.add(call);
      if (result.isCancelled()) {
        call.cancel(true);
      }
      return call;
    }

    /** Completes the caller's future with the chain's outcome, after recording and telling the listeners. */
    void complete(RoutedResponse response, Throwable t) {
      if (t == null) {
        result.complete(response);
        return;
      }
      Throwable cause = unwrap(t);
      run.abandoned();
      if (cause instanceof RouteLlmException failure && !result.isCancelled()) {
        tell(l -> l.onFailure(run.request, failure));
      }
      result.completeExceptionally(cause);
    }
  }

  /**
   * Forwards text to the caller's listener, remembers whether any reached it (after which no fallback is possible),
   * and stops a stream that outlives the request's deadline.
   */
  static final class StreamGuard implements StreamListener {
    private final StreamListener delegate;
    volatile boolean delivered;
    private long deadlineMillis = Long.MAX_VALUE;
    private Duration deadline;
    private String model;
    private Clock clock;

    StreamGuard(StreamListener delegate) {
      this.delegate = delegate;
    }

    void deadline(long atMillis, Duration requestDeadline, String streamingModel) {
      this.deadlineMillis = atMillis;
      this.deadline = requestDeadline;
      this.model = streamingModel;
    }

    void clock(Clock value) {
      this.clock = value;
    }

    @Override
    public void onText(String delta) {
      if (clock != null && clock.millis() > deadlineMillis) {
        throw new DeadlineExceededException(deadline, "while '" + model + "' was streaming", null);
      }
      delivered = true;
      delegate.onText(delta);
    }
  }
}
