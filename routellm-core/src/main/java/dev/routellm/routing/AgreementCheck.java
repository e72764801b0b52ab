package dev.routellm.routing;

import dev.routellm.cascade.AnswerExtractor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Accepts when every answer's extracted final answer is present and equal. Immutable. */
final class AgreementCheck implements StepCheck {
  private final AnswerExtractor extractor;
  private final int needed;

  AgreementCheck(AnswerExtractor extractor, int needed) {
    this.extractor = Objects.requireNonNull(extractor, "extractor");
    this.needed = needed;
  }

  @Override
  public String name() {
    return "agreement";
  }

  @Override
  public int answersNeeded() {
    return needed;
  }

  @Override
  public CheckResult check(CheckInput input) {
    String question = input.request().lastUserMessage();
    List<Optional<String>> finals = new ArrayList<>();
    for (var answer : input.answers()) {
      Optional<String> extracted;
      try {
        extracted = extractor.extract(question, answer.text());
      } catch (RuntimeException e) {
        throw new IllegalStateException("answer extractor " + extractor.getClass().getName() + " threw on an answer"
            + " of '" + answer.model() + "'; extractors must not throw", e);
      }
      finals.add(Objects.requireNonNull(extracted, "answer extractor returned null instead of Optional.empty()"));
    }
    List<String> models = input.models();
    for (int i = 0; i < finals.size(); i++) {
      if (finals.get(i).isEmpty()) {
        return CheckResult.reject(0.0, 1.0, "no final answer found in the answer of '" + models.get(i) + "'");
      }
    }
    String first = finals.get(0).orElseThrow();
    int agreeing = 0;
    for (Optional<String> f : finals) {
      if (f.orElseThrow().equals(first)) {
        agreeing++;
      }
    }
    double share = (double) agreeing / finals.size();
    if (agreeing == finals.size()) {
      return CheckResult.accept(1.0, 1.0, String.join(" and ", models) + " agree on " + quote(first));
    }
    StringBuilder differ = new StringBuilder();
    for (int i = 0; i < finals.size(); i++) {
      differ.append(i == 0 ? "" : " vs ").append(models.get(i)).append(' ').append(quote(finals.get(i).orElseThrow()));
    }
    return CheckResult.reject(share, 1.0, "answers differ: " + differ);
  }

  private static String quote(String s) {
    String shown = s.length() > 40 ? s.substring(0, 37) + "..." : s;
    return "'" + shown + "'";
  }

  @Override
  public String toString() {
    return "agreement(" + extractor + ")";
  }
}
