/**
 * Cost-aware routing between a strong and a weak LLM: the router API, predictors, the confidence cascade,
 * calibration, evaluation, training and the OpenAI-compatible HTTP backend.
 */
module dev.routellm.core {
  requires transitive tools.jackson.databind;
  requires okhttp3;
  requires kotlin.stdlib;

  exports dev.routellm;
  exports dev.routellm.chat;
  exports dev.routellm.cost;
  exports dev.routellm.embedding;
  exports dev.routellm.prediction;
  exports dev.routellm.routing;
}
