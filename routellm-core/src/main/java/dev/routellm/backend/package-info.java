/**
 * Model endpoints over HTTP: {@link dev.routellm.backend.OpenAiBackend} (chat completions, blocking, asynchronous and
 * streamed, with log-probabilities in every wire shape) and {@link dev.routellm.backend.OpenAiEmbedder} (embeddings in
 * batches) for any OpenAI-compatible server (OpenAI, vLLM, Ollama, Together, llama.cpp), with connect, read and
 * whole-call timeouts and a {@link dev.routellm.backend.RetryPolicy} (exponential backoff with jitter on 429, 5xx and
 * connection failures only, honouring {@code Retry-After}).
 */
package dev.routellm.backend;
