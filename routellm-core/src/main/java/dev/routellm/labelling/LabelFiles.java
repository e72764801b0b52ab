package dev.routellm.labelling;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a labelling run writes. The judgements file is the record of the work: one JSON line per labelled prompt
 * (every answer with its tokens and cost, every judge output as written, parsed or not), appended and flushed as each
 * prompt is done, so an interrupted run loses nothing it wrote and a rerun skips what it holds. The battles and scores
 * files are made from it at the end of every run.
 *
 * @param battles the battle file ({@code prompt}, {@code model_a}, {@code model_b}, {@code winner}, {@code judge}, and
 *     the ratings or verdicts), read by {@code routellm train}, {@code eval} and {@code calibrate}
 * @param judgements the record of every call
 * @param scores each prompt's per-model scores in the user data format ({@code prompt}, {@code strong},
 *     {@code weak}, ... for two models; {@code prompt} and {@code outcomes} for more)
 */
public record LabelFiles(Path battles, Path judgements, Path scores) {
  public LabelFiles {
    Objects.requireNonNull(battles, "battles");
    Objects.requireNonNull(judgements, "judgements");
    Objects.requireNonNull(scores, "scores");
    if (battles.equals(judgements) || battles.equals(scores) || judgements.equals(scores)) {
      throw new IllegalArgumentException("the three label files must differ but were " + battles + ", " + judgements
          + " and " + scores);
    }
  }

  /**
   * The files beside a battle file: for {@code out/battles.jsonl}, {@code out/battles.judgements.jsonl} and
   * {@code out/battles.scores.jsonl}.
   */
  public static LabelFiles beside(Path battles) {
    Objects.requireNonNull(battles, "battles");
    String name = battles.getFileName() == null ? "labels" : battles.getFileName().toString();
    String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
    return new LabelFiles(battles, battles.resolveSibling(stem + ".judgements.jsonl"),
        battles.resolveSibling(stem + ".scores.jsonl"));
  }
}
