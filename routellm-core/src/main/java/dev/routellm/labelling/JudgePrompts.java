package dev.routellm.labelling;

import dev.routellm.chat.ChatRequest;
import java.util.Map;

/**
 * MT-Bench's judge prompts (FastChat's {@code llm_judge/data/judge_prompts.jsonl}, Apache License 2.0, Zheng et al.
 * 2023): {@code single-v1}, {@code single-math-v1} (with a reference answer), {@code pair-v2} and {@code pair-math-v1}
 * (with a reference answer), word for word. The judge answers with an explanation and a verdict written
 * {@code [[rating]]} or {@code [[A]]}/{@code [[B]]}/{@code [[C]]}; {@link Verdicts} reads it.
 */
final class JudgePrompts {
  static final String SINGLE_SYSTEM = "You are a helpful assistant.";

  static final String SINGLE = "[Instruction]\nPlease act as an impartial judge and evaluate the quality of the"
      + " response provided by an AI assistant to the user question displayed below. Your evaluation should consider"
      + " factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the"
      + " response. Begin your evaluation by providing a short explanation. Be as objective as possible. After"
      + " providing your explanation, you must rate the response on a scale of 1 to 10 by strictly following this"
      + " format: \"[[rating]]\", for example: \"Rating: [[5]]\".\n\n[Question]\n{question}\n\n[The Start of"
      + " Assistant's Answer]\n{answer}\n[The End of Assistant's Answer]";

  static final String SINGLE_REFERENCE = "[Instruction]\nPlease act as an impartial judge and evaluate the quality of"
      + " the response provided by an AI assistant to the user question displayed below. Your evaluation should"
      + " consider correctness and helpfulness. You will be given a reference answer and the assistant's answer. Begin"
      + " your evaluation by comparing the assistant's answer with the reference answer. Identify and correct any"
      + " mistakes. Be as objective as possible. After providing your explanation, you must rate the response on a"
      + " scale of 1 to 10 by strictly following this format: \"[[rating]]\", for example: \"Rating: [[5]]\".\n\n"
      + "[Question]\n{question}\n\n[The Start of Reference Answer]\n{ref_answer_1}\n[The End of Reference Answer]\n\n"
      + "[The Start of Assistant's Answer]\n{answer}\n[The End of Assistant's Answer]";

  static final String PAIR_SYSTEM = "Please act as an impartial judge and evaluate the quality of the responses"
      + " provided by two AI assistants to the user question displayed below. You should choose the assistant that"
      + " follows the user's instructions and answers the user's question better. Your evaluation should consider"
      + " factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their"
      + " responses. Begin your evaluation by comparing the two responses and provide a short explanation. Avoid any"
      + " positional biases and ensure that the order in which the responses were presented does not influence your"
      + " decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names"
      + " of the assistants. Be as objective as possible. After providing your explanation, output your final verdict"
      + " by strictly following this format: \"[[A]]\" if assistant A is better, \"[[B]]\" if assistant B is better,"
      + " and \"[[C]]\" for a tie.";

  static final String PAIR_REFERENCE_SYSTEM = "Please act as an impartial judge and evaluate the quality of the"
      + " responses provided by two AI assistants to the user question displayed below. Your evaluation should"
      + " consider correctness and helpfulness. You will be given a reference answer, assistant A's answer, and"
      + " assistant B's answer. Your job is to evaluate which assistant's answer is better. Begin your evaluation by"
      + " comparing both assistants' answers with the reference answer. Identify and correct any mistakes. Avoid any"
      + " positional biases and ensure that the order in which the responses were presented does not influence your"
      + " decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names"
      + " of the assistants. Be as objective as possible. After providing your explanation, output your final verdict"
      + " by strictly following this format: \"[[A]]\" if assistant A is better, \"[[B]]\" if assistant B is better,"
      + " and \"[[C]]\" for a tie.";

  static final String PAIR = "[User Question]\n{question}\n\n[The Start of Assistant A's Answer]\n{answer_a}\n[The End"
      + " of Assistant A's Answer]\n\n[The Start of Assistant B's Answer]\n{answer_b}\n[The End of Assistant B's"
      + " Answer]";

  static final String PAIR_REFERENCE = "[User Question]\n{question}\n\n[The Start of Reference Answer]\n{ref_answer_1}"
      + "\n[The End of Reference Answer]\n\n[The Start of Assistant A's Answer]\n{answer_a}\n[The End of Assistant"
      + " A's Answer]\n\n[The Start of Assistant B's Answer]\n{answer_b}\n[The End of Assistant B's Answer]";

  private JudgePrompts() {}

  /** The request grading one answer, against the reference when it is not null. */
  static ChatRequest.Builder single(String question, String reference, String answer) {
    String user = substitute(reference == null ? SINGLE : SINGLE_REFERENCE,
        Map.of("question", question, "ref_answer_1", reference == null ? "" : reference, "answer", answer));
    return ChatRequest.builder().system(SINGLE_SYSTEM).user(user);
  }

  /** The request comparing answer A with answer B, against the reference when it is not null. */
  static ChatRequest.Builder pair(String question, String reference, String answerA, String answerB) {
    String user = substitute(reference == null ? PAIR : PAIR_REFERENCE, Map.of("question", question,
        "ref_answer_1", reference == null ? "" : reference, "answer_a", answerA, "answer_b", answerB));
    return ChatRequest.builder().system(reference == null ? PAIR_SYSTEM : PAIR_REFERENCE_SYSTEM).user(user);
  }

  /**
   * The template with each {@code {name}} replaced by its value, in one pass over the template, so that a question or
   * an answer holding {@code {answer}} stays as written.
   */
  static String substitute(String template, Map<String, String> values) {
    StringBuilder out = new StringBuilder(template.length() + 256);
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      int close = open < 0 ? -1 : template.indexOf('}', open);
      String value = close < 0 ? null : values.get(template.substring(open + 1, close));
      if (value == null) {
        int end = open < 0 ? template.length() : open + 1;
        out.append(template, i, end);
        i = end;
      } else {
        out.append(template, i, open).append(value);
        i = close + 1;
      }
    }
    return out.toString();
  }
}
