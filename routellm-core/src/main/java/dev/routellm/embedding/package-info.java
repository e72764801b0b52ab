/** Text embedders: the interface that local (ONNX) and remote (OpenAI-compatible) embedding models implement. */
package dev.routellm.embedding;
