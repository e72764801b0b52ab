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

  // Optional integrations, present only when the application has them. Micrometer and OpenTelemetry have stable
  // module names. LangChain4j 1.19 and Spring AI 1.1 have none (no module-info, no Automatic-Module-Name), so their
  // adapters (dev.routellm.langchain4j, dev.routellm.spring) are compiled on the class path, neither required nor
  // exported here: naming a module after a jar file would break the day those projects name theirs. Those two
  // packages serve class-path applications, as LangChain4j and Spring AI themselves do.
  requires static micrometer.core;
  requires static io.opentelemetry.api;
  requires static io.opentelemetry.context;
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
  exports dev.routellm.labelling;
  exports dev.routellm.micrometer;
  exports dev.routellm.opentelemetry;
  exports dev.routellm.prediction;
  exports dev.routellm.routing;
  exports dev.routellm.training;
  exports dev.routellm.traffic;
  exports dev.routellm.internal to dev.routellm.onnx;
}
