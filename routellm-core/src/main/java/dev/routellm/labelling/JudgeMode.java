package dev.routellm.labelling;

/** How the judge grades the answers to a prompt. */
public enum JudgeMode {
  /**
   * Each answer alone, on a scale of 1 to 10 (MT-Bench's single-answer grading, against the reference answer when the
   * prompt has one); two answers' battle goes to the higher rating, equal ratings tie. One judge call per model.
   */
  SINGLE,
  /**
   * Two answers side by side (MT-Bench's pairwise comparison, with the reference answer when there is one), asked in
   * both orders to cancel the judge's preference for a position: the battle goes to the answer both orders prefer,
   * and is a tie when the orders disagree or both say tie. Two judge calls per pair of models.
   */
  PAIRWISE
}
