/**
 * Local inference with ONNX Runtime: sentence embedders and exported router classifiers, on the CPU or CUDA. See
 * {@link dev.routellm.onnx}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.routellm.onnx {
  requires transitive dev.routellm.core;
  // Automatic modules: both onnxruntime and onnxruntime_gpu jars carry Automatic-Module-Name com.microsoft.onnxruntime.
  requires transitive com.microsoft.onnxruntime;
  requires ai.djl.tokenizers;
  requires ai.djl.api;
  // DJL's automatic modules log through SLF4J but cannot say so; without this, SLF4J (a named module) is not resolved
  // on the module path and DJL fails with NoClassDefFoundError: org/slf4j/LoggerFactory.
  requires org.slf4j;
  requires tools.jackson.databind;

  exports dev.routellm.onnx;
}
