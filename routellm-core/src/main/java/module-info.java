/**
 * Cost-aware routing between a strong and a weak LLM: the router API, predictors, the confidence cascade,
 * calibration, evaluation, training and the OpenAI-compatible HTTP backend.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.routellm.core {
  requires transitive tools.jackson.databind;
  requires tools.jackson.dataformat.csv;
  requires okhttp3;
  requires okhttp3.sse;
  requires okio;
  requires kotlin.stdlib;
  requires io.github.resilience4j.circuitbreaker;
  requires io.github.resilience4j.core;
  requires ejml.core;
  requires ejml.ddense;
  requires static redis.clients.jedis;

  exports dev.routellm;
  exports dev.routellm.backend;
  exports dev.routellm.budget;
  exports dev.routellm.calibration;
  exports dev.routellm.cascade;
  exports dev.routellm.chat;
  exports dev.routellm.checkpoint;
  exports dev.routellm.cost;
  exports dev.routellm.data;
  exports dev.routellm.embedding;
  exports dev.routellm.evaluation;
  exports dev.routellm.prediction;
  exports dev.routellm.routing;
  exports dev.routellm.training;
  exports dev.routellm.internal to dev.routellm.onnx;
}
