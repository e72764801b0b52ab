/** Model and router files: safetensors reading and writing, router files that carry weights, embedder identity and threshold. */
package dev.routellm.checkpoint;
