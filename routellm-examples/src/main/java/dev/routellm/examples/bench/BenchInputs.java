package dev.routellm.examples.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The texts every benchmark in this package uses, identical for each implementation compared. */
public final class BenchInputs {
  /** 20 WordPiece tokens of text (22 with [CLS] and [SEP]) for all-MiniLM-L6-v2's tokenizer. */
  public static final String PROMPT_20 =
      "What is the capital city of France, and why did it become the political center of the country?";

  /** 200 WordPiece tokens of text (202 with [CLS] and [SEP]): a typical long chat prompt. */
  public static final String PROMPT_200 =
      "A city council is deciding how to spend a fixed budget on public transport. Option A extends an existing tram"
          + " line by four kilometres through dense neighbourhoods, costing forty million euros and expected to carry"
          + " twelve thousand extra riders a day. Option B buys sixty electric buses for routes in the outer districts,"
          + " costing thirty-five million euros, with an expected eight thousand extra riders a day but much shorter"
          + " construction time. Option C improves cycling infrastructure across the whole city for fifteen million"
          + " euros and spends the rest on maintenance of ageing stations. Considering ridership, cost per rider,"
          + " construction risk, emissions and fairness between central and outer districts, which option should the"
          + " council choose? Explain your reasoning step by step, state the assumptions you make about growth, and say"
          + " how your answer would change if the budget were cut by a quarter. Finally, compare your recommendation"
          + " with what a typical European city of similar size has done in the last decade, and list two risks the"
          + " council should monitor after the decision is made. Please be brief.";

  /**
   * System property, set by {@code routellm bench --intra-op-threads}, with the intra-op threads routellm-onnx's
   * models use in the benchmarks for overlapping calls and bulk calls; unset means the library's default.
   */
  public static final String INTRA_OP_THREADS_PROPERTY = "routellm.bench.intraOpThreads";

  /**
   * System property, set by {@code routellm bench --solo-intra-op-threads}, with the threads a call alone on the model
   * may use; unset means the library's default (all cores). 1 gives the library's behaviour before the solo lane.
   */
  public static final String SOLO_INTRA_OP_THREADS_PROPERTY = "routellm.bench.soloIntraOpThreads";

  /** Texts per bulk call. */
  public static final int BATCH_SIZE = 64;

  /**
   * {@value #BATCH_SIZE} texts of mixed length (a prefix of {@link #PROMPT_200} or {@link #PROMPT_20}, 5 to all of
   * their words), shuffled with a fixed seed: about 100 tokens on average, as chat prompts are.
   */
  public static final List<String> BATCH = batch();

  private BenchInputs() {}

  /** routellm-onnx's execution options for the benchmarks: the defaults, or the threads set on the command line. */
  public static dev.routellm.onnx.ExecutionOptions execution() {
    String threads = System.getProperty(INTRA_OP_THREADS_PROPERTY);
    String soloThreads = System.getProperty(SOLO_INTRA_OP_THREADS_PROPERTY);
    dev.routellm.onnx.ExecutionOptions.Builder b = dev.routellm.onnx.ExecutionOptions.builder();
    if (threads != null) {
      b.intraOpThreads(Integer.parseInt(threads));
    }
    if (soloThreads != null) {
      b.soloIntraOpThreads(Integer.parseInt(soloThreads));
    }
    return b.build();
  }

  private static List<String> batch() {
    Random random = new Random(42);
    String[] longWords = PROMPT_200.split(" ");
    String[] shortWords = PROMPT_20.split(" ");
    List<String> texts = new ArrayList<>(BATCH_SIZE);
    for (int i = 0; i < BATCH_SIZE; i++) {
      String[] words = i % 4 == 0 ? shortWords : longWords;
      int n = 5 + random.nextInt(words.length - 4);
      texts.add(String.join(" ", java.util.Arrays.copyOf(words, n)));
    }
    Collections.shuffle(texts, random);
    return List.copyOf(texts);
  }
}
