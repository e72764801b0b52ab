/**
 * Labelling prompts with an LLM judge: the chosen models answer each prompt, a judge model grades the answers
 * (MT-Bench's single-answer 1-10 grading) or compares them in pairs (asked in both orders), and the verdicts become
 * preference battles and per-model scores that train and evaluate routers. Start with {@link
 * dev.routellm.labelling.Labeller}.
 */
package dev.routellm.labelling;
