/**
 * Datasets of prompts with per-model outcomes: RouteLLM's benchmark files (MMLU, GSM8K, MT-Bench) and the user's own
 * CSV or JSONL; preference battles ({@link dev.routellm.data.BattleSet}) from battle files of {@code routellm label}
 * or Chatbot Arena ({@link dev.routellm.data.BattleFiles}), or from per-question outcomes.
 */
package dev.routellm.data;
