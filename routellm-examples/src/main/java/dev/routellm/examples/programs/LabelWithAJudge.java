package dev.routellm.examples.programs;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.Dollars;
import dev.routellm.labelling.JudgeMode;
import dev.routellm.labelling.LabelFiles;
import dev.routellm.labelling.LabelPrompt;
import dev.routellm.labelling.LabelReport;
import dev.routellm.labelling.Labeller;
import java.nio.file.Path;
import java.util.List;

/**
 * Labels your own prompts with an LLM judge: two models answer each prompt, a judge compares the answers in both orders
 * (MT-Bench's pairwise prompt), and the verdicts become a battles file that {@code routellm train --benchmark
 * battles.jsonl} turns into a router that knows your traffic. Stops before spending more than the budget; a rerun
 * resumes where it stopped.
 *
 * <p>Usage: {@code LabelWithAJudge OUT_DIR [BASE_URL]}: one OpenAI-compatible server serving the three models (default
 * OpenAI's, key from {@code OPENAI_API_KEY}).
 */
public final class LabelWithAJudge {
  private LabelWithAJudge() {}

  public static void main(String[] args) {
    Path out = Path.of(args.length > 0 ? args[0] : ".");
    String url = args.length > 1 ? args[1] : "https://api.openai.com/v1";
    List<LabelPrompt> prompts = List.of(
        LabelPrompt.of("What is the capital of Australia?"),
        LabelPrompt.of("Prove that the sum of two odd numbers is even."));
    try (OpenAiBackend strong = OpenAiBackend.builder().baseUrl(url).model("gpt-4o").build();
        OpenAiBackend weak = OpenAiBackend.builder().baseUrl(url).model("gpt-4o-mini").build();
        OpenAiBackend judge = OpenAiBackend.builder().baseUrl(url).model("gpt-4.1").build()) {
      Labeller labeller = Labeller.builder()
          .model(strong).model(weak)
          .judge(judge).mode(JudgeMode.PAIRWISE)
          .costModel(CostModel.builder().price("gpt-4o", 2.50, 10.00).price("gpt-4o-mini", 0.15, 0.60)
              .price("gpt-4.1", 2.00, 8.00).build())
          .budget(1.00)                                                   // dollars, over every run on these files
          .files(LabelFiles.beside(out.resolve("battles.jsonl")))
          .build();
      LabelReport report = labeller.run(prompts);
      System.out.println("labelled " + report.labelled() + " of " + report.prompts() + " prompts, " + report.battles()
          + " battles, " + report.unparseable() + " unparseable verdicts, spent " + Dollars.format(report.spent()));
      System.out.println("battles in " + report.files().battles());
    }
  }
}
