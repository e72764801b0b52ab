package dev.routellm.onnx;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

/** ONNX Runtime's graph optimisation level, applied when a model is loaded. */
public enum OptimizationLevel {
  /** No graph optimisation. */
  NONE(OptLevel.NO_OPT),
  /** Semantics-preserving rewrites: constant folding, redundant node removal. */
  BASIC(OptLevel.BASIC_OPT),
  /** Basic plus node fusions (attention, layer normalisation, GELU). */
  EXTENDED(OptLevel.EXTENDED_OPT),
  /** Extended plus layout optimisations: ONNX Runtime's own default, and ours. */
  ALL(OptLevel.ALL_OPT);

  private final OptLevel ort;

  OptimizationLevel(OptLevel ort) {
    this.ort = ort;
  }

  OptLevel toOrt() {
    return ort;
  }
}
