package dev.routellm.data;

import dev.routellm.cost.PriceTable;
import java.nio.file.Files;
import java.nio.file.Path;

/** The N-model routing data in ../shared/data/nway, as the build passes it (system property routellm.nway.data). */
public final class NwayData {
  private static PoolDataset gsm8k;
  private static PoolDataset mathL5;
  private static PoolDataset llmRouter;

  private NwayData() {}

  /** The data directory; fails loudly when the build did not pass it or it is missing. */
  public static Path dir() {
    String dir = System.getProperty("routellm.nway.data");
    if (dir == null || !Files.isDirectory(Path.of(dir))) {
      throw new IllegalStateException("system property routellm.nway.data must name the shared N-model data"
          + " directory (../shared/data/nway) but was " + dir);
    }
    return Path.of(dir);
  }

  public static Path zeroEvalDir() {
    return dir().resolve("zeroeval");
  }

  /** ZeroEval GSM8K with the five cheap models' answer texts. */
  public static synchronized PoolDataset gsm8k() {
    if (gsm8k == null) {
      gsm8k = PoolDatasetFiles.zeroEval(zeroEvalDir(), "gsm8k");
    }
    return gsm8k;
  }

  /** ZeroEval MATH level 5 with the five cheap models' answer texts. */
  public static synchronized PoolDataset mathL5() {
    if (mathL5 == null) {
      mathL5 = PoolDatasetFiles.zeroEval(zeroEvalDir(), "math-l5");
    }
    return mathL5;
  }

  public static synchronized PoolDataset llmRouter() {
    if (llmRouter == null) {
      llmRouter = PoolDatasetFiles.llmRouter(dir().resolve("llmrouter/llmrouter.jsonl"));
    }
    return llmRouter;
  }

  public static PriceTable zeroEvalPrices() {
    return PriceFile.read(zeroEvalDir().resolve("prices.csv"));
  }

  public static PriceTable llmRouterPrices() {
    return PriceFile.read(dir().resolve("llmrouter/prices.csv"));
  }
}
