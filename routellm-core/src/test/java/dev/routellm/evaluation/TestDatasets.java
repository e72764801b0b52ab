package dev.routellm.evaluation;

import dev.routellm.data.Dataset;
import dev.routellm.data.Example;
import dev.routellm.data.Outcome;
import dev.routellm.data.QualityUnit;
import java.util.ArrayList;
import java.util.List;

/** Small hand-made datasets. */
final class TestDatasets {
  private TestDatasets() {}

  /** Example i has prompt "prompt i", the given outcomes, and is scored in the unit "score". */
  static Dataset of(double[] strong, double[] weak) {
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < strong.length; i++) {
      examples.add(Example.builder()
          .id("e" + i)
          .prompt("prompt " + i)
          .strong(Outcome.judged(strong[i]))
          .weak(Outcome.judged(weak[i]))
          .build());
    }
    return Dataset.builder().name("tiny").unit(QualityUnit.SCORE).strongModel("S").weakModel("W")
        .examples(examples).build();
  }
}
