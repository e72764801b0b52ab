package dev.routellm.examples.programs;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.calibration.Calibration;
import dev.routellm.calibration.ThresholdCalibrator;
import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostModel;
import dev.routellm.data.Dataset;
import dev.routellm.data.DatasetFiles;
import dev.routellm.evaluation.ProgressListener;
import dev.routellm.onnx.OnnxEmbedder;
import dev.routellm.prediction.EmbeddingPredictor;
import dev.routellm.prediction.EmbeddingScorer;
import dev.routellm.prediction.TrainedRouter;
import dev.routellm.routing.Router;
import dev.routellm.routing.RoutingDecision;
import dev.routellm.training.LearnedMethods;
import dev.routellm.training.Learner;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Trains a router on your own labelled file (CSV or JSONL with {@code prompt,strong,weak}: did each model answer
 * well), calibrates it to send 30% of your prompts to the strong model, saves it, loads it back and routes with it.
 * Everything runs locally (MiniLM embeddings in-process); routing decisions call no model.
 *
 * <p>Usage: {@code TrainYourOwnRouter DATA.csv ROUTER.safetensors}.
 */
public final class TrainYourOwnRouter {
  static final String USAGE = "usage: TrainYourOwnRouter DATA.csv ROUTER.safetensors (DATA: prompt,strong,weak"
      + " per line, see the README; ROUTER: the router file to write)";

  private TrainYourOwnRouter() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println(USAGE);
      System.exit(2);
    }
    Path data = Path.of(args[0]);
    Path file = Path.of(args[1]);
    try (OnnxEmbedder embedder = OnnxEmbedder.allMiniLmL6V2()) {
      Dataset examples = DatasetFiles.read(data);
      EmbeddingScorer scorer = Learner.KNN.fit(
          LearnedMethods.trainingSet(examples, embedder, ProgressListener.NONE), 42);
      EmbeddingPredictor predictor = EmbeddingPredictor.of(embedder, scorer);
      // Ties (prompts scoring alike) can make 30% unreachable: report the share the threshold really delivers.
      Calibration calibration = ThresholdCalibrator.of(predictor.scoreAll(examples.prompts())).forStrongShare(0.3);
      double threshold = calibration.threshold();
      new TrainedRouter(predictor, examples.strongModel(), examples.weakModel(), OptionalDouble.of(threshold))
          .save(file);
      System.out.printf(Locale.ROOT, "trained on %d examples, threshold %.4f sends %.0f%% of them to the strong"
          + " model, saved to %s%n", examples.size(), threshold, 100 * calibration.strongShare(), file);

      TrainedRouter loaded = TrainedRouter.load(file, embedder);   // the same embedder, or an error
      // route() decides without calling a model, so these endpoints are never reached here.
      try (OpenAiBackend strong = OpenAiBackend.builder().baseUrl("http://localhost:11434/v1").noApiKey()
              .model(loaded.strongModel()).build();
          OpenAiBackend weak = OpenAiBackend.builder().baseUrl("http://localhost:11434/v1").noApiKey()
              .model(loaded.weakModel()).build()) {
        Router router = Router.builder().strong(strong).weak(weak)
            .predictor(loaded.predictor()).threshold(loaded.threshold().orElseThrow())
            .costModel(CostModel.builder().price(strong.model(), 1, 1).price(weak.model(), 0, 0).build()).build();
        for (String prompt : new String[] {"Integrate x squared times sine x", "Say hello in French"}) {
          RoutingDecision decision = router.route(ChatRequest.of(prompt));
          System.out.println(decision.reason() + " -> " + decision.model() + ": " + prompt);
        }
      }
    }
  }
}
