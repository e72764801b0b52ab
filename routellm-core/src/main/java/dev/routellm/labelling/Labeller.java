package dev.routellm.labelling;

import dev.routellm.ConfigurationException;
import dev.routellm.chat.ChatMessage;
import dev.routellm.chat.ChatRequest;
import dev.routellm.chat.ChatResponse;
import dev.routellm.chat.ModelBackend;
import dev.routellm.chat.Usage;
import dev.routellm.cost.CostModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Labels prompts with an LLM judge: each of the chosen models answers each prompt, the judge grades the answers
 * ({@link JudgeMode}, MT-Bench's prompts and verdict formats), and the verdicts become preference battles and per-model
 * scores ({@link LabelFiles}) for {@code routellm train}, {@code eval} and {@code calibrate}.
 *
 * <pre>{@code
 * Labeller labeller = Labeller.builder()
 *     .model(gpt4o).model(gpt4oMini)                 // any OpenAI-compatible backends
 *     .judge(judge).mode(JudgeMode.PAIRWISE)
 *     .costModel(prices).budget(5.00)                // dollars, over every run on these files
 *     .files(LabelFiles.beside(Path.of("battles.jsonl")))
 *     .build();
 * LabelReport report = labeller.run(PromptFiles.read(Path.of("traffic.jsonl")).prompts());
 * }</pre>
 *
 * <p><b>Money.</b> Before a prompt starts, the most its calls could cost is held against the budget: each answer's input
 * at one token per byte of its messages (tokenizers spend at least a byte per token) and its output at the token cap;
 * the judge calls likewise once the answers are known (and estimated at four bytes per answer token before). A prompt
 * whose hold does not fit is not started and the run stops, saying so: spent plus held never exceeds the budget, as
 * long as servers honour {@code max_tokens}. The budget covers every run on the same files: a rerun counts what the
 * judgements file already cost.
 *
 * <p><b>Resuming.</b> A prompt is written to the judgements file, with one write forced to disk, only when all its calls
 * are done; a rerun skips the ids the file holds and drops an incomplete last line left by a killed run. A prompt whose
 * call failed (after the backends' own retries) is not written, so a rerun tries it again; after
 * {@link Builder#maxConsecutiveFailures} failed prompts in a row the run stops. A judge output without a verdict is
 * kept in the file and counted, never guessed: its battle is left out.
 *
 * <p>Immutable; {@link #run} may be called again (each call is one run). It never closes the backends it was given.
 * Runs on the same files must not overlap.
 */
public final class Labeller {
  public static final int DEFAULT_CONCURRENCY = 4;
  /** Cap on each answer's tokens, by default. */
  public static final int DEFAULT_MAX_ANSWER_TOKENS = 1024;
  /** Cap on each judge output's tokens, by default (FastChat's). */
  public static final int DEFAULT_MAX_JUDGE_TOKENS = 2048;
  /** Failed prompts in a row that stop a run, by default. */
  public static final int DEFAULT_MAX_CONSECUTIVE_FAILURES = 10;
  /** Failure messages a report keeps. */
  public static final int FAILURES_REPORTED = 5;
  /** Bytes per answer token assumed when holding money for judge calls before the answers are known. */
  static final int BYTES_PER_TOKEN_ESTIMATE = 4;
  /** Tokens a chat message may add to its content (role markers), counted generously. */
  static final int TOKENS_PER_MESSAGE = 8;

  private final List<ModelBackend> models;
  private final List<String> names;
  private final ModelBackend judge;
  private final JudgeMode mode;
  private final CostModel costs;
  private final double budget;
  private final int concurrency;
  private final int maxAnswerTokens;
  private final int maxJudgeTokens;
  private final int maxConsecutiveFailures;
  private final LabelListener listener;
  private final LabelFiles files;

  private Labeller(Builder b) {
    this.models = List.copyOf(b.models);
    this.names = models.stream().map(ModelBackend::model).toList();
    this.judge = b.judge;
    this.mode = b.mode;
    this.costs = b.costs;
    this.budget = b.budget;
    this.concurrency = b.concurrency;
    this.maxAnswerTokens = b.maxAnswerTokens;
    this.maxJudgeTokens = b.maxJudgeTokens;
    this.maxConsecutiveFailures = b.maxConsecutiveFailures;
    this.listener = b.listener;
    this.files = b.files;
  }

  /** A builder; models (at least two), a judge, a cost model and the files are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The answering models' names, in order. */
  public List<String> models() {
    return names;
  }

  /**
   * Labels the prompts the judgements file does not hold yet, then rewrites the battles and scores files from it.
   * Blocks until done; if the calling thread is interrupted, stops starting prompts, waits for those in flight and
   * returns (the interrupt flag set again).
   *
   * @throws IllegalArgumentException when two prompts share an id
   * @throws dev.routellm.InvalidFileException when the judgements file holds records of other models, judge or mode,
   *     or is not a judgements file
   * @throws java.io.UncheckedIOException when a file cannot be written
   */
  public LabelReport run(List<LabelPrompt> prompts) {
    Objects.requireNonNull(prompts, "prompts");
    Set<String> ids = new HashSet<>();
    for (LabelPrompt p : prompts) {
      if (!ids.add(Objects.requireNonNull(p, "prompt").id())) {
        throw new IllegalArgumentException("prompt id '" + p.id() + "' appears twice");
      }
    }
    Run run;
    try (Ledger ledger = Ledger.open(files.judgements(), names, judge.model(), mode)) {
      List<LabelPrompt> todo = prompts.stream().filter(p -> !ledger.contains(p.id())).toList();
      run = new Run(ledger, todo.size(), new Budget(budget, ledger.spent()));
      run.execute(todo);
    }
    LabelOutputs.Counts counts = LabelOutputs.write(files, names, mode);
    if (run.fatal.get() != null) {
      throw run.fatal.get();
    }
    return new LabelReport(prompts.size(), prompts.size() - run.total, run.labelled.get(), run.failed.get(),
        run.notStarted.get(), run.judgeCalls.get(), run.unparseable.get(), counts.battles(), counts.scored(),
        run.budget.spent() - run.spentBefore, run.budget.spent(),
        budget == Double.POSITIVE_INFINITY ? OptionalDouble.empty() : OptionalDouble.of(budget),
        Optional.ofNullable(run.stopReason.get()), run.failures, files);
  }

  /** The state of one run. Thread-safe. */
  private final class Run {
    final Ledger ledger;
    final int total;
    final Budget budget;
    final double spentBefore;
    final AtomicInteger done = new AtomicInteger();
    final AtomicInteger labelled = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger notStarted = new AtomicInteger();
    final AtomicInteger judgeCalls = new AtomicInteger();
    final AtomicInteger unparseable = new AtomicInteger();
    final AtomicInteger failedInARow = new AtomicInteger();
    final AtomicReference<String> stopReason = new AtomicReference<>();
    final AtomicReference<RuntimeException> fatal = new AtomicReference<>();
    final List<String> failures = new ArrayList<>();
    private final Object progressLock = new Object();

    Run(Ledger ledger, int total, Budget budget) {
      this.ledger = ledger;
      this.total = total;
      this.budget = budget;
      this.spentBefore = budget.spent();
    }

    void execute(List<LabelPrompt> todo) {
      if (todo.isEmpty()) {
        return;
      }
      if (budget.available() <= 0) {
        stop(String.format(Locale.ROOT, "the budget of $%s is spent ($%s so far on %s)", money(budget.limit()),
            money(budget.spent()), files.judgements()));
      }
      AtomicInteger thread = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, todo.size()), r -> {
        Thread t = new Thread(r, "routellm-label-" + thread.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<?>> futures = new ArrayList<>(todo.size());
        for (LabelPrompt p : todo) {
          futures.add(pool.submit(() -> label(p)));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } catch (InterruptedException e) {
        stop("interrupted");
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        fatal.compareAndSet(null, new IllegalStateException("labelling failed: " + e.getCause(), e.getCause()));
      } finally {
        pool.shutdown();
        awaitQuietly(pool);
      }
    }

    private void awaitQuietly(ExecutorService pool) {
      boolean interrupted = false;
      while (true) {
        try {
          if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true; // prompts in flight finish their calls and are written; then we return
          stop("interrupted");
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    void stop(String reason) {
      stopReason.compareAndSet(null, reason);
    }

    void label(LabelPrompt prompt) {
      try {
        if (stopReason.get() != null) {
          notStarted.incrementAndGet();
          return;
        }
        labelOne(prompt);
      } catch (RuntimeException e) {
        fatal.compareAndSet(null, e);
        stop("an unexpected error: " + e.getMessage());
      } finally {
        try {
          synchronized (progressLock) {
            listener.progress(done.incrementAndGet(), total, budget.spent());
          }
        } catch (RuntimeException ignored) {
          // a listener must not throw; the run goes on
        }
      }
    }

    private void labelOne(LabelPrompt prompt) {
      List<ChatRequest> answerRequests = new ArrayList<>();
      double bound = 0;
      for (ModelBackend m : models) {
        ChatRequest r = ChatRequest.builder().user(prompt.prompt()).maxTokens(maxAnswerTokens).build();
        answerRequests.add(r);
        bound += boundCost(m.model(), r, maxAnswerTokens, 0);
      }
      for (ChatRequest r : judgeRequests(prompt, null)) {
        bound += boundCost(judge.model(), r, maxJudgeTokens,
            (long) answersPerJudgeCall() * maxAnswerTokens * BYTES_PER_TOKEN_ESTIMATE);
      }
      Budget.Hold hold = budget.hold(bound);
      if (hold == null) {
        budgetStop(bound);
        notStarted.incrementAndGet();
        return;
      }
      double spent = 0;
      try {
        Map<String, Answer> answers = new LinkedHashMap<>();
        for (int i = 0; i < models.size(); i++) {
          ModelBackend m = models.get(i);
          ChatResponse response = m.chat(answerRequests.get(i));
          double cost = costs.cost(m.model(), response.usage());
          spent += cost;
          answers.put(m.model(), new Answer(response.text(), response.usage(), cost));
        }
        List<ChatRequest> judging = judgeRequests(prompt, answers);
        double exact = spent;
        for (ChatRequest r : judging) {
          exact += boundCost(judge.model(), r, maxJudgeTokens, 0);
        }
        if (!hold.resize(exact)) {
          budgetStop(exact - spent);
          notStarted.incrementAndGet();
          return;
        }
        List<String> outputs = new ArrayList<>();
        List<Double> judgeCosts = new ArrayList<>();
        for (ChatRequest r : judging) {
          ChatResponse response = judge.chat(r);
          double cost = costs.cost(judge.model(), response.usage());
          spent += cost;
          judgeCalls.incrementAndGet();
          outputs.add(response.text());
          judgeCosts.add(cost);
        }
        ObjectNode record = record(prompt, answers, outputs, judgeCosts, spent);
        hold.settle(spent);
        ledger.append(record);
        labelled.incrementAndGet();
        failedInARow.set(0);
      } catch (dev.routellm.BackendException | ConfigurationException e) {
        failed.incrementAndGet();
        synchronized (failures) {
          if (failures.size() < FAILURES_REPORTED) {
            failures.add(prompt.id() + ": " + e.getMessage());
          }
        }
        if (failedInARow.incrementAndGet() >= maxConsecutiveFailures) {
          stop(maxConsecutiveFailures + " prompts failed in a row; the last: " + e.getMessage());
        }
      } finally {
        hold.settle(spent);
      }
    }

    private void budgetStop(double needed) {
      stop(String.format(Locale.ROOT, "the budget of $%s would be exceeded: $%s spent, the next prompt may cost up to"
          + " $%s", money(budget.limit()), money(budget.spent()), money(needed)));
    }

    /** The judgement record of one prompt, with its battles and scores. */
    private ObjectNode record(LabelPrompt prompt, Map<String, Answer> answers, List<String> outputs,
        List<Double> judgeCosts, double spent) {
      ObjectNode record = Ledger.JSON.createObjectNode();
      record.put("id", prompt.id());
      record.put("prompt", prompt.prompt());
      if (prompt.reference() != null) {
        record.put("reference", prompt.reference());
      }
      record.put("mode", Ledger.modeName(mode));
      record.put("judge", judge.model());
      ArrayNode modelList = record.putArray("models");
      names.forEach(modelList::add);
      ObjectNode answerNode = record.putObject("answers");
      answers.forEach((m, a) -> {
        ObjectNode n = answerNode.putObject(m);
        n.put("text", a.text);
        n.put("input_tokens", a.usage.promptTokens());
        n.put("output_tokens", a.usage.completionTokens());
        n.put("tokens_estimated", a.usage.estimated());
        n.put("cost", a.cost);
      });
      ArrayNode judgements = record.putArray("judgements");
      ObjectNode scores = Ledger.JSON.createObjectNode();
      ArrayNode battles = Ledger.JSON.createArrayNode();
      int k = 0;
      if (mode == JudgeMode.SINGLE) {
        for (String m : names) {
          String output = outputs.get(k);
          OptionalDouble rating = Verdicts.rating(output);
          ObjectNode j = judgements.addObject();
          j.putArray("models").add(m);
          j.put("output", output);
          j.put("parsed", rating.isPresent());
          if (rating.isPresent()) {
            j.put("rating", rating.getAsDouble());
            scores.put(m, rating.getAsDouble());
          } else {
            unparseable.incrementAndGet();
          }
          j.put("cost", judgeCosts.get(k++));
        }
        for (int a = 0; a < names.size(); a++) {
          for (int b = a + 1; b < names.size(); b++) {
            if (scores.has(names.get(a)) && scores.has(names.get(b))) {
              double ra = scores.get(names.get(a)).asDouble();
              double rb = scores.get(names.get(b)).asDouble();
              addBattle(battles, names.get(a), names.get(b), ra > rb ? "model_a" : ra < rb ? "model_b" : "tie", null);
            }
          }
        }
      } else {
        double[] won = new double[names.size()];
        int[] fought = new int[names.size()];
        for (int a = 0; a < names.size(); a++) {
          for (int b = a + 1; b < names.size(); b++) {
            Verdicts.Pairwise first = pairJudgement(judgements, names.get(a), names.get(b), outputs.get(k),
                judgeCosts.get(k++));
            Verdicts.Pairwise second = pairJudgement(judgements, names.get(b), names.get(a), outputs.get(k),
                judgeCosts.get(k++));
            if (first == null || second == null) {
              continue;
            }
            // First order: A is model a. Second order: A is model b. The battle is decided only when both agree.
            String w1 = first == Verdicts.Pairwise.A ? "model_a" : first == Verdicts.Pairwise.B ? "model_b" : "tie";
            String w2 = second == Verdicts.Pairwise.A ? "model_b" : second == Verdicts.Pairwise.B ? "model_a" : "tie";
            String winner = w1.equals(w2) ? w1 : "tie";
            addBattle(battles, names.get(a), names.get(b), winner, new String[] {first.name(), second.name()});
            fought[a]++;
            fought[b]++;
            won[a] += winner.equals("model_a") ? 1 : winner.equals("tie") ? 0.5 : 0;
            won[b] += winner.equals("model_b") ? 1 : winner.equals("tie") ? 0.5 : 0;
          }
        }
        for (int m = 0; m < names.size(); m++) {
          if (fought[m] == names.size() - 1) {
            scores.put(names.get(m), won[m] / fought[m]);
          }
        }
      }
      record.set("scores", scores);
      record.set("battles", battles);
      record.put("cost", spent);
      return record;
    }

    private Verdicts.Pairwise pairJudgement(ArrayNode judgements, String a, String b, String output, double cost) {
      Verdicts.Pairwise v = Verdicts.pairwise(output);
      ObjectNode j = judgements.addObject();
      j.putArray("models").add(a).add(b);
      j.put("output", output);
      j.put("parsed", v != null);
      if (v != null) {
        j.put("verdict", v.name());
      } else {
        unparseable.incrementAndGet();
      }
      j.put("cost", cost);
      return v;
    }
  }

  private static void addBattle(ArrayNode battles, String a, String b, String winner, String[] verdicts) {
    ObjectNode n = battles.addObject();
    n.put("model_a", a);
    n.put("model_b", b);
    n.put("winner", winner);
    if (verdicts != null) {
      n.putArray("verdicts").add(verdicts[0]).add(verdicts[1]);
    }
  }

  /** An answer and what it cost. */
  private record Answer(String text, Usage usage, double cost) {}

  /**
   * The judge's requests for a prompt, in the order the record lists them: one per model (single), or two per pair,
   * the pair's first model shown first, then second (pairwise). With {@code answers} null the answers are empty, for
   * holding money before they are known.
   */
  private List<ChatRequest> judgeRequests(LabelPrompt prompt, Map<String, Answer> answers) {
    List<ChatRequest> out = new ArrayList<>();
    if (mode == JudgeMode.SINGLE) {
      for (String m : names) {
        out.add(finish(JudgePrompts.single(prompt.prompt(), prompt.reference(), text(answers, m))));
      }
    } else {
      for (int a = 0; a < names.size(); a++) {
        for (int b = a + 1; b < names.size(); b++) {
          String ta = text(answers, names.get(a));
          String tb = text(answers, names.get(b));
          out.add(finish(JudgePrompts.pair(prompt.prompt(), prompt.reference(), ta, tb)));
          out.add(finish(JudgePrompts.pair(prompt.prompt(), prompt.reference(), tb, ta)));
        }
      }
    }
    return out;
  }

  private static String text(Map<String, Answer> answers, String model) {
    return answers == null ? "" : answers.get(model).text;
  }

  private ChatRequest finish(ChatRequest.Builder b) {
    return b.temperature(0).maxTokens(maxJudgeTokens).build();
  }

  /** Answers a judge request shows: one (single) or two (pairwise). */
  private int answersPerJudgeCall() {
    return mode == JudgeMode.SINGLE ? 1 : 2;
  }

  /**
   * The most a call can cost: its messages at one token per UTF-8 byte plus {@link #TOKENS_PER_MESSAGE} per message,
   * {@code extraBytes} more input, and {@code maxTokens} of output.
   */
  private double boundCost(String model, ChatRequest request, int maxTokens, long extraBytes) {
    long input = TOKENS_PER_MESSAGE + extraBytes;
    for (ChatMessage m : request.messages()) {
      input += TOKENS_PER_MESSAGE + (m.content() == null ? 0 : m.content().getBytes(StandardCharsets.UTF_8).length);
    }
    return costs.cost(model, Usage.of(input, maxTokens));
  }

  /** Dollars as a plain decimal. */
  static String money(double dollars) {
    return java.math.BigDecimal.valueOf(dollars).stripTrailingZeros().toPlainString();
  }

  /** Builds a {@link Labeller}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final List<ModelBackend> models = new ArrayList<>();
    private ModelBackend judge;
    private JudgeMode mode = JudgeMode.SINGLE;
    private CostModel costs;
    private double budget = Double.POSITIVE_INFINITY;
    private int concurrency = DEFAULT_CONCURRENCY;
    private int maxAnswerTokens = DEFAULT_MAX_ANSWER_TOKENS;
    private int maxJudgeTokens = DEFAULT_MAX_JUDGE_TOKENS;
    private int maxConsecutiveFailures = DEFAULT_MAX_CONSECUTIVE_FAILURES;
    private LabelListener listener = LabelListener.NONE;
    private LabelFiles files;

    private Builder() {}

    /**
     * Adds a model that answers every prompt, named by its {@link ModelBackend#model()}; in single mode battles and
     * the two-model scores file list the models in the order added (the first as {@code strong}).
     *
     * @throws IllegalArgumentException when a model of the same name was added
     */
    public Builder model(ModelBackend model) {
      Objects.requireNonNull(model, "model");
      for (ModelBackend m : models) {
        if (m.model().equals(model.model())) {
          throw new IllegalArgumentException("model '" + model.model() + "' was added twice");
        }
      }
      models.add(model);
      return this;
    }

    /** The judge: any chat model, through any OpenAI-compatible endpoint. */
    public Builder judge(ModelBackend value) {
      this.judge = Objects.requireNonNull(value, "judge");
      return this;
    }

    /** Single-answer grading or pairwise comparison; default {@link JudgeMode#SINGLE}. */
    public Builder mode(JudgeMode value) {
      this.mode = Objects.requireNonNull(value, "mode");
      return this;
    }

    /** Prices of every model and the judge. */
    public Builder costModel(CostModel value) {
      this.costs = Objects.requireNonNull(value, "costModel");
      return this;
    }

    /**
     * A cap on the dollars spent on these files, earlier runs included; default none.
     *
     * @throws IllegalArgumentException when not finite and {@code >= 0}
     */
    public Builder budget(double dollars) {
      if (!(dollars >= 0) || Double.isInfinite(dollars)) {
        throw new IllegalArgumentException("budget must be a finite number of dollars >= 0 but was " + dollars);
      }
      this.budget = dollars;
      return this;
    }

    /** Prompts labelled at once, {@code >= 1}; default {@value #DEFAULT_CONCURRENCY}. */
    public Builder concurrency(int value) {
      this.concurrency = positive(value, "concurrency");
      return this;
    }

    /** Cap on each answer's tokens ({@code max_tokens}); default {@value #DEFAULT_MAX_ANSWER_TOKENS}. */
    public Builder maxAnswerTokens(int value) {
      this.maxAnswerTokens = positive(value, "maxAnswerTokens");
      return this;
    }

    /** Cap on each judge output's tokens; default {@value #DEFAULT_MAX_JUDGE_TOKENS}. */
    public Builder maxJudgeTokens(int value) {
      this.maxJudgeTokens = positive(value, "maxJudgeTokens");
      return this;
    }

    /** Failed prompts in a row that stop the run; default {@value #DEFAULT_MAX_CONSECUTIVE_FAILURES}. */
    public Builder maxConsecutiveFailures(int value) {
      this.maxConsecutiveFailures = positive(value, "maxConsecutiveFailures");
      return this;
    }

    /** Hears progress; default none. */
    public Builder listener(LabelListener value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    /** Where to write. */
    public Builder files(LabelFiles value) {
      this.files = Objects.requireNonNull(value, "files");
      return this;
    }

    /**
     * The labeller.
     *
     * @throws IllegalStateException when fewer than two models, no judge, no cost model or no files were given
     * @throws ConfigurationException when a model or the judge has no price
     */
    public Labeller build() {
      if (models.size() < 2) {
        throw new IllegalStateException("labelling needs at least two models to compare but got " + models.size());
      }
      String missing = judge == null ? "judge" : costs == null ? "costModel" : files == null ? "files" : null;
      if (missing != null) {
        throw new IllegalStateException("a labeller needs a " + missing + " but it was not set");
      }
      List<String> unpriced = new ArrayList<>();
      for (ModelBackend m : models) {
        if (!costs.hasPrice(m.model())) {
          unpriced.add(m.model());
        }
      }
      if (!costs.hasPrice(judge.model()) && !unpriced.contains(judge.model())) {
        unpriced.add(judge.model());
      }
      if (!unpriced.isEmpty()) {
        throw new ConfigurationException("no price for " + unpriced + ": every model and the judge need one (0 for a"
            + " model you host)");
      }
      return new Labeller(this);
    }

    private static int positive(int v, String name) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be >= 1 but was " + v);
      }
      return v;
    }
  }
}
