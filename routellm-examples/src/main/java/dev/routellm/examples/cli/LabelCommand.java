package dev.routellm.examples.cli;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.chat.ModelBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.ModelPrice;
import dev.routellm.labelling.JudgeMode;
import dev.routellm.labelling.LabelFiles;
import dev.routellm.labelling.LabelListener;
import dev.routellm.labelling.LabelReport;
import dev.routellm.labelling.Labeller;
import dev.routellm.labelling.PromptFiles;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Labels prompts with an LLM judge: the models answer, the judge grades; writes battles and per-model scores. */
@Command(
    name = "label",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Labels prompts with an LLM judge: every --model answers every prompt, the --judge grades the answers with"
          + " MT-Bench's prompts (single: a 1-10 rating of each answer, against the reference answer when the prompts"
          + " file gives one; pairwise: the two answers side by side, asked in both orders, a disagreement being a"
          + " tie), and the verdicts become battles (--out) and per-model scores, which 'routellm train', 'eval' and"
          + " 'calibrate' read.",
      "Prompts: a traffic log (routellm serve --traffic-log), a .txt file (one per line), or a .csv/.jsonl data file.",
      "Resumable: every labelled prompt is appended to OUT's .judgements.jsonl at once, and a rerun skips what it"
          + " holds. --budget is a hard cap over every run on OUT: a prompt starts only when the most it could cost"
          + " fits. Judge outputs without a verdict are kept in the judgements file and counted, never guessed.",
      "Keys: OPENAI_API_KEY when set, or --key-env NAME=VAR; 'none' for a local server. Prices: --price NAME=IN,OUT"
          + " dollars per million tokens for every model and the judge (known models have list prices).",
      "Exit code 0 when the battle file holds battles and no prompt failed; 1 when a prompt failed (a rerun tries it"
          + " again) or the battle file holds no battle (no judge output had a verdict, or nothing was labelled),"
          + " saying why; 2 on bad options."
    })
public final class LabelCommand implements Callable<Integer> {
  /** Seconds between progress lines when stderr is not a terminal. */
  static final long LINE_INTERVAL_SECONDS = 30;

  @Mixin OutputOptions output;

  @Option(names = "--prompts", required = true, paramLabel = "FILE",
      description = "Prompts to label: a traffic log or .jsonl data file, a .txt file or a .csv with a prompt column.")
  Path prompts;

  @Option(names = "--model", required = true, paramLabel = "NAME=BASE_URL",
      description = "A model that answers every prompt, at an OpenAI-compatible base URL (repeat; at least two; the"
          + " first is 'strong' in the two-model scores file).")
  List<String> models = new ArrayList<>();

  @Option(names = "--judge", required = true, paramLabel = "NAME=BASE_URL",
      description = "The judge model, at an OpenAI-compatible base URL.")
  String judge;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "The battle file to write (.jsonl); beside it FILE's .judgements.jsonl (every call, the record a"
          + " rerun resumes from) and .scores.jsonl (per-model scores in the user data format).")
  Path out;

  @Option(names = "--mode", defaultValue = "single", paramLabel = "single|pairwise",
      description = "single (one judge call per answer) or pairwise (two per pair of models) (default:"
          + " ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--budget", paramLabel = "USD",
      description = "Stop before the dollars spent on OUT (all runs) could exceed this.")
  Double budget;

  @Option(names = "--concurrency", defaultValue = "" + Labeller.DEFAULT_CONCURRENCY, paramLabel = "N",
      description = "Prompts labelled at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--price", paramLabel = "NAME=IN,OUT",
      description = "A model's (or the judge's) dollars per million input,output tokens, or one number for both"
          + " (repeat); 0 for a model you host; default: the list price of a known model (" + DefaultPrices.HELP
          + "; " + DefaultPrices.MATCHING + "), required for any other.")
  List<String> prices = new ArrayList<>();

  @Option(names = "--key-env", paramLabel = "NAME=VAR",
      description = "The environment variable holding a model's (or the judge's) API key, or 'none' (repeat;"
          + " default: OPENAI_API_KEY when set).")
  List<String> keys = new ArrayList<>();

  @Option(names = "--max-tokens", defaultValue = "" + Labeller.DEFAULT_MAX_ANSWER_TOKENS, paramLabel = "N",
      description = "Cap on each answer's tokens (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--judge-max-tokens", defaultValue = "" + Labeller.DEFAULT_MAX_JUDGE_TOKENS, paramLabel = "N",
      description = "Cap on each judge output's tokens (default: ${DEFAULT-VALUE}).")
  int judgeMaxTokens;

  @Override
  public Integer call() {
    JudgeMode judgeMode = switch (mode.toLowerCase(Locale.ROOT)) {
      case "single" -> JudgeMode.SINGLE;
      case "pairwise" -> JudgeMode.PAIRWISE;
      default -> throw new IllegalArgumentException("--mode must be single or pairwise but was '" + mode + "'");
    };
    if (budget != null && (!(budget >= 0) || Double.isInfinite(budget))) {
      throw new IllegalArgumentException("--budget must be a finite number of dollars >= 0 but was " + budget);
    }
    for (Map.Entry<String, Integer> count : Map.of("--concurrency", concurrency, "--max-tokens", maxTokens,
        "--judge-max-tokens", judgeMaxTokens).entrySet()) {
      if (count.getValue() < 1) {
        throw new IllegalArgumentException(count.getKey() + " must be >= 1 but was " + count.getValue());
      }
    }
    if (models.size() < 2) {
      throw new IllegalArgumentException("--model must be given at least twice (two models to compare) but was"
          + " given " + models.size() + " time(s)");
    }
    if (out.getFileName() == null || !out.getFileName().toString().endsWith(".jsonl")) {
      throw new IllegalArgumentException("--out must name a .jsonl file (the battle file) but was '" + out + "'");
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new IllegalArgumentException("--out: directory " + parent + " does not exist");
    }
    Map<String, String> urls = new LinkedHashMap<>();
    for (String m : models) {
      String[] nameUrl = split("--model", m, "NAME=BASE_URL");
      if (urls.put(nameUrl[0], url("--model " + nameUrl[0], nameUrl[1])) != null) {
        throw new IllegalArgumentException("--model " + nameUrl[0] + " is given twice");
      }
    }
    String[] judgeNameUrl = split("--judge", judge, "NAME=BASE_URL");
    String judgeUrl = url("--judge " + judgeNameUrl[0], judgeNameUrl[1]);
    Map<String, String> keyVariables = pairs("--key-env", keys, "NAME=VAR");
    CostModel costModel = costModel(new ArrayList<>(urls.keySet()), judgeNameUrl[0]);
    for (String named : keyVariables.keySet()) {
      if (!urls.containsKey(named) && !named.equals(judgeNameUrl[0])) {
        throw new IllegalArgumentException("--key-env " + named + ": no --model or --judge has that name");
      }
    }
    PromptFiles.Read read = PromptFiles.read(prompts);
    PrintWriter text = output.text();
    text.printf(Locale.ROOT, "%,d prompts from %s%s%s.%n", read.prompts().size(), prompts,
        read.duplicates() > 0 ? String.format(Locale.ROOT, " (%,d repeats read once)", read.duplicates()) : "",
        read.hashedOnly() > 0 ? String.format(Locale.ROOT, "; %,d traffic-log entries kept only a hash of the prompt"
            + " and cannot be labelled", read.hashedOnly()) : "");
    text.flush();
    List<ModelBackend> backends = new ArrayList<>();
    LabelReport report;
    try (Progress progress = new Progress(output.spec.commandLine().getErr(), System.console() != null,
        System::nanoTime)) {
      Labeller.Builder b = Labeller.builder().mode(judgeMode).costModel(costModel).concurrency(concurrency)
          .maxAnswerTokens(maxTokens).maxJudgeTokens(judgeMaxTokens).files(LabelFiles.beside(out))
          .listener(progress);
      for (Map.Entry<String, String> e : urls.entrySet()) {
        ModelBackend backend = backend(e.getKey(), e.getValue(), keyVariables.get(e.getKey()));
        backends.add(backend);
        b.model(backend);
      }
      ModelBackend judgeBackend = backend(judgeNameUrl[0], judgeUrl, keyVariables.get(judgeNameUrl[0]));
      backends.add(judgeBackend);
      b.judge(judgeBackend);
      if (budget != null) {
        b.budget(budget);
      }
      report = b.build().run(read.prompts());
    } finally {
      for (ModelBackend backend : backends) {
        backend.close();
      }
    }
    report(text, report);
    if (report.battles() == 0) {
      output.err().println("routellm: " + noBattle(report));
      output.err().flush();
      return RouteLlmCommand.EXIT_FAILURE;
    }
    return report.failed() > 0 ? RouteLlmCommand.EXIT_FAILURE : 0;
  }

  /** Why the battle file holds no battle, when it holds none: nothing to train on. */
  static String noBattle(LabelReport r) {
    String why;
    if (r.labelled() > 0 && r.unparseable() == r.judgeCalls()) {
      why = String.format(Locale.ROOT, "none of the %,d judge outputs held a verdict (they are kept in %s): check"
          + " that the judge is a capable model and that --judge-max-tokens leaves room for its rating", r.judgeCalls(),
          r.files().judgements());
    } else if (r.labelled() > 0) {
      why = String.format(Locale.ROOT, "%,d of the %,d judge outputs held a verdict, never for every answer of a"
          + " prompt (all outputs are kept in %s)", r.judgeCalls() - r.unparseable(), r.judgeCalls(),
          r.files().judgements());
    } else if (r.alreadyLabelled() > 0) {
      why = String.format(Locale.ROOT, "the %,d prompts labelled before got no usable verdict; %s keeps their judge"
          + " outputs (move it away to label them again with another judge)", r.alreadyLabelled(),
          r.files().judgements());
    } else {
      why = "no prompt was labelled" + r.stopReason().map(reason -> " (" + reason + ")").orElse("")
          + (r.failed() > 0 ? String.format(Locale.ROOT, "; %,d failed", r.failed()) : "");
    }
    return "no usable battle was produced: " + why + "; nothing to train on";
  }

  private void report(PrintWriter text, LabelReport r) {
    text.printf(Locale.ROOT, "Labelled %,d prompts (%,d were labelled before), %,d judge calls, %,d outputs without a"
        + " verdict (kept in %s); spent $%s ($%s on this output in all%s).%n", r.labelled(), r.alreadyLabelled(),
        r.judgeCalls(), r.unparseable(), r.files().judgements(), money(r.spent()), money(r.totalSpent()),
        r.budget().isPresent() ? ", budget $" + money(r.budget().getAsDouble()) : "");
    r.stopReason().ifPresent(reason -> text.printf(Locale.ROOT, "Stopped early after %,d of %,d prompts (%,d not"
        + " started): %s.%n", r.prompts() - r.alreadyLabelled() - r.notStarted(), r.prompts() - r.alreadyLabelled(),
        r.notStarted(), reason));
    if (r.failed() > 0) {
      text.printf(Locale.ROOT, "%,d prompts failed and were not written (a rerun tries them again): %s%n", r.failed(),
          String.join("; ", r.failures()));
    }
    text.printf(Locale.ROOT, "Wrote %s (%,d battles) and %s (%,d prompts scored for every model).%n",
        r.files().battles(), r.battles(), r.files().scores(), r.scoredPrompts());
    if (r.battles() > 0) {
      // The pair named: with two models it could be inferred from who wins more, but not when they tie throughout.
      List<String> names = modelNames();
      text.printf(Locale.ROOT, "Train a router on them: routellm train --benchmark %s --router mf --strong-model %s"
          + " --weak-model %s --out router.safetensors%s%n", r.files().battles(), names.get(0), names.get(1),
          names.size() > 2 ? " (any two of the models)" : "");
    }
    text.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("prompts", r.prompts());
    result.put("already_labelled", r.alreadyLabelled());
    result.put("labelled", r.labelled());
    result.put("failed", r.failed());
    result.put("not_started", r.notStarted());
    result.put("judge_calls", r.judgeCalls());
    result.put("unparseable", r.unparseable());
    result.put("battles", r.battles());
    result.put("scored_prompts", r.scoredPrompts());
    result.put("spent", r.spent());
    result.put("total_spent", r.totalSpent());
    result.put("budget", r.budget().isPresent() ? r.budget().getAsDouble() : null);
    result.put("complete", r.complete());
    result.put("stop_reason", r.stopReason().orElse(null));
    result.put("failures", r.failures());
    result.put("battles_file", r.files().battles().toString());
    result.put("scores_file", r.files().scores().toString());
    result.put("judgements_file", r.files().judgements().toString());
    output.result(result);
  }

  /** The answering models' names, in the order given. */
  private List<String> modelNames() {
    List<String> names = new ArrayList<>();
    for (String m : models) {
      names.add(split("--model", m, "NAME=BASE_URL")[0]);
    }
    return names;
  }

  private CostModel costModel(List<String> answering, String judgeName) {
    Map<String, String> given = pairs("--price", prices, "NAME=IN,OUT");
    List<String> all = new ArrayList<>(answering);
    if (!all.contains(judgeName)) {
      all.add(judgeName);
    }
    for (String named : given.keySet()) {
      if (!all.contains(named)) {
        throw new IllegalArgumentException("--price " + named + ": no --model or --judge has that name");
      }
    }
    CostModel.Builder b = CostModel.builder();
    PriceConverter converter = new PriceConverter();
    for (String m : all) {
      ModelPrice p = null;
      if (given.containsKey(m)) {
        try {
          p = converter.convert(given.get(m));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("--price " + m + ": " + e.getMessage());
        }
      }
      b.price(m, DefaultPrices.require("--price " + m + "=IN,OUT", m, p));
    }
    return b.build();
  }

  private static ModelBackend backend(String name, String url, String keyEnv) {
    OpenAiBackend.Builder b = OpenAiBackend.builder().baseUrl(url).model(name);
    if (BackendOptions.NO_KEY.equals(keyEnv)) {
      b.noApiKey();
    } else if (keyEnv != null) {
      b.apiKeyFromEnvironment(keyEnv);
    }
    try {
      return b.build();
    } catch (dev.routellm.ConfigurationException e) {
      if (keyEnv == null) { // OpenAI's API and no OPENAI_API_KEY
        throw new IllegalArgumentException("model " + name + " at " + url + ": " + OpenAiBackend.DEFAULT_API_KEY_VARIABLE
            + " is not set; set it, or give --key-env " + name + "=VAR ('none' for a server that needs no key)", e);
      }
      throw new IllegalArgumentException("--key-env " + name + "=" + keyEnv + " (model " + name + "): "
          + e.getMessage(), e);
    }
  }

  private static Map<String, String> pairs(String option, List<String> values, String format) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String v : values) {
      String[] kv = split(option, v, format);
      if (out.put(kv[0], kv[1]) != null) {
        throw new IllegalArgumentException(option + " " + kv[0] + " is given twice");
      }
    }
    return out;
  }

  private static String[] split(String option, String value, String format) {
    int eq = value.indexOf('=');
    if (eq <= 0 || eq == value.length() - 1) {
      throw new IllegalArgumentException(option + " must be " + format + " but was '" + value + "'");
    }
    return new String[] {value.substring(0, eq).strip(), value.substring(eq + 1).strip()};
  }

  private static String url(String option, String value) {
    try {
      URI uri = new URI(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return value;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + ": the base URL must be an http(s) URL such as"
        + " http://localhost:11434/v1 but was '" + value + "'");
  }

  static String money(double dollars) {
    return java.math.BigDecimal.valueOf(dollars).setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
        .toPlainString();
  }

  /**
   * Progress on stderr: a bar on a terminal; otherwise a plain line every {@value #LINE_INTERVAL_SECONDS} seconds and
   * at the end, so that logs of redirected runs stay readable.
   */
  static final class Progress implements LabelListener, AutoCloseable {
    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private ProgressBar bar;
    private long lastLine;

    Progress(PrintWriter err, boolean terminal, LongSupplier nanoTime) {
      this.err = err;
      this.terminal = terminal;
      this.nanoTime = nanoTime;
      this.lastLine = nanoTime.getAsLong();
    }

    @Override
    public synchronized void progress(int done, int total, double spent) {
      if (terminal) {
        if (bar == null) {
          bar = new ProgressBarBuilder().setTaskName("labelling").setInitialMax(total)
              .setConsumer(new DelegatingProgressBarConsumer(line -> {
                err.print('\r' + line);
                err.flush();
              })).build();
        }
        bar.stepTo(done);
        bar.setExtraMessage("$" + money(spent));
        return;
      }
      long now = nanoTime.getAsLong();
      if (done == total || now - lastLine >= LINE_INTERVAL_SECONDS * 1_000_000_000L) {
        lastLine = now;
        err.printf(Locale.ROOT, "labelling: %,d of %,d prompts (%.0f%%), $%s spent%n", done, total,
            100.0 * done / total, money(spent));
        err.flush();
      }
    }

    @Override
    public synchronized void close() {
      if (bar != null) {
        bar.close();
        bar = null;
        err.println();
        err.flush();
      }
    }
  }
}
