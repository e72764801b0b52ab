/** Datasets of prompts with per-model outcomes: RouteLLM's benchmark files (MMLU, GSM8K, MT-Bench) and the user's own CSV or JSONL. */
package dev.routellm.data;
