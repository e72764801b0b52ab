/**
 * Helpers shared by the library's own modules; not an API (exported to {@code dev.routellm.onnx} only).
 */
package dev.routellm.internal;
