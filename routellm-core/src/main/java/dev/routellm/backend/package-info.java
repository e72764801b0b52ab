/** OpenAI-compatible HTTP model backend and embedder (OkHttp + Jackson): timeouts, retries with backoff, streaming, log-probabilities in both wire shapes. */
package dev.routellm.backend;
